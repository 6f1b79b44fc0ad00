"""Letters from templates: find templates, build their fields, render safely, record what was sent.

Qt-free. Rendering gives HTML; letter_output.py sends it out through the face's renderer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from markupsafe import Markup, escape

from csdesk import paths
from csdesk.domain import Change, Customer
from csdesk.errors import NameNotFound, NotFound, UserError
from csdesk.services import setting_registry
from csdesk.services.auth import Permission, require
from csdesk.services.clock import iso, parse
from csdesk.services.formatting import format_date, format_money
from csdesk.services.letter_html import HtmlTooComplex, check_html, image_resolver, restrict_images
from csdesk.services.letter_sandbox import (
    LetterDeclined,
    LetterSandbox,
    TemplateProblem,
    layered_loader,
)
from csdesk.services.phone import pretty
from csdesk.services.rendering import PageSetup
from csdesk.store import audit
from csdesk.store import followups as followup_store
from csdesk.store import letters as store
from csdesk.store import staff as staff_store
from csdesk.store import visits as visit_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    import sqlite_utils

    from csdesk.services.context import Context
    from csdesk.services.customers import CustomerService
    from csdesk.services.issues import IssueService
    from csdesk.services.shop_settings import ShopSettings

__all__ = [
    "Letter",
    "LetterDeclined",
    "LetterService",
    "Prepared",
    "Rendered",
    "TemplateInfo",
    "TemplateProblem",
]

SUFFIX = ".html.j2"
# The paper settings live in the one registry (services.setting_registry); named here for the faces.
PAGE_SIZES = setting_registry.PAGE_SIZES
MARGIN_MIN, MARGIN_MAX = setting_registry.MARGIN_MIN, setting_registry.MARGIN_MAX
_HEADER = re.compile(r"\{#\s*(title|description|kind)\s*:\s*(.*?)\s*#\}", re.IGNORECASE)
_GOODWILL_WORDS = {"refund": "A refund", "discount": "A discount", "gift": "A gift"}
_ISSUE_FIELDS: dict[str, Any] = {
    "id": None,
    "title": "",
    "description": "",
    "category": "",
    "resolution": "",
    "goodwill_cents": 0,
    "goodwill_kind": "",
    "opened_at": "",
    "resolved_at": "",
}


@dataclass(frozen=True)
class TemplateInfo:
    name: str  # file name, e.g. "thank_you.html.j2"
    title: str
    description: str
    path: Path
    user: bool  # from the user's templates folder (possibly overriding a bundled one)
    # `{# kind: marketing #}` (we miss you, birthday): e-mailed only with marketing consent.
    marketing: bool = False


@dataclass(frozen=True)
class Rendered:
    template: str
    title: str
    html: str


@dataclass(frozen=True)
class Prepared:
    """A rendered letter not yet recorded: recorded only once its file or print job exists."""

    customer_id: int
    template: str
    title: str
    html: str
    page_size: str
    issue_id: int | None


@dataclass(frozen=True)
class Letter:
    id: int
    customer_id: int
    template: str
    title: str
    html: str  # exactly as sent; empty in lists (fetch one letter to reprint it)
    page_size: str
    issue_id: int | None
    created_at: str
    created_by: int | None


class LetterService:
    def __init__(
        self, ctx: Context, *, customers: CustomerService, issues: IssueService, shop: ShopSettings
    ) -> None:
        self._ctx = ctx
        self._customers = customers
        self._issues = issues
        self._shop = shop
        self._env: LetterSandbox | None = None
        self._style: dict[str, str] = {}

    # -- templates -----------------------------------------------------------------------------
    @staticmethod
    def user_dir() -> Path:
        return paths.user_letters_dir()

    @staticmethod
    def bundled_dir() -> Path:
        return paths.resources_dir() / "letters"

    def ensure_user_dir(self) -> Path:
        """The folder staff open to add or edit templates; created on first use."""
        folder = self.user_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"Cannot create the templates folder {folder}: {exc.strerror}."
            ) from exc
        return folder

    @property
    def env(self) -> LetterSandbox:
        if self._env is None:
            env = LetterSandbox(layered_loader(self.user_dir(), self.bundled_dir()))
            env.add_filters(
                {
                    "date": self._date_filter,
                    "money": self._money_filter,
                    "lines": _lines_filter,
                }
            )
            self._env = env
        return self._env

    def reload(self) -> None:
        """Forget compiled templates so edits on disk are read again."""
        self._env = None

    def templates(self) -> list[TemplateInfo]:
        """Every template a person can choose, sorted by title. Names starting with _ are parts."""
        found: dict[str, TemplateInfo] = {}
        for folder, user in ((self.bundled_dir(), False), (self.user_dir(), True)):
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob(f"*{SUFFIX}")):
                if path.name.startswith(("_", ".")) or not path.is_file():
                    continue
                found[path.name] = _info(path, user)
        return sorted(found.values(), key=lambda t: t.title.casefold())

    def template(self, name: str) -> TemplateInfo:
        """One template by name, the user's copy before the bundled one (as templates() lists
        them): two file lookups, not a read of every template's header for each letter."""
        file = name if name.endswith(SUFFIX) else name + SUFFIX
        if not file.startswith(("_", ".")) and "/" not in file and "\\" not in file:
            for folder, user in ((self.user_dir(), True), (self.bundled_dir(), False)):
                path = folder / file
                if path.is_file():
                    return _info(path, user)
        raise NameNotFound(
            f"There is no letter template “{name}”. "
            "`csdesk letter --list` shows the ones there are."
        )

    # -- rendering -----------------------------------------------------------------------------
    def issue_fields(self, issue_id: int) -> dict[str, Any]:
        """An issue as the `issue` a template reads, so a letter can be written about it."""
        issue = self._issues.get(issue_id)
        kinds = {g.kind.value for g in self._issues.goodwill(issue_id)}
        # One kind reads naturally ("a refund of $20.00"); a mix is just the total.
        kind = _GOODWILL_WORDS.get(kinds.pop(), "") if len(kinds) == 1 else ""
        return {
            "id": issue.id,
            "title": issue.title,
            "description": issue.description,
            "category": issue.category,
            "resolution": issue.resolution,
            "goodwill_cents": issue.goodwill_cents,
            "goodwill_kind": kind,
            "opened_at": issue.created_at,
            "resolved_at": issue.resolved_at or "",
        }

    def context(
        self, customer_id: int, *, issue: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The fields every template can use (documented in the README)."""
        customer = self._customers.get(customer_id)
        setting = self._ctx.setting
        logo = str(setting("shop_logo", "") or "")
        tz = self._ctx.tz
        today = self._ctx.clock().astimezone(tz).date()
        fields = _customer_fields(customer, self._ctx.region)
        # How they last reached us, so a letter thanks a caller for the call (issue 13.18).
        last = visit_store.last_for_customer(self._ctx.db, customer_id)
        fields["last_visit_channel"] = str(last["channel"]) if last else ""
        fields["days_since_last_visit"] = (
            (today - parse(customer.last_visit_at).astimezone(tz).date()).days
            if customer.last_visit_at
            else None
        )
        return {
            "customer": fields,
            "shop": {
                "name": str(setting("shop_name", "") or "Our shop"),
                "address": str(setting("shop_address", "") or ""),
                "phone": str(setting("shop_phone", "") or ""),
                "email": str(setting("shop_email", "") or ""),
                "website": str(setting("shop_website", "") or ""),
                "logo": Path(logo).resolve().as_uri() if logo and Path(logo).is_file() else "",
            },
            "staff": {
                "id": self._ctx.actor.id,
                "name": self._ctx.actor.name,
                # The shared front-desk login signs as "The team", not as "Front desk".
                "is_team": self._ctx.actor.name == staff_store.DEFAULT_NAME,
            },
            "issue": _issue_fields(issue),
            "today": today,
        }

    def render(
        self,
        template: str,
        customer_id: int,
        *,
        issue: Mapping[str, Any] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> Rendered:
        """The letter as HTML, nothing recorded; `stop() -> True` ends it early with
        RenderStopped (the window's preview, when the person moved on to other text)."""
        info = self.template(template)
        with self._ctx.settings_held():  # a dozen settings, one query
            context = self.context(customer_id, issue=issue)
            self._style = {
                # The same reading `csdesk settings` shows, default by country included.
                "date": setting_registry.read(self._ctx.setting, "date_style"),
                "currency": setting_registry.read(self._ctx.setting, "currency_symbol"),
            }
            html = self.env.render_safely(info.name, context, stop=stop)  # its date filter reads the zone
        # What the HTML may ask of Qt (issue 14.6): images only from the templates folders and
        # the letterhead logo, and a size and shape the layout engine handles in about a second.
        logo = str(context["shop"]["logo"])
        resolve = image_resolver(
            [self.user_dir(), self.bundled_dir()], [Path(_file_path(logo))] if logo else []
        )
        html = restrict_images(html, resolve)
        try:
            check_html(html)
        except HtmlTooComplex as exc:
            raise TemplateProblem(info.name, None, str(exc)) from None
        return Rendered(info.name, info.title, html)

    # -- the record of letters sent ------------------------------------------------------------
    def produce(
        self,
        template: str,
        customer_id: int,
        *,
        issue: Mapping[str, Any] | None = None,
        page_size: str | None = None,
    ) -> Letter:
        """Render and record a letter at once. Faces do not call this: a letter is recorded only
        once its file or print job exists (services/letter_output.py); kept for seeding data."""
        return self.record(self.prepare(template, customer_id, issue=issue, page_size=page_size))

    def prepare(
        self,
        template: str,
        customer_id: int,
        *,
        issue: Mapping[str, Any] | None = None,
        page_size: str | None = None,
    ) -> Prepared:
        """Render a letter for sending (permission checked); nothing is recorded yet."""
        require(self._ctx.actor, Permission.LOG)
        size = page_size or self.page_size()
        if size not in PAGE_SIZES:
            raise UserError(f"Page size must be A4 or Letter, not “{size}”.")
        rendered = self.render(template, customer_id, issue=issue)
        fields = _issue_fields(issue)
        return Prepared(
            customer_id=customer_id,
            template=rendered.template,
            title=rendered.title,
            html=rendered.html,
            page_size=size,
            issue_id=fields["id"] if fields else None,
        )

    def record(self, prepared: Prepared) -> Letter:
        """Put a letter that was really written or printed on the customer's timeline."""
        return self.record_many([prepared])[0]

    def record_many(
        self,
        letters: Sequence[Prepared],
        *,
        within: Callable[[list[Letter]], None] | None = None,
    ) -> list[Letter]:
        """Record letters in one transaction (a batch PDF exists whole, or none of it does).
        `within` runs inside that transaction with the new letters (their e-mail is queued
        there: services/outbox.py), so both are written or neither is."""
        now = self._ctx.now_iso()
        made: list[Letter] = []
        with atomic(self._ctx.db):
            for prepared in letters:
                made.append(self._insert(prepared, now))
            if within is not None:
                within(made)
        for letter in made:
            self._ctx.notify(Change("letter", (letter.id,), letter.customer_id))
        return made

    def _insert(self, prepared: Prepared, now: str) -> Letter:
        row: dict[str, Any] = {
            "customer_id": prepared.customer_id,
            "template": prepared.template,
            "title": prepared.title,
            "html": prepared.html,
            "page_size": prepared.page_size,
            "issue_id": prepared.issue_id,
            "created_at": now,
            "created_by": self._ctx.actor.id,
        }
        letter_id = store.insert(self._ctx.db, row)
        audit.record(
            self._ctx.db,
            at=now,
            staff_id=self._ctx.actor.id,
            action="create",
            entity="letter",
            entity_id=letter_id,
            after={k: v for k, v in row.items() if k != "html"}
            | {"html_sha256": hashlib.sha256(prepared.html.encode()).hexdigest()},
            source=self._ctx.source,
        )
        return _letter({**row, "id": letter_id})

    def get(self, letter_id: int) -> Letter:
        row = store.get(self._ctx.db, letter_id)
        if row is None:
            raise NotFound(f"No letter #{letter_id}.")
        return _letter(row)

    def for_customer(self, customer_id: int, *, limit: int = 100) -> list[Letter]:
        return [
            _letter({**r, "html": ""})
            for r in store.for_customer(self._ctx.db, customer_id, limit=limit)
        ]

    # -- settings ------------------------------------------------------------------------------
    def page_size(self) -> str:
        return str(setting_registry.read(self._ctx.setting, "letter_page_size"))

    def page_setup(self, size: str | None = None) -> PageSetup:
        return PageSetup(size or self.page_size(), self.margins_mm())

    def margins_mm(self) -> float:
        return float(setting_registry.read(self._ctx.setting, "letter_margin_mm"))

    def set_page_setup(self, size: str, margin_mm: float) -> None:
        """The shop's paper for letters: both settings through the one audited setter (one
        transaction, one audit row). Admins only."""
        self._shop.set_many({"letter_page_size": size, "letter_margin_mm": margin_mm})

    # -- filters -------------------------------------------------------------------------------
    def _date_filter(self, value: Any, style: str = "long") -> str:
        return format_date(value, style, self._style.get("date", "dmy"), self._ctx.tz)

    def _money_filter(self, cents: Any, symbol: str | None = None) -> str:
        return format_money(cents, self._style.get("currency", "$") if symbol is None else symbol)


class _Reads(Protocol):
    @property
    def db(self) -> sqlite_utils.Database: ...

    @property
    def tz(self) -> tzinfo: ...


def customers_with_followups_due(desk: _Reads, day: date) -> list[int]:
    """Customers with an open follow-up due on or before `day` (the shop's local day).

    """
    # Stored times are UTC text; the end of the shop's local day is compared in UTC too.
    next_local_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=desk.tz)
    return followup_store.followup_customer_ids(desk.db, iso(next_local_midnight))


def _file_path(uri: str) -> str:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(uri)
    return unquote(parts.path) if parts.scheme == "file" else uri


def _lines_filter(value: Any) -> Markup:
    """Multi-line text (an address) as escaped lines joined by <br>."""
    lines = [line.strip() for line in str(value or "").splitlines() if line.strip()]
    return Markup("<br>").join(escape(line) for line in lines)


def _info(path: Path, user: bool) -> TemplateInfo:
    meta: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(2000)
    except OSError:
        head = ""
    for key, value in _HEADER.findall(head):
        meta.setdefault(key.lower(), value)
    fallback = path.name[: -len(SUFFIX)].replace("_", " ").replace("-", " ").capitalize()
    return TemplateInfo(
        path.name, meta.get("title") or fallback, meta.get("description", ""), path, user,
        meta.get("kind", "").strip().casefold() == "marketing",
    )


def _customer_fields(c: Customer, region: str) -> dict[str, Any]:
    phone = c.phones[0] if c.phones else None
    return {
        "id": c.id,
        "name": c.greeting_name or c.display_name,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "preferred_name": c.preferred_name,
        "full_name": c.full_name or c.display_name,
        "pronouns": c.pronouns,
        "company": c.company,
        "email": c.email,
        "phone": pretty(phone.e164, region)
        if phone and phone.e164
        else (phone.raw if phone else ""),
        "address": c.address,
        "birthday": c.birthday,
        "last_visit": c.last_visit_at or "",
        "visit_count": c.visit_count,
        "customer_since": c.created_at,
    }


def _issue_fields(issue: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if issue is None:
        return None
    fields = dict(_ISSUE_FIELDS)
    fields.update({k: v for k, v in issue.items() if isinstance(k, str)})
    if fields["id"] is not None:
        try:
            fields["id"] = int(fields["id"])
        except (TypeError, ValueError):
            raise UserError("An issue id must be a whole number.") from None
    return fields


def _letter(row: Mapping[str, Any]) -> Letter:
    return Letter(
        id=row["id"],
        customer_id=row["customer_id"],
        template=row["template"],
        title=row["title"],
        html=row["html"],
        page_size=row["page_size"],
        issue_id=row["issue_id"],
        created_at=row["created_at"],
        created_by=row["created_by"],
    )
