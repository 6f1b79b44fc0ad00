"""Customers out to CSV and vCard 4.0.

CSV columns (stable; new columns are only ever appended):
  csdesk_id, first_name, last_name, preferred_name, pronouns, birthday, email,
  phone_1, phone_1_label, phone_2, phone_2_label, phone_3, phone_3_label, other_phones,
  company, address, marketing_consent (yes/no), created_at, last_visit_at, visit_count,
  email_label, email_2, email_2_label, email_3, email_3_label, other_emails
(email is the primary address; other_emails holds the fourth and later, joined by " ::: ").
Written as UTF-8 with a BOM so Excel picks the encoding; a cell that a spreadsheet could run as
a formula (starting with = @ tab CR, or + - followed by anything but a phone number or a
no-year birthday) gets a leading apostrophe so it shows as text. Phone numbers and birthdays go
out as written, so other tools import them without an apostrophe. The importer strips the
apostrophe again, so export -> import is lossless.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csdesk.errors import UserError
from csdesk.services.auth import Permission, require
from csdesk.store import customers as store
from csdesk.store.files import AtomicFile

if TYPE_CHECKING:
    from csdesk.services.context import Context

CSV_COLUMNS = (
    "csdesk_id",
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "birthday",
    "email",
    "phone_1",
    "phone_1_label",
    "phone_2",
    "phone_2_label",
    "phone_3",
    "phone_3_label",
    "other_phones",
    "company",
    "address",
    "marketing_consent",
    "created_at",
    "last_visit_at",
    "visit_count",
    "email_label",
    "email_2",
    "email_2_label",
    "email_3",
    "email_3_label",
    "other_emails",
)
PAGE = 2000
Progress = Callable[[int, int], bool]


# A phone number with its country code and a birthday without a year start with + or -, yet
# cannot run as a formula: digits and phone punctuation hold no function, name or reference.
# Only these go out bare, so Google Contacts, Square and Shopify read them as written.
_PHONE = re.compile(r"\+\d[\d ()./-]*")
_NO_YEAR_DATE = re.compile(r"--\d{2}-?\d{2}")


def neutralise(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection), and nothing more."""
    first = value[:1]
    if first in ("=", "@", "\t", "\r"):
        return "'" + value
    if first in ("+", "-") and not (
        (_PHONE.fullmatch(value) and sum(c.isdigit() for c in value) >= 7) or _NO_YEAR_DATE.fullmatch(value)
    ):
        return "'" + value
    return value


Rows = list[dict[str, Any]]


def _customers(ctx: Context) -> Iterator[tuple[dict[str, Any], Rows, Rows]]:
    after = 0
    while True:
        page = store.export_page(ctx.db, after, PAGE)
        if not page:
            return
        ids = [r["id"] for r in page]
        phones = store.phones_for(ctx.db, ids)
        emails = store.emails_for(ctx.db, ids)
        for row in page:
            yield row, phones[row["id"]], emails[row["id"]]
        after = page[-1]["id"]


def _csv_row(row: dict[str, Any], phones: Rows, emails: Rows | None = None) -> list[str]:
    cells: list[str] = [str(row["id"])]
    cells += [
        row[k] or "" for k in ("first_name", "last_name", "preferred_name", "pronouns", "birthday", "email")
    ]
    for i in range(3):
        cells += [phones[i]["raw"], phones[i]["label"]] if i < len(phones) else ["", ""]
    cells.append(" ::: ".join(p["raw"] for p in phones[3:]))
    cells += [
        row["company"],
        row["address"],
        "yes" if row["marketing_consent"] else "no",
        row["created_at"],
        row["last_visit_at"] or "",
        str(row["visit_count"]),
    ]
    emails = emails or []
    cells.append(emails[0]["label"] if emails else "")
    for i in (1, 2):
        cells += [emails[i]["address"], emails[i]["label"]] if i < len(emails) else ["", ""]
    cells.append(" ::: ".join(e["address"] for e in emails[3:]))
    return [neutralise(str(c)) for c in cells]


