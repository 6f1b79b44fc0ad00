"""Bytes to text (any common encoding), text to CSV rows, text to vCards."""

from __future__ import annotations

import codecs
import csv
import io
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from csdesk.errors import UserError

FIELD_LIMIT = 1_000_000  # characters in one cell; a memo is far shorter
csv.field_size_limit(FIELD_LIMIT)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's 'Unicode text'), else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    # UTF-16 without BOM: every other byte of ASCII text is NUL.
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        return data.decode("utf-16-le")
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        return data.decode("utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows' Western code page: the usual source of undecodable exports. It maps almost
        # every byte, so this fallback keeps 'é' from older Excel files readable.
        return data.decode("cp1252", errors="replace")


def read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows. Comma, semicolon (European Excel) or tab, whichever the header uses."""
    header, rows = read_csv_lines(text)
    return header, [cells for _row, _first, _last, cells in rows]


def read_csv_lines(text: str) -> tuple[list[str], list[tuple[int, int, int, list[str]]]]:
    """Header and (row, first line, last line, cells) per row that is not blank. `row` is the row
    number a spreadsheet shows (the header is row 1, a blank line is a row too); a row spanning
    several lines is either a multi-line cell (a memo) or an unclosed quote that swallowed the
    rows after it."""
    header, _count, rows = iter_csv_lines(text)
    return header, list(rows)


def _reader(text: str) -> tuple[list[str], Any]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise UserError("The file is empty. Choose the file your old system exported.") from None
    except csv.Error as exc:
        raise unreadable(reader, exc) from exc
    return [h.strip().lstrip("\ufeff") for h in header], reader


def unreadable(reader: Any, exc: csv.Error) -> UserError:
    """The csv module's error in csdesk's words, with the line to look at: its own ("field
    larger than field limit (1000000)") reached the user as it was."""
    line = f"Line {reader.line_num} of this CSV file cannot be read"
    if "field limit" in str(exc):
        return UserError(
            f"{line}: it has a cell of more than {FIELD_LIMIT:,} characters, and no customer "
            "field is that long. Usually a quote (\") before it is never closed and took in the "
            "rest of the file: close that quote, or shorten the cell, and import it again."
        )
    return UserError(
        f"{line}: its quotes or separators are broken. Re-export the file, or fix that line, "
        "and import it again."
    )


def iter_csv_lines(text: str) -> tuple[list[str], int, Iterator[tuple[int, int, int, list[str]]]]:
    """read_csv_lines without holding every row: the header, how many rows there are, and the
    rows one by one. A file that cannot be read says so here, before any row is used."""
    header, reader = _reader(text)
    count = 0
    try:
        for row in reader:  # a quick pass in C: the total for progress, and bad quoting found now
            if "".join(row).strip():
                count += 1
    except csv.Error as exc:
        raise unreadable(reader, exc) from exc

    def rows() -> Iterator[tuple[int, int, int, list[str]]]:
        _header, reader = _reader(text)
        width = len(header)
        last = reader.line_num
        try:
            for number, row in enumerate(reader, start=2):
                first, last = last + 1, reader.line_num
                if "".join(row).strip():
                    yield number, first, last, row + [""] * (width - len(row))
        except csv.Error as exc:
            raise unreadable(reader, exc) from exc

    return header, count, rows()


# -- vCard (RFC 2426 = 3.0, RFC 6350 = 4.0; 2.1's quoted-printable read too) --------------------
@dataclass
class VProperty:
    name: str
    params: dict[str, list[str]] = field(default_factory=dict)
    value: str = ""

    @property
    def types(self) -> list[str]:
        return [t.casefold() for t in self.params.get("type", [])]


_PROP = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", re.DOTALL)


def _unfold(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\n[ \t]", "", text)  # folded continuation lines
    lines: list[str] = []
    for line in text.split("\n"):
        # 2.1 quoted-printable soft line breaks end with '='
        if lines and lines[-1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1].upper():
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
    return lines


def _params(text: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for part in re.findall(r';((?:[^;"]|"[^"]*")*)', text):
        key, sep, value = part.partition("=")
        if not sep:  # 2.1: ';CELL' means TYPE=CELL
            key, value = "type", key
        values = [v.strip('"') for v in re.findall(r'(?:[^,"]|"[^"]*")+', value)]
        params.setdefault(key.casefold(), []).extend(values)
    return params


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text, flags=re.DOTALL)


def split_structured(text: str, sep: str = ";") -> list[str]:
    """Split on unescaped separators, then unescape each part."""
    parts = re.split(r"(?<!\\)" + re.escape(sep), text)
    # A '\\' before the separator is an escaped backslash, not an escaped separator.
    return [unescape(p) for p in parts]


def read_vcards(text: str) -> list[tuple[list[VProperty], bool]]:
    """Every card as (properties, closed). A card without its END:VCARD (a file cut off, or the
    next card begun) is kept with closed=False, so the import lists it as skipped with the
    reason: dropping it silently lost a contact nobody was told about."""
    cards: list[tuple[list[VProperty], bool]] = []
    current: list[VProperty] | None = None
    for line in _unfold(text):
        if not line.strip():
            continue
        match = _PROP.match(line)
        if not match:
            continue
        name, raw_params, value = match.group(1).upper(), match.group(2), match.group(3)
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            if current is not None:
                cards.append((current, False))
            current = []
            continue
        if name == "END" and value.strip().upper() == "VCARD":
            if current is not None:
                cards.append((current, True))
            current = None
            continue
        if current is None:
            continue
        params = _params(raw_params)
        if "quoted-printable" in (e.casefold() for e in params.get("encoding", [])):
            charset = (params.get("charset") or ["utf-8"])[0]
            value = quopri.decodestring(value.encode("ascii", "replace")).decode(charset, "replace")
        current.append(VProperty(name, params, value))
    if current is not None:
        cards.append((current, False))
    if not cards:
        raise UserError("No contacts found in this vCard file (no BEGIN:VCARD … END:VCARD).")
    return cards
