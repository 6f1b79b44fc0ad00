"""The part of planning a row that needs no database: the row's item (its name, the file's
warnings) and its validated values, or why it is skipped. The serial preview calls `stage`
for each row; for a big file the helper processes of pool.py call the very same function, so
both ways plan a row by the same rules.
"""

from __future__ import annotations

import re
from typing import Any

from csdesk.domain import CustomerDraft
from csdesk.errors import ValidationError
from csdesk.services.customers import validate_draft
from csdesk.services.importing.items import PlanItem
from csdesk.services.importing.records import Record, shorten

# The validated row, its phone rows and its e-mail rows (CustomerService.validate_all).
Valid = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]
# One row ready to be planned: the Record, its item so far and its validated values.
Staged = tuple[Record, PlanItem, Valid | None]


def stage(rec: Record, region: str) -> tuple[PlanItem, Valid | None]:
    """The row's item and its validated values; None when it is skipped already."""
    item = PlanItem(rec.line, "skip", _display(rec), warnings=[shorten(w, 240) for w in rec.warnings])
    if rec.problem:
        item.reason = rec.problem
        return item, None
    if not rec.has_content:
        item.reason = "no name and no contact details"
        return item, None
    try:
        return item, _validate(rec, item, region)
    except ValidationError as exc:
        item.reason = shorten(reason(exc), 240)
        return item, None


def _validate(rec: Record, item: PlanItem, region: str) -> Valid:
    """Validate the row, leaving out single bad values (a phone, an e-mail) with a warning
    rather than losing the whole person; raises only when nothing usable is left."""
    emails = list(zip(rec.email_labels, rec.emails, strict=True))
    phones = list(rec.phones)
    dropped: list[str] = []
    while True:
        draft = _draft(rec, bool(rec.consent), emails, phones)
        try:
            valid = validate_draft(draft, region)
        except ValidationError as exc:
            bad_phones = {int(k[5:]) for k in exc.errors if re.fullmatch(r"phone\d+", k)}
            bad_emails = {
                0 if k == "email" else int(k[5:]) for k in exc.errors if re.fullmatch(r"email\d*", k)
            }
            bad_emails &= set(range(len(emails)))
            if not bad_phones and not bad_emails:
                if dropped:  # what is left is not a customer: say why, value by value
                    raise ValidationError({"row": "; ".join(dropped)}) from exc
                raise
            for index in sorted(bad_phones):
                dropped.append(
                    f"phone “{shorten(phones[index][1], 40)}” left out: "
                    + _value_problem(exc.errors[f"phone{index}"])
                )
            for index in sorted(bad_emails):
                message = exc.errors["email" if index == 0 else f"email{index}"]
                dropped.append(
                    f"e-mail “{shorten(emails[index][1], 40)}” left out: {_value_problem(message)}"
                )
            phones = [p for i, p in enumerate(phones) if i not in bad_phones]
            emails = [e for i, e in enumerate(emails) if i not in bad_emails]
            continue
        item.warnings += dropped
        return valid


def _display(rec: Record) -> str:
    name = " ".join(p for p in (rec.first_name, rec.last_name) if p)
    return shorten(
        name
        or rec.preferred_name
        or rec.company
        or (rec.emails[:1] or [""])[0]
        or (rec.phones[0][1] if rec.phones else f"row {rec.line}")
    )


def reason(exc: ValidationError) -> str:
    return "; ".join(dict.fromkeys(exc.errors.values()))


def _draft(
    rec: Record, consent: bool, emails: list[tuple[str, str]], phones: list[tuple[str, str]]
) -> CustomerDraft:
    """The row as a draft, with the (label, address) e-mails and phones still kept."""
    return CustomerDraft(
        first_name=rec.first_name,
        last_name=rec.last_name,
        preferred_name=rec.preferred_name,
        pronouns=rec.pronouns,
        birthday=rec.birthday,
        email=emails[0][1] if emails else "",
        email_label=emails[0][0] if emails else "",
        other_emails=tuple(emails[1:]),
        company=rec.company,
        address=rec.address,
        marketing_consent=consent,
        phones=tuple(phones),
    )


def _value_problem(message: str) -> str:
    """A validation message without the value it quotes (the warning names the value once)."""
    return shorten(re.sub(r"^“[^”]*” ", "it ", message), 160)