def _vcard_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 6350 3.2: lines longer than 75 octets are folded (without splitting a character)."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > 75:
            out.append(current)
            current = " " + ch
        else:
            current += ch
    out.append(current)
    return "\r\n".join(out)


_TEL_TYPES = {"mobile": "cell", "home": "home", "work": "work", "fax": "fax", "main": "voice"}


_EMAIL_TYPES = {"home": "home", "work": "work"}


def _vcard(row: dict[str, Any], phones: Rows, emails: Rows | None = None) -> str:
    e = _vcard_escape
    # FN is required; a nameless customer gets their company, e-mail or number, which the
    # importer recognises as not-a-name.
    full = (
        " ".join(p for p in (row["first_name"], row["last_name"]) if p)
        or row["preferred_name"]
        or row["company"]
        or row["email"]
        or (phones[0]["raw"] if phones else f"Customer {row['id']}")
    )
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"FN:{e(full)}",
        f"N:{e(row['last_name'])};{e(row['first_name'])};;;",
    ]
    if row["preferred_name"]:
        lines.append(f"NICKNAME:{e(row['preferred_name'])}")
    if row["pronouns"]:
        lines.append(f"PRONOUNS:{e(row['pronouns'])}")
    if row["company"]:
        lines.append(f"ORG:{e(row['company'])}")
    addresses = emails if emails else [{"address": row["email"], "label": ""}] if row["email"] else []
    for pref, address in enumerate(addresses, start=1):
        kind = _EMAIL_TYPES.get(address["label"])
        params = (f';TYPE="{kind}"' if kind else "") + (";PREF=1" if pref == 1 and len(addresses) > 1 else "")
        lines.append(f"EMAIL{params}:{e(address['address'])}")
    for p in phones:
        kind = _TEL_TYPES.get(p["label"], "voice")
        lines.append(f'TEL;TYPE="{kind}":{e(p["raw"])}')
    if row["birthday"]:
        b = row["birthday"]
        lines.append(f"BDAY:--{b[2:4]}{b[5:7]}" if b.startswith("--") else f"BDAY:{b.replace('-', '')}")
    if row["address"]:
        lines.append(f"ADR:;;{e(row['address'])};;;;")
    lines.append(f"X-CSDESK-MARKETING-CONSENT:{'yes' if row['marketing_consent'] else 'no'}")
    lines.append(f"UID:urn:csdesk:customer:{row['id']}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


class ExportService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def to_csv(
        self, path: Path | str, progress: Progress | None = None, *, overwrite: bool = False
    ) -> int:
        return self._write(Path(path), "csv", progress, overwrite)

    def to_vcard(
        self, path: Path | str, progress: Progress | None = None, *, overwrite: bool = False
    ) -> int:
        return self._write(Path(path), "vcard", progress, overwrite)

    def _write(self, path: Path, fmt: str, progress: Progress | None, overwrite: bool) -> int:
        require(self._ctx.actor, Permission.EXPORT)
        total = store.count(self._ctx.db)
        done = 0
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        # store.files: a half-written export never replaces a good one, nor lands on a device.
        # newline='' lets csv write CRLF itself; vCard lines carry their own CRLF.
        with (
            AtomicFile(path, overwrite=overwrite) as out,
            out.open("w", encoding=encoding, newline="") as fh,
        ):
            writer = csv.writer(fh) if fmt == "csv" else None
            if writer:
                writer.writerow(CSV_COLUMNS)
            for row, phones, emails in _customers(self._ctx):
                if writer:
                    writer.writerow(_csv_row(row, phones, emails))
                else:
                    fh.write(_vcard(row, phones, emails))
                done += 1
                if progress and done % PAGE == 0 and progress(done, total) is False:
                    raise UserError("Export cancelled; no file was written.")
        self._record(fmt, done)
        return done

    def _record(self, fmt: str, rows: int) -> None:
        """Everyone's personal data leaves the building: the audit log says who took it, once the
        file exists."""
        self._ctx.audit("export", "customers", after={"format": fmt, "rows": rows})
