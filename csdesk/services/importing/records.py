"""One imported contact, whatever file it came from, and the cleaning rules all formats share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# Google Contacts puts several values in one cell separated by ' ::: '.
MULTI_SEPARATOR = re.compile(r"\s*:::\s*")


@dataclass(slots=True)
class Record:
    """A contact as read from a file, before validation. `line` is the 1-based row/card number."""

    line: int
    first_name: str = ""
    last_name: str = ""
    preferred_name: str = ""
    pronouns: str = ""
    birthday: str = ""
    emails: list[str] = field(default_factory=list)
    email_labels: list[str] = field(default_factory=list)  # home, work, other: one per address
    phones: list[tuple[str, str]] = field(default_factory=list)  # (label, as written)
    company: str = ""
    address: str = ""
    consent: bool | None = None  # None: the file says nothing about marketing consent
    note: str = ""
    warnings: list[str] = field(default_factory=list)
    source_id: int | None = None  # csdesk_id in our own export: the customer in that database
    problem: str = ""  # set when the row cannot be trusted at all (it is skipped with this)

    def add_email(self, text: str, label: str = "") -> None:
        if not text:
            return
        for part in split_multi(text):
            if part.casefold() not in (e.casefold() for e in self.emails):
                self.emails.append(part)
                self.email_labels.append(email_label(label))

    def add_phone(self, label: str, text: str) -> None:
        if not text:
            return
        for part in split_multi(text):
            if part not in (raw for _label, raw in self.phones):
                self.phones.append((label or "mobile", part))

    @property
    def has_content(self) -> bool:
        return bool(
            self.first_name
            or self.last_name
            or self.preferred_name
            or self.company
            or self.emails
            or self.phones
        )


ECHO_CHARS = 80


def shorten(text: str, limit: int = ECHO_CHARS) -> str:
    """What a report echoes of a value from the file: one line, at most `limit` characters.

    A file can hold a 50 MB "name"; the preview and the CLI show its start, never all of it.
    """
    one_line = " ".join(text[: limit * 4].split())
    return one_line if len(one_line) <= limit and len(text) <= limit * 4 else one_line[: limit - 1] + "…"


def clean(text: str | None) -> str:
    """Trim, and drop the apostrophe spreadsheets put before numbers and dates to keep them text."""
    if not text:
        return ""
    value = text.strip()
    if value[:1] == "'" and value[1:2] and value[1] in "+0123456789=-@(":
        value = value[1:]
    return value


def split_multi(text: str) -> list[str]:
    return [clean(p) for p in MULTI_SEPARATOR.split(text or "") if clean(p)]


def email_label(text: str) -> str:
    """An address's kind from whatever the file calls it ('* Work', 'INTERNET,HOME', 'Other')."""
    value = text.casefold()
    if "work" in value:
        return "work"
    if "home" in value:
        return "home"
    return "other"


def phone_label(text: str) -> str:
    """A phone's kind from whatever the file calls it ('Mobile', 'CELL', '* Work', 'voice,home')."""
    value = text.casefold()
    for needle, label in (
        ("cell", "mobile"),
        ("mobile", "mobile"),
        ("iphone", "mobile"),
        ("work", "work"),
        ("home", "home"),
        ("fax", "fax"),
        ("main", "main"),
    ):
        if needle in value:
            return label
    return "other" if value.strip("* ") else "mobile"


_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}


def birthday(text: str, *, month_first: bool = True) -> str | None:
    """'YYYY-MM-DD' or '--MM-DD' from the shapes exports use; None when it cannot be read.

    Accepts 1984-03-07, 19840307, --0307, --03-07, 03-07, 03/07/1984, 1984-03-07T00:00:00Z,
    'Mar 7, 1984'. Slashed dates are read month first (US exports) unless told otherwise.
    """
    value = clean(text)
    if not value:
        return ""
    value = value.split("T")[0] if re.match(r"^\d{4}-?\d{2}-?\d{2}T", value) else value
    patterns: list[tuple[str, str]] = [
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
        (r"(\d{4})(\d{2})(\d{2})", "ymd"),
        (r"--(\d{2})-?(\d{2})", "md"),
        (r"(\d{1,2})-(\d{1,2})", "md"),
        (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", "mdy" if month_first else "dmy"),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
    ]
    for pattern, order in patterns:
        m = re.fullmatch(pattern, value)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        month, day = int(parts["m"]), int(parts["d"])
        if order in ("mdy", "dmy") and month > 12 >= day:
            month, day = day, month  # 25/12/1980 can only be day first
        try:
            date(2000, month, day)  # a leap year, so 02-29 without a year is fine
        except ValueError:
            return None
        year = parts.get("y")
        if year and year in ("0000", "1604"):  # Apple and Google write these for "no year"
            year = None
        return f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
    m = re.fullmatch(r"([A-Za-z]{3,9})\.? (\d{1,2})(?:, (\d{4}))?", value)
    if m and m.group(1).casefold() in _MONTHS:
        month, day = _MONTHS[m.group(1).casefold()], int(m.group(2))
        return f"{m.group(3)}-{month:02d}-{day:02d}" if m.group(3) else f"--{month:02d}-{day:02d}"
    return None


def consent(text: str) -> bool | None:
    """Marketing consent as exports write it; None when the cell is empty or unknown."""
    value = clean(text).casefold()
    if value in (
        "yes",
        "y",
        "true",
        "1",
        "subscribed",
        "opted_in",
        "opted in",
        "confirmed_opt_in",
        "ja",
        "oui",
        "si",
        "sí",
    ):
        return True
    if value in (
        "no",
        "n",
        "false",
        "0",
        "unsubscribed",
        "not_subscribed",
        "opted_out",
        "opted out",
        "never subscribed",
        "pending",
        "redacted",
        "invalid",
    ):
        return False
    return None


def join_address(*parts: str) -> str:
    return ", ".join(p for p in (clean(x) for x in parts) if p)


def split_full_name(text: str) -> tuple[str, str]:
    """'José García Márquez' -> ('José', 'García Márquez'): the first word is the given name."""
    words = clean(text).split()
    if not words:
        return "", ""
    return words[0], " ".join(words[1:])
