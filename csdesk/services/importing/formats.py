"""Which export a CSV header comes from, and how its columns become a Record.

Header names follow each system's published export/import documentation: Square's customer
directory export, Shopify's customer export and import template (old 'Accepts Marketing' and
newer 'Accepts Email Marketing' / 'Default Address …' variants), Google Contacts (the 2023+
'First Name … Phone 1 - Label' layout and the older 'Given Name … Phone 1 - Type' one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from csdesk.errors import UserError
from csdesk.services.importing import records as r
from csdesk.services.importing.readers import VProperty, split_structured, unescape
from csdesk.services.text import fold

FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "name",
    "pronouns",
    "birthday",
    "email",
    "phone",
    "company",
    "address",
    "consent",
    "unsubscribed",
    "note",
)
FORMATS = ("auto", "square", "shopify", "google", "vcard", "csv", "csdesk")


@dataclass
class Mapping:
    """field -> [(column index, phone label)]; several columns may feed one field."""

    fmt: str
    columns: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # Google pairs: (value column, label column) for phones and e-mails.
    phone_pairs: list[tuple[int, int | None]] = field(default_factory=list)
    email_pairs: list[tuple[int, int | None]] = field(default_factory=list)
    one_line: list[int] | None = None  # columns that never hold a line break (see _run_on)

    def add(self, fieldname: str, index: int, label: str = "") -> None:
        self.columns.setdefault(fieldname, []).append((index, label))

    @property
    def useful(self) -> bool:
        keys = set(self.columns)
        return bool(
            keys & {"first_name", "last_name", "name", "email", "phone", "company"}
            or self.phone_pairs
            or self.email_pairs
        )


def _key(name: str) -> str:
    """'E-mail 1 - Value' -> 'e mail 1 value'; 'Prénom' -> 'prenom'."""
    return re.sub(r"[^a-z0-9]+", " ", fold(name)).strip()


# Known headers per format: normalised column name -> (field, phone label)
SQUARE = {
    "first name": ("first_name", ""),
    "last name": ("last_name", ""),
    "email address": ("email", ""),
    "phone number": ("phone", "mobile"),
    "nickname": ("preferred_name", ""),
    "company name": ("company", ""),
    "street address 1": ("address", ""),
    "street address 2": ("address", ""),
    "city": ("address", ""),
    "state": ("address", ""),
    "postal code": ("address", ""),
    "birthday": ("birthday", ""),
    "memo": ("note", ""),
    "email subscription status": ("consent", ""),
    "email unsubscribed": ("unsubscribed", ""),
}
SHOPIFY = {
    "first name": ("first_name", ""),
    "last name": ("last_name", ""),
    "email": ("email", ""),
    "phone": ("phone", "mobile"),
    "default address phone": ("phone", "home"),
    "company": ("company", ""),
    "default address company": ("company", ""),
    "address1": ("address", ""),
    "address2": ("address", ""),
    "city": ("address", ""),
    "province": ("address", ""),
    "zip": ("address", ""),
    "country": ("address", ""),
    "default address address1": ("address", ""),
    "default address address2": ("address", ""),
    "default address city": ("address", ""),
    "default address province code": ("address", ""),
    "default address zip": ("address", ""),
    "default address country code": ("address", ""),
    "accepts marketing": ("consent", ""),
    "accepts email marketing": ("consent", ""),
    "note": ("note", ""),
}
GOOGLE = {
    "first name": ("first_name", ""),
    "given name": ("first_name", ""),
    "last name": ("last_name", ""),
    "family name": ("last_name", ""),
    "name": ("name", ""),
    "nickname": ("preferred_name", ""),
    "organization name": ("company", ""),
    "organization 1 name": ("company", ""),
    "birthday": ("birthday", ""),
    "notes": ("note", ""),
    "address 1 formatted": ("address", ""),
}
CSDESK = {
    "csdesk id": ("csdesk_id", ""),
    "first name": ("first_name", ""),
    "last name": ("last_name", ""),
    "preferred name": ("preferred_name", ""),
    "pronouns": ("pronouns", ""),
    "birthday": ("birthday", ""),
    "company": ("company", ""),
    "address": ("address", ""),
    "marketing consent": ("consent", ""),
    "other emails": ("email", ""),
    "other phones": ("phone", "other"),
}
# Any other CSV: common header words people use, for a first guess the user can correct.
_ALIAS_WORDS = (
    ("first_name", "", "first name|firstname|first|given name|forename|vorname|prenom|nombre"),
    ("last_name", "", "last name|lastname|surname|family name|nachname|nom|apellido|apellidos"),
    ("name", "", "name|full name|customer name|contact name|customer"),
    ("preferred_name", "", "nickname|preferred name|known as"),
    ("email", "", "email|e mail|email address|e mail address|mail"),
    ("phone", "mobile", "phone|mobile|cell|phone number|mobile phone|telephone|tel|telefon"),
    ("phone", "home", "home phone"),
    ("phone", "work", "work phone|business phone"),
    ("birthday", "", "birthday|birth date|date of birth|dob|birthdate"),
    ("company", "", "company|organization|organisation|company name"),
    ("address", "", "address|street|city|zip|postcode|postal code|state|country"),
    ("consent", "", "marketing consent|accepts marketing|newsletter|opt in|subscribed"),
    ("note", "", "note|notes|memo|comment|comments"),
)
ALIASES = {word: (fieldname, label) for fieldname, label, words in _ALIAS_WORDS for word in words.split("|")}


def detect(header: list[str]) -> str:
    keys = {_key(h) for h in header}
    if "csdesk id" in keys:
        return "csdesk"
    if "square customer id" in keys or {"email address", "phone number", "reference id"} <= keys:
        return "square"
    if keys & {"accepts email marketing", "accepts marketing", "default address address1"} or (
        {"first name", "last name", "email", "address1", "province code"} <= keys
    ):
        return "shopify"
    if any(re.fullmatch(r"(phone|e mail) \d+ value", k) for k in keys):
        return "google"
    return "csv"


def _columns_are(header: list[str]) -> str:
    """The file's header as one short, printable line: a header of a thousand columns, or the
    bytes of a file that is not text at all (a spreadsheet's .xlsx renamed .csv), must not flood
    the terminal or put control characters in it."""
    text = " ".join(header)
    if "\ufffd" in text or any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
        return "It does not look like a CSV text file: export it again as CSV (UTF-8)."
    shown = [r.shorten(h, 40) for h in header[:12]]
    more = f" and {len(header) - 12:,} more" if len(header) > 12 else ""
    return f"Its columns are: {', '.join(shown)}{more}."


def mapping_for(fmt: str, header: list[str], explicit: dict[str, str] | None = None) -> Mapping:
    """The column mapping for `fmt`; `explicit` ('Column' -> field) wins over any guess."""
    mapping = Mapping(fmt)
    known = {"square": SQUARE, "shopify": SHOPIFY, "google": GOOGLE, "csdesk": CSDESK}
    table = known.get(fmt, ALIASES)
    if explicit:
        by_name = {_key(h): i for i, h in enumerate(header)}
        for column, target in explicit.items():
            target_field, _, label = target.partition(":")
            if target_field not in FIELDS:
                raise UserError(
                    f"“{target_field}” is not a field csdesk knows. Use one of: {', '.join(FIELDS)}."
                )
            if _key(column) not in by_name:
                raise UserError(f"The file has no column “{column}”. {_columns_are(header)}")
            mapping.add(target_field, by_name[_key(column)], label or "mobile")
        return mapping
    for index, name in enumerate(header):
        key = _key(name)
        if fmt == "google":
            m = re.fullmatch(r"(phone|e mail) (\d+) value", key)
            if m:
                label_index = next(
                    (
                        i
                        for i, h in enumerate(header)
                        if _key(h) in (f"{m.group(1)} {m.group(2)} label", f"{m.group(1)} {m.group(2)} type")
                    ),
                    None,
                )
                pairs = mapping.phone_pairs if m.group(1) == "phone" else mapping.email_pairs
                pairs.append((index, label_index))
                continue
        if fmt == "csdesk" and re.fullmatch(r"email(?: \d+)?", key):
            # email + email_label (the primary), email_2 + email_2_label, ...: value and label
            label_index = next((i for i, h in enumerate(header) if _key(h) == f"{key} label"), None)
            mapping.email_pairs.append((index, label_index))
            continue
        if fmt == "csdesk" and re.fullmatch(r"phone \d+", key):
            label_index = next((i for i, h in enumerate(header) if _key(h) == f"{key} label"), None)
            mapping.phone_pairs.append((index, label_index))
            continue
        if key in table:
            fieldname, label = table[key]
            mapping.add(fieldname, index, label)
    if not mapping.useful:
        raise UserError(
            "csdesk cannot tell which column holds what in this file. Say it with a mapping, "
            "e.g. --map 'Client=name,Tel=phone,Mail=email'."
        )
    return mapping


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


# Columns that never hold a line break in a real export: one there means an unclosed quote
# swallowed the rows after it (memos and addresses may have line breaks of their own).
_ONE_LINE_FIELDS = ("first_name", "last_name", "name", "preferred_name", "email", "phone")


def _one_line_columns(mapping: Mapping) -> list[int]:
    indexes = [i for f in _ONE_LINE_FIELDS for i, _label in mapping.columns.get(f, ())]
    return indexes + [i for i, _label in (*mapping.phone_pairs, *mapping.email_pairs)]


def _run_on(mapping: Mapping, row: list[str]) -> bool:
    if mapping.one_line is None:  # worked out once per file, not once per row
        mapping.one_line = _one_line_columns(mapping)
    width = len(row)
    # Almost every row has no line break in any of these cells: one test in C says so.
    if "\n" not in "".join(row[i] for i in mapping.one_line if i < width):
        return False
    return any(i < width and "\n" in row[i].strip() for i in mapping.one_line)


def csv_record(mapping: Mapping, row: list[str], line: int, lines: tuple[int, int] | None = None) -> r.Record:
    """One CSV row as a Record; `lines` is the first and last line of the file it was read from."""
    rec = r.Record(line=line)
    cols = mapping.columns
    width = len(row)
    if _run_on(mapping, row):
        start, end = lines or (line, line)
        rec.problem = (
            f'a quote (") opened on line {start} of the file is not closed, so lines {start}-{end}'
            " were read as one row. Close the quote (or remove it) and import the file again"
        )
        return rec

    clean = r.clean

    def first(fieldname: str) -> str:
        for i, _label in cols.get(fieldname, ()):
            if i < width:
                cell = row[i]
                if cell:
                    value = clean(cell)
                    if value:
                        return value
        return ""

    def every(fieldname: str) -> list[str]:
        return [clean(row[i]) for i, _label in cols.get(fieldname, ()) if i < width and row[i]]

    rec.first_name, rec.last_name = first("first_name"), first("last_name")
    if not (rec.first_name or rec.last_name):
        name = first("name")
        if name:
            rec.first_name, rec.last_name = r.split_full_name(name)
    rec.preferred_name, rec.pronouns = first("preferred_name"), first("pronouns")
    if "csdesk_id" in cols:
        source_id = first("csdesk_id")
        if source_id.isdigit():
            rec.source_id = int(source_id)
    rec.company = first("company")
    if "note" in cols:
        rec.note = "\n".join(v for v in every("note") if v)
    if "address" in cols:
        rec.address = r.join_address(*every("address"))
    # Labelled pairs first: in our own export they hold the primary, "other_emails" the rest.
    for value_index, label_index in mapping.email_pairs:
        label = _cell(row, label_index) if label_index is not None else ""
        rec.add_email(_cell(row, value_index), label)
    for i, _label in cols.get("email", []):
        rec.add_email(_cell(row, i))
    for i, label in cols.get("phone", []):
        rec.add_phone(label, _cell(row, i))
    for value_index, label_index in mapping.phone_pairs:
        label = r.phone_label(_cell(row, label_index)) if label_index is not None else "mobile"
        rec.add_phone(label, _cell(row, value_index))
    bday = first("birthday")
    if bday:
        parsed = r.birthday(bday)
        if parsed is None:
            rec.warnings.append(f"birthday “{bday}” could not be read and was left out")
        else:
            rec.birthday = parsed
    consent = first("consent")
    if consent:
        rec.consent = r.consent(consent)
    else:
        unsubscribed = first("unsubscribed")
        if unsubscribed:
            unsub = r.consent(unsubscribed)
            rec.consent = None if unsub is None else not unsub
    return rec


def vcard_record(props: list[VProperty], line: int, *, closed: bool = True) -> r.Record:
    rec = r.Record(line=line)
    full_name = ""
    for prop in props:
        name = prop.name
        if name == "N":
            parts = [*split_structured(prop.value), "", ""]
            rec.last_name = r.clean(parts[0].replace(",", " "))
            given = [p for p in (parts[1], parts[2]) if p.strip()]
            rec.first_name = r.clean(" ".join(given[:1]))
        elif name == "FN":
            full_name = r.clean(unescape(prop.value))
        elif name == "NICKNAME":
            rec.preferred_name = r.clean(split_structured(prop.value, ",")[0])
        elif name == "ORG":
            rec.company = r.clean(split_structured(prop.value)[0])
        elif name == "EMAIL":
            rec.add_email(unescape(prop.value), ",".join(prop.types))
        elif name == "TEL":
            value = unescape(prop.value).strip()
            if value.casefold().startswith("tel:"):
                value = value[4:].split(";")[0]
            rec.add_phone(r.phone_label(",".join(prop.types)), value)
        elif name == "BDAY":
            parsed = r.birthday(unescape(prop.value))
            if parsed is None:
                rec.warnings.append(f"birthday “{prop.value}” could not be read and was left out")
            else:
                rec.birthday = parsed
        elif name == "ADR" and not rec.address:
            parts = split_structured(prop.value) + [""] * 7
            pobox, ext, street, city, region, code, country = parts[:7]
            rec.address = r.join_address(pobox, ext, street, city, f"{region} {code}".strip(), country)
        elif name == "NOTE":
            rec.note = r.clean(unescape(prop.value))
        elif name == "PRONOUNS":
            rec.pronouns = r.clean(unescape(prop.value))
        elif name == "X-CSDESK-MARKETING-CONSENT":
            rec.consent = r.consent(prop.value)
    # Contacts without a person's name often repeat the company, e-mail or number as FN.
    not_a_name = {rec.company, *rec.emails, *(raw for _label, raw in rec.phones)}
    if not (rec.first_name or rec.last_name) and full_name and full_name not in not_a_name:
        rec.first_name, rec.last_name = r.split_full_name(full_name)
    if not closed:  # what it holds may be cut off half-way: skipped and said, as a broken CSV row
        rec.problem = (
            "this contact has no END:VCARD (the file was cut off, or the next contact begins "
            "inside it), so it may be incomplete. Complete the file and import it again"
        )
    return rec
