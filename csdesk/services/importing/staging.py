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
from csdesk.services.text import clean_line, clean_text, has_hidden

# The validated row, its phone rows and its e-mail rows (CustomerService.validate_all).
Valid = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]
# One row ready to be planned: the Record, its item so far and its validated values.
Staged = tuple[Record, PlanItem, Valid | None]


def stage(rec: Record, region: str) -> tuple[PlanItem, Valid | None]:
    """The row's item and its validated values; None when it is skipped already."""
    hidden = _drop_hidden(rec)
    item = PlanItem(rec.line, "skip", _display(rec), warnings=[shorten(w, 240) for w in rec.warnings])
    item.warnings += hidden
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


_ONE_LINE = ("first_name", "last_name", "preferred_name", "pronouns", "company")
_WORDS = {"first_name": "first name", "last_name": "last name", "preferred_name": "preferred name"}


def _drop_hidden(rec: Record) -> list[str]:
    """Take invisible controls and bidi overrides (a NUL, U+202E) out of the row, in place, and
    say where: the person is kept (validate_draft would drop them silently, a typed form has no
    preview), but the preview tells the shop its file held them. One search of the joined
    texts, so a clean row (nearly all of them) costs one regex call."""
    texts = [getattr(rec, name) for name in _ONE_LINE]
    texts += [rec.address, rec.note, *rec.emails, *(raw for _label, raw in rec.phones)]
    if not has_hidden("".join(texts)):
        return []
    where = [_WORDS.get(name, name) for name in _ONE_LINE if has_hidden(getattr(rec, name))]
    for name in _ONE_LINE:
        setattr(rec, name, clean_line(getattr(rec, name)))
    for name in ("address", "note"):
        if has_hidden(getattr(rec, name)):
            where.append(name)
            setattr(rec, name, clean_text(getattr(rec, name)))
    if any(has_hidden(e) for e in rec.emails):
        where.append("e-mail")
        rec.emails = [clean_line(e) for e in rec.emails]
    if any(has_hidden(raw) for _label, raw in rec.phones):
        where.append("phone")
        rec.phones = [(label, clean_line(raw)) for label, raw in rec.phones]
    return [f"invisible control characters removed from the {', '.join(where)}"]


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
    """The validation messages as one reason: clauses without their full stops (the faces end
    the line: "That is too long (at most 500 characters).." was printed), and a form's "That"
    named, because a row has no field with the cursor in it."""
    return "; ".join(dict.fromkeys(_clause(key, message) for key, message in exc.errors.items()))


def _clause(key: str, message: str) -> str:
    if message.startswith("That "):
        message = f"The {key.replace('_', ' ')} " + message[len("That "):]
    # One final stop dropped; "+ ( ) - ." keeps its listed "." (a space before it).
    return message[:-1] if message.endswith(".") and not message.endswith(" .") else message


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
