"""Creating, editing and reading customers, with validation and duplicate warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change, Customer, CustomerDraft, Email, Phone
from csdesk.errors import NotFound, UserError, ValidationError
from csdesk.services.conflicts import refused
from csdesk.services.text import clean_line, clean_text, exact_keys, folded_phrase, search_norm
from csdesk.store import audit
from csdesk.store import customers as store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MAX_FIELD = 500
# The draft's text fields, as validate_all reads them (looked up once, not per customer).
_TEXT_FIELDS = tuple(f.name for f in fields(CustomerDraft) if f.type in ("str", str))


@dataclass(frozen=True)
class Duplicate:
    customer_id: int
    display_name: str
    reason: str  # shown to the user: "has the same phone number"


def parse_birthday(text: str) -> str:
    """'1984-03-07' stays; '03-07' or '--03-07' (no year) becomes '--03-07'. Raises on nonsense."""
    value = text.strip()
    if not value:
        return ""
    match = re.fullmatch(r"(?:(\d{4})-|--)?(\d{1,2})-(\d{1,2})", value)
    if not match:
        raise UserError("Write the birthday as YYYY-MM-DD, or MM-DD without a year.", field="birthday")
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    try:
        date(int(year) if year else 2000, month, day)  # 2000 is a leap year: 02-29 is allowed
    except ValueError:
        raise UserError(f"There is no day {value}. Check the month and day.", field="birthday") from None
    return f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


class CustomerService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # -- reading -------------------------------------------------------------------------------
    def not_seen_for(self, days: int, *, limit: int = 100_000) -> list[int]:
        """Ids of customers with no visit, call or note in the last `days` days (a batch group)."""
        if days < 1:
            raise UserError("Give a number of days of at least 1, like 90.")
        from datetime import timedelta

        from csdesk.services.clock import iso

        return store.seen_before(self._ctx.db, iso(self._ctx.clock() - timedelta(days=days)), limit)

    def get(self, customer_id: int) -> Customer:
        row = store.get(self._ctx.db, customer_id)
        if row is None:
            raise NotFound(f"No customer #{customer_id}.")
        phones = store.phones_for(self._ctx.db, [customer_id])[customer_id]
        emails = store.emails_for(self._ctx.db, [customer_id])[customer_id]
        return _customer(row, phones, emails)

    def count(self) -> int:
        return store.count(self._ctx.db)

    def by_phone(self, raw: str) -> list[Customer]:
        """Exact caller-ID lookup: every customer with this number."""
        # phonenumbers only where a number is read: a command that opens a customer, an issue
        # list or the settings does not load its metadata (issue 17)
        from csdesk.services import phone as phone_rules

        e164 = phone_rules.try_e164(raw, self._ctx.region)
        if e164 is None:
            return []
        return [self.get(i) for i in store.ids_by_e164(self._ctx.db, e164)]

    # -- validation ----------------------------------------------------------------------------
    def validate(self, draft: CustomerDraft) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Check what was typed; return the row and phone rows to store, or raise ValidationError."""
        row, phones, _emails = self.validate_all(draft)
        return row, phones

    def validate_all(
        self, draft: CustomerDraft, *, region: str | None = None
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """validate(), and the e-mail rows (the primary first). Errors for the other addresses
        are keyed email1, email2, ... in the order of draft.other_emails. `region`: the shop's
        phone region when the caller already read it (an import validates 100,000 rows)."""
        if region is None and any(raw.strip() for _label, raw in draft.phones):
            region = self._ctx.region  # a setting: read only when there is a number to parse
        return validate_draft(draft, region or "")

    def duplicates(self, draft: CustomerDraft, *, exclude_id: int | None = None) -> list[Duplicate]:
        """Customers this draft may already be: same phone, same e-mail or a very close name."""
        from csdesk.services import phone as phone_rules  # see by_phone

        found: dict[int, str] = {}
        db = self._ctx.db
        for _label, raw in draft.phones:
            e164 = phone_rules.try_e164(raw, self._ctx.region) if raw.strip() else None
            if e164:
                for cid in store.ids_by_e164(db, e164):
                    found.setdefault(cid, f"already has the phone number {raw.strip()}")
        for typed in (draft.email, *(address for _label, address in draft.other_emails)):
            if typed.strip():
                for cid in store.ids_by_email(db, typed.strip().casefold()):
                    found.setdefault(cid, f"already has the e-mail {typed.strip()}")
        key = folded_phrase(f"{draft.first_name} {draft.last_name}")
        if draft.first_name.strip() and draft.last_name.strip():
            phrase = " ".join(f'"{t}"' for t in key.split())
            for cid in store.ids_by_exact_name(db, phrase, key, 1000)[0][:5]:
                found.setdefault(cid, "has the same name")
        found.pop(exclude_id or -1, None)
        return [Duplicate(cid, self.get(cid).display_name, why) for cid, why in found.items()]

    # -- writing -------------------------------------------------------------------------------
    def create(self, draft: CustomerDraft) -> Customer:
        row, phones, emails = self.validate_all(draft)
        now = self._ctx.now_iso()
        actor = self._ctx.actor.id
        row.update(
            created_at=now,
            updated_at=now,
            last_seen_at=now,
            created_by=actor,
            updated_by=actor,
            marketing_consent_at=now if row["marketing_consent"] else None,
        )
        with atomic(self._ctx.db):
            customer_id = store.insert(self._ctx.db, row, phones, emails)
            audit.record(
                self._ctx.db,
                at=now,
                staff_id=actor,
                action="create",
                entity="customer",
                entity_id=customer_id,
                after=_audit_view(row, phones, emails),
                source=self._ctx.source,
            )
        self._ctx.notify(Change("customer", (customer_id,), customer_id))
        return self.get(customer_id)

    def update(
        self, customer_id: int, draft: CustomerDraft, *, version: int | None = None
    ) -> Customer:
        """Save the form. `version`: the one it was read at (Customer.version); a save by
        someone else since raises Conflict saying who, when and what, and changes nothing."""
        before = store.get(self._ctx.db, customer_id)
        if before is None:
            raise NotFound(f"No customer #{customer_id}.")
        before_phones = store.phones_for(self._ctx.db, [customer_id])[customer_id]
        before_emails = store.emails_full(self._ctx.db, [customer_id])[customer_id]
        row, phones, emails = self.validate_all(draft)
        now = self._ctx.now_iso()
        row.update(updated_at=now, updated_by=self._ctx.actor.id)
        if bool(row["marketing_consent"]) != bool(before["marketing_consent"]):
            row["marketing_consent_at"] = now
        else:
            row["marketing_consent_at"] = before["marketing_consent_at"]
        with atomic(self._ctx.db):
            if not store.update(self._ctx.db, customer_id, row, phones, emails, version=version):
                raise refused(self._ctx, "customer", customer_id,
                              what=f"{_name(before)}'s details")
            audit.record(
                self._ctx.db,
                at=now,
                staff_id=self._ctx.actor.id,
                action="update",
                entity="customer",
                entity_id=customer_id,
                before=_audit_view(before, before_phones, before_emails),
                after=_audit_view(row, phones, emails),
                source=self._ctx.source,
            )
            # Read in the save's own transaction: after the commit another counter's next save
            # may already be there, and a form that keeps its own text with that newer version
            # would save over it unseen (3 counters x 500 writes met it: read 21, returned 24).
            saved = self.get(customer_id)
        self._ctx.notify(Change("customer", (customer_id,), customer_id))
        return saved

    @staticmethod
    def draft_of(customer: Customer) -> CustomerDraft:
        """The form contents for editing an existing customer."""
        return CustomerDraft(
            first_name=customer.first_name,
            last_name=customer.last_name,
            preferred_name=customer.preferred_name,
            pronunciation=customer.pronunciation,
            pronouns=customer.pronouns,
            birthday=customer.birthday,
            email=customer.email,
            company=customer.company,
            address=customer.address,
            marketing_consent=customer.marketing_consent,
            phones=tuple((p.label, p.raw) for p in customer.phones),
            email_label=customer.emails[0].label if customer.emails else "",
            other_emails=tuple((e.label, e.address) for e in customer.other_emails),
        )


_AUDITED = ("first_name", "last_name", "preferred_name", "email", "birthday", "company", "address")


def validate_draft(
    draft: CustomerDraft, region: str
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """CustomerService.validate_all with the shop's phone region given: no database needed, so
    an import's helper processes validate rows by the very same rules (importing/pool.py)."""
    from csdesk.services import phone as phone_rules  # see by_phone (0.3 µs a row)

    errors: dict[str, str] = {}
    # Not asdict(): it deep-copies every value, which dominated bulk imports. Controls and bidi
    # overrides are dropped silently, not refused: they are invisible, so a counter could not
    # see what to take out of a typed name, and an import keeps the person (it warns, in
    # importing/staging.py). The address alone may hold several lines.
    texts = {
        name: (clean_text if name == "address" else clean_line)(getattr(draft, name)).strip()
        for name in _TEXT_FIELDS
    }
    for key, value in texts.items():
        if len(value) > MAX_FIELD:
            errors[key] = f"That is too long (at most {MAX_FIELD} characters)."
    email = texts["email"]
    if email and "email" not in errors and not _EMAIL.match(email):
        errors["email"] = f"“{email}” is not a complete e-mail address (like name@example.com)."
    emails = [(draft.email_label, email)] if email else []
    for index, (label, typed) in enumerate(draft.other_emails, start=1):
        address = clean_line(typed).strip()
        if len(address) > MAX_FIELD:
            errors[f"email{index}"] = f"That is too long (at most {MAX_FIELD} characters)."
        elif address and not _EMAIL.match(address):
            errors[f"email{index}"] = (
                f"“{address}” is not a complete e-mail address (like name@example.com)."
            )
        elif address:
            emails.append((label, address))
    email_rows: list[dict[str, Any]] = []
    for label, address in emails:
        folded = address.casefold()
        if folded not in {e["email_norm"] for e in email_rows}:
            email_rows.append(
                {"label": clean_line(label or "other").strip()[:40], "address": address,
                 "email_norm": folded}
            )
    # With the primary cleared, the next address becomes the primary.
    email = email_rows[0]["address"] if email_rows else ""
    birthday = ""
    try:
        birthday = parse_birthday(texts["birthday"])
    except UserError as exc:
        errors["birthday"] = exc.message
    phones: list[dict[str, Any]] = []
    for index, (label, raw) in enumerate(draft.phones):
        if not raw.strip():
            continue
        try:
            norm = phone_rules.normalise(raw, region)
        except UserError as exc:
            errors.setdefault(f"phone{index}", exc.message)
            continue
        phones.append(
            {
                "label": clean_line(label or "mobile").strip()[:40],
                "raw": norm.raw,
                "e164": norm.e164,
                "digits_rev": norm.digits_rev,
                "national": norm.national,
            }
        )
    has_name = any(texts[k] for k in ("first_name", "last_name", "preferred_name", "company"))
    if not errors and not has_name and not email and not phones:
        errors["first_name"] = "Type at least a name, a phone number or an e-mail address."
    if errors:
        raise ValidationError(errors)
    row = {
        "first_name": texts["first_name"],
        "last_name": texts["last_name"],
        "preferred_name": texts["preferred_name"],
        "pronunciation": texts["pronunciation"],
        "pronouns": texts["pronouns"],
        "birthday": birthday,
        "email": email,
        "email_norm": email.casefold(),
        "company": texts["company"],
        "address": texts["address"],
        "marketing_consent": int(draft.marketing_consent),
        "search_norm": search_norm(
            texts["first_name"], texts["last_name"], texts["preferred_name"], email
        ),
        "exact_keys": exact_keys(texts["first_name"], texts["last_name"], texts["preferred_name"]),
    }
    return row, phones, email_rows


def _audit_view(
    row: dict[str, Any], phones: list[dict[str, Any]], emails: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    view = {k: row.get(k) for k in _AUDITED}
    view["marketing_consent"] = bool(row.get("marketing_consent"))
    view["phones"] = [p.get("raw") for p in phones]
    if emails and len(emails) > 1:  # the primary is `email` above
        view["other_emails"] = [e.get("address") for e in emails[1:]]
    return view


def _name(row: dict[str, Any]) -> str:
    return (str(row.get("preferred_name") or row.get("first_name") or "")
            or str(row.get("company") or "") or "this customer")


def _customer(
    row: dict[str, Any], phones: list[dict[str, Any]], emails: list[dict[str, Any]] | None = None
) -> Customer:
    return Customer(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        preferred_name=row["preferred_name"],
        pronunciation=row["pronunciation"],
        pronouns=row["pronouns"],
        birthday=row["birthday"],
        email=row["email"],
        company=row["company"],
        address=row["address"],
        marketing_consent=bool(row["marketing_consent"]),
        marketing_consent_at=row["marketing_consent_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        created_by=row["created_by"],
        updated_by=row["updated_by"],
        last_seen_at=row["last_seen_at"],
        last_visit_at=row["last_visit_at"],
        visit_count=row["visit_count"],
        phones=tuple(Phone(p["raw"], p["e164"], p["label"], p["id"]) for p in phones),
        emails=tuple(Email(e["address"], e["label"], e["id"]) for e in emails or ()),
        version=row.get("version", 1),
    )
