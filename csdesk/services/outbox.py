"""Letters by e-mail through the shop's own mail server, and the outbox that never loses one.
Qt-free; the sending itself is services/outbox_sender.py.

Queueing: an e-mail is written to the outbox in the same transaction as its letter record, so
the timeline never shows a letter e-mailed whose message is not waiting to go (nor the other way
round). Who may get what: a marketing letter (template `{# kind: marketing #}`) only with
marketing consent, and it carries List-Unsubscribe and a line saying how to stop them; service
letters need no consent. No address, a malformed one or an erased customer: skipped, with the
reason in the batch report.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change
from csdesk.errors import NotFound, UserError
from csdesk.services import mail_secret
from csdesk.services.auth import Permission, require
from csdesk.services.rendering import Progress, Renderer
from csdesk.store import audit
from csdesk.store import outbox as store
from csdesk.store.db import atomic
from csdesk.store.rows import Row

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.customers import CustomerService
    from csdesk.services.letters import Letter, LetterService, Prepared, TemplateInfo
    from csdesk.services.mail_build import (
        Outgoing,
        Sender,
    )
    from csdesk.services.mail_transport import SmtpConfig


@dataclass(frozen=True)
class EmailDraft:
    """A letter ready to go as an e-mail; nothing is recorded until it is queued."""

    prepared: Prepared
    to_address: str
    to_name: str
    subject: str
    html: str
    text: str
    marketing: bool
    attachment_name: str = ""
    attachment: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class QueueReport:
    queued: tuple[int, ...]  # outbox ids
    letters: tuple[int, ...]  # the letters recorded with them
    skipped: tuple[tuple[int, str], ...]  # (customer id, why)
    cancelled: bool = False


class OutboxService:
    def __init__(
        self, ctx: Context, *, letters: Callable[[], LetterService], customers: CustomerService
    ) -> None:
        """`letters` gives the letter service when it is first needed: counting and listing the
        outbox (the window's status bar does it at start) need no templates, and building
        the letter service loads the template engine."""
        self._ctx = ctx
        self._letters_of = letters
        self._customers = customers

    @cached_property
    def _letters(self) -> LetterService:
        return self._letters_of()

    # -- settings ------------------------------------------------------------------------------
    def _read(self, key: str) -> Any:
        from csdesk.services.setting_registry import read

        return read(self._ctx.setting, key)

    def sender(self) -> Sender:
        from csdesk.services.mail_build import Sender
        address = str(self._read("mail_from_address"))
        if not address:
            raise UserError(
                "No sender address is set for e-mail. An admin sets it in Settings ▸ E-mail or "
                "with `csdesk settings mail_from_address shop@example.com`."
            )
        name = str(self._read("mail_from_name")) or str(self._read("shop_name"))
        return Sender(name=name, address=address, reply_to=str(self._read("mail_reply_to")))

    def smtp_config(self, *, with_password: bool = True) -> SmtpConfig:
        from csdesk.services.mail_transport import DEFAULT_PORTS, SmtpConfig
        host, user = str(self._read("smtp_host")), str(self._read("smtp_user"))
        security = str(self._read("smtp_security"))
        port = int(self._read("smtp_port")) or DEFAULT_PORTS[security]
        password = mail_secret.load(host, user) if with_password and user else ""
        return SmtpConfig(host=host, port=port, security=security, user=user, password=password)

    def set_password(self, password: str) -> None:
        """Into the keychain for the server and user now set; audited without the password."""
        require(self._ctx.actor, Permission.MANAGE_SETTINGS)
        config = self.smtp_config(with_password=False)
        mail_secret.store(config.host, config.user, password)
        self._ctx.audit(
            "update", "setting",
            after={"smtp_password": "stored in the keychain" if password else "removed"},
        )

    def is_configured(self) -> bool:
        return bool(self._read("smtp_host")) and bool(self._read("mail_from_address"))

    # -- composing -----------------------------------------------------------------------------
    def compose(
        self,
        template: str,
        customer_id: int,
        *,
        issue: Mapping[str, Any] | None = None,
        renderer: Renderer | None = None,
        attach_pdf: bool = False,
    ) -> EmailDraft:
        """The e-mail a letter makes, for a preview and for queueing. A customer who may not
        or cannot get it raises UserError saying why."""
        return self._compose(self._letters.template(template), customer_id, issue=issue,
                             renderer=renderer, attach_pdf=attach_pdf)

    def _compose(
        self, info: TemplateInfo, customer_id: int, *, issue: Mapping[str, Any] | None,
        renderer: Renderer | None, attach_pdf: bool,
    ) -> EmailDraft:
        from csdesk.services.mail_build import html_to_text, subject_of, valid_address, with_stop_line
        customer = self._customers.get(customer_id)  # NotFound for an erased customer
        address = customer.email.strip()
        if not address:
            raise UserError(f"{customer.display_name or 'This customer'} has no e-mail address.")
        if not valid_address(address):
            raise UserError(f"“{address}” is not a valid e-mail address; correct it on the customer.")
        if info.marketing and not customer.marketing_consent:
            raise UserError(
                f"{customer.display_name or 'This customer'} has not agreed to marketing e-mail, "
                f"and “{info.title}” is one."
            )
        prepared = self._letters.prepare(info.name, customer_id, issue=issue)
        html, text = prepared.html, html_to_text(prepared.html)
        if info.marketing:
            html, text = with_stop_line(html, text)
        attachment: bytes | None = None
        name = ""
        if attach_pdf:
            if renderer is None:
                raise UserError("A PDF attachment needs the letter renderer.")
            attachment = self._pdf(renderer, prepared)
            name = f"{info.name.removesuffix('.html.j2').replace('_', '-')}.pdf"
        return EmailDraft(
            prepared=prepared,
            to_address=address,
            to_name=customer.full_name or customer.display_name,
            subject=subject_of(prepared.html, prepared.title),
            html=html,
            text=text,
            marketing=info.marketing,
            attachment_name=name,
            attachment=attachment,
        )

    def _pdf(self, renderer: Renderer, prepared: Prepared) -> bytes:
        from csdesk.services.letter_output import draw_pdf

        with tempfile.TemporaryDirectory(prefix="csdesk-mail-") as folder:
            path = Path(folder) / "letter.pdf"
            draw_pdf(renderer, [prepared.html], path,
                     self._letters.page_setup(prepared.page_size), prepared.title)
            return path.read_bytes()

    # -- queueing ------------------------------------------------------------------------------
    def queue(self, drafts: Sequence[EmailDraft]) -> QueueReport:
        """Record the letters and queue their e-mail in one transaction."""
        require(self._ctx.actor, Permission.LOG)
        if not drafts:
            return QueueReport((), (), ())
        domain = self.sender().domain
        now = self._ctx.now_iso()
        queued: list[int] = []

        def put_in_outbox(letters: list[Letter]) -> None:
            rows = [self._row(d, letter, domain, now) for d, letter in zip(drafts, letters, strict=True)]
            ids = store.insert_many(self._ctx.db, rows)
            for outbox_id, row in zip(ids, rows, strict=True):
                audit.record(
                    self._ctx.db, at=now, staff_id=self._ctx.actor.id, action="queue",
                    entity="email", entity_id=outbox_id,
                    after={"to": row["to_address"], "subject": row["subject"],
                           "letter_id": row["letter_id"], "message_id": row["message_id"],
                           "attachment": row["attachment_name"],
                           "html_sha256": hashlib.sha256(row["html"].encode()).hexdigest()},
                    source=self._ctx.source,
                )
            queued.extend(ids)

        letters = self._letters.record_many([d.prepared for d in drafts], within=put_in_outbox)
        self._ctx.notify(Change("outbox", tuple(queued)))
        return QueueReport(tuple(queued), tuple(x.id for x in letters), ())

    def queue_one(
        self, template: str, customer_id: int, *, issue: Mapping[str, Any] | None = None,
        renderer: Renderer | None = None, attach_pdf: bool = False,
    ) -> int:
        """Compose and queue; returns the outbox id."""
        draft = self.compose(template, customer_id, issue=issue, renderer=renderer,
                             attach_pdf=attach_pdf)
        return self.queue([draft]).queued[0]

    def queue_batch(
        self,
        template: str,
        customer_ids: Sequence[int],
        *,
        renderer: Renderer | None = None,
        attach_pdf: bool = False,
        progress: Progress | None = None,
    ) -> QueueReport:
        """A letter by e-mail to each customer who may get it; the others are reported with
        the reason. A broken template stops at the first letter with its own message."""
        from csdesk.services.letters import TemplateProblem

        require(self._ctx.actor, Permission.LOG)
        self.sender()  # no sender address: say so before composing hundreds of letters
        info = self._letters.template(template)  # looked up once for the whole batch
        drafts: list[EmailDraft] = []
        skipped: list[tuple[int, str]] = []
        total = len(customer_ids)
        cancelled = False
        for index, customer_id in enumerate(customer_ids):
            if progress is not None and progress(index, total) is False:
                cancelled = True
                break
            try:
                drafts.append(self._compose(info, customer_id, issue=None, renderer=renderer,
                                            attach_pdf=attach_pdf))
            except TemplateProblem:
                if not drafts and not skipped:
                    raise
                skipped.append((customer_id, "the template could not be filled in for them"))
            except UserError as exc:  # first: a template gone meanwhile is a NameNotFound too
                skipped.append((customer_id, exc.message))
            except NotFound:
                skipped.append((customer_id, f"there is no customer #{customer_id} (erased?)"))
        report = self.queue(drafts) if drafts and not cancelled else QueueReport((), (), ())
        if progress is not None and not cancelled:
            progress(total, total)
        return replace(report, skipped=tuple(skipped), cancelled=cancelled)

    def _row(self, draft: EmailDraft, letter: Letter, domain: str, now: str) -> dict[str, Any]:
        from csdesk.services.mail_build import new_message_id
        return {
            "customer_id": letter.customer_id,
            "letter_id": letter.id,
            "to_address": draft.to_address,
            "to_name": draft.to_name,
            "subject": draft.subject,
            "html": draft.html,
            "text_body": draft.text,
            "attachment_name": draft.attachment_name,
            "attachment": draft.attachment,
            "marketing": int(draft.marketing),
            "message_id": new_message_id(domain),
            "state": "queued",
            "next_attempt_at": now,
            "created_at": now,
            "created_by": self._ctx.actor.id,
            "updated_at": now,
        }

    # -- the outbox ----------------------------------------------------------------------------
    def listing(self, *, states: Sequence[str] | None = None, limit: int = 200) -> list[Row]:
        for state in states or ():
            if state not in store.STATES:
                raise UserError(f"“{state}” is not an outbox state: {', '.join(store.STATES)}.")
        return store.listing(self._ctx.db, states=states, limit=limit)

    def counts(self) -> dict[str, int]:
        return store.counts(self._ctx.db)

    def pending_count(self) -> int:
        return store.pending_count(self._ctx.db)

    def get(self, outbox_id: int) -> Row:
        row = store.get(self._ctx.db, outbox_id)
        if row is None:
            raise NotFound(f"There is no e-mail #{outbox_id} in the outbox.")
        return row

    def outgoing(self, row: Row) -> Outgoing:
        from csdesk.services.mail_build import Outgoing
        return Outgoing(
            to_address=row["to_address"], to_name=row["to_name"], subject=row["subject"],
            html=row["html"], text=row["text_body"], message_id=row["message_id"],
            attachment_name=row["attachment_name"], attachment=row["attachment"],
            marketing=bool(row["marketing"]),
        )

    def retry(self, outbox_id: int) -> None:
        """A failed e-mail goes again at the next send (a queued one goes now)."""
        self._move(outbox_id, "queued", ("failed", "queued"), "retry",
                   "Only a failed or queued e-mail can be retried; #{id} is {state}.")

    def cancel(self, outbox_id: int) -> None:
        self._move(outbox_id, "cancelled", ("queued", "failed"), "cancel",
                   "Only a queued or failed e-mail can be cancelled; #{id} is {state}.")

    def _move(self, outbox_id: int, to: str, allowed: tuple[str, ...], action: str, refusal: str) -> None:
        require(self._ctx.actor, Permission.LOG)
        row = self.get(outbox_id)
        now = self._ctx.now_iso()
        with atomic(self._ctx.db):
            if not store.set_state(self._ctx.db, outbox_id, to=to, allowed=allowed, now=now):
                raise UserError(refusal.format(id=outbox_id, state=row["state"]))
            audit.record(self._ctx.db, at=now, staff_id=self._ctx.actor.id, action=action,
                         entity="email", entity_id=outbox_id, before={"state": row["state"]},
                         after={"state": to}, source=self._ctx.source)
        self._ctx.notify(Change("outbox", (outbox_id,), row["customer_id"]))
