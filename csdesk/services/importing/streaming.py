"""A file read as text a line at a time, never held whole (issue 17: an import's memory stays
flat at any file size; a 200 MB file read with read_bytes + decode held ~600 MB of bytes and text).

`StreamedText.open(path)` makes one pass over the bytes in chunks: the SHA-256 (what a resumed
import checks the file against) and the encoding, chosen as readers.decode chooses it (BOMs,
UTF-16 without a BOM, UTF-8 if every byte decodes, else Windows' cp1252). Each later pass
(`lines()`) reads the file again and hashes it again: a file that changed between the passes
is refused rather than planned from two different versions.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from csdesk.errors import UserError
from csdesk.services.importing.readers import unreadable

CHUNK = 1 << 20  # bytes a read: memory per pass is a few of these, whatever the file's size


class _Hashing(io.RawIOBase):
    """The file's bytes, hashed as they go by."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.sha.update(data)
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _encoding_of(head: bytes) -> str:
    """readers.decode's choice from the first bytes (UTF-8 is checked over the whole file)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be"
    return "utf-8"


@dataclass
class StreamedText:
    path: Path
    encoding: str
    errors: str
    sha256: str

    @classmethod
    def open(cls, path: Path) -> StreamedText:
        sha = hashlib.sha256()
        with path.open("rb") as fh:
            head = fh.read(4)
            encoding = _encoding_of(head)
            utf8 = codecs.getincrementaldecoder("utf-8")() if encoding == "utf-8" else None
            chunk = head
            while chunk:
                sha.update(chunk)
                if utf8 is not None:
                    try:
                        utf8.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = None  # the fallback below maps almost every byte
                        encoding = "cp1252"
                chunk = fh.read(CHUNK)
            if utf8 is not None:
                try:
                    utf8.decode(b"", final=True)
                except UnicodeDecodeError:
                    encoding = "cp1252"
        return cls(path, encoding, "replace" if encoding == "cp1252" else "strict", sha.hexdigest())

    def _stream(self) -> tuple[IO[str], _Hashing]:
        raw = _Hashing(self.path.open("rb"))
        text = io.TextIOWrapper(
            io.BufferedReader(raw, CHUNK), encoding=self.encoding, errors=self.errors, newline=""
        )
        return text, raw

    def head(self, chars: int) -> str:
        text, _raw = self._stream()
        with text:
            return text.read(chars)

    def read(self) -> str:
        """The whole text, with one line ending (a vCard file: read whole, as cards span lines)."""
        text, raw = self._stream()
        with text:
            whole = text.read()
        self._check(raw)
        return whole.replace("\r\n", "\n")

    def lines(self) -> Iterator[str]:
        """The lines as io.StringIO(text, newline="") gives them after the text's "\\r\\n" became
        "\\n" (what the CSV reader read when the file was read whole)."""
        text, raw = self._stream()
        with text:
            for line in text:
                yield line[:-2] + "\n" if line.endswith("\r\n") else line
        self._check(raw)

    def _check(self, raw: _Hashing) -> None:
        if raw.sha.hexdigest() != self.sha256:
            raise UserError(f"{self.path.name} changed while csdesk read it. Preview it again.")


def _csv_reader(lines: Iterator[str]) -> tuple[list[str], Any]:
    """readers._reader over lines: the delimiter the header uses, the header, the rows."""
    first: list[str] = []
    for line in lines:  # the header line as text.split("\n", 1)[0] saw it
        first.append(line)
        if line.endswith("\n"):
            break
    first_line = "".join(first).removesuffix("\n")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","

    def again() -> Iterator[str]:
        yield from first
        yield from lines

    reader = csv.reader(again(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise UserError("The file is empty. Choose the file your old system exported.") from None
    except csv.Error as exc:
        raise UserError(f"This CSV file cannot be read ({exc}). Re-export it and try again.") from exc
    return [h.strip().lstrip("\ufeff") for h in header], reader


def iter_csv_stream(
    source: StreamedText,
) -> tuple[list[str], int, Iterator[tuple[int, int, int, list[str]]]]:
    """readers.iter_csv_lines for a streamed file: the header, how many rows there are (a first
    pass, in C), and the rows one by one (a second pass). A file that cannot be read says so
    here, before any row is used."""
    header, count, rows = open_csv_stream(source)
    return header, count(), rows


def open_csv_stream(
    source: StreamedText,
) -> tuple[list[str], Callable[[], int], Iterator[tuple[int, int, int, list[str]]]]:
    """iter_csv_stream with the count left for later: `count()` makes the counting pass when it
    is called (a preview asks after its first page: ~1.4 s for 300,000 rows that the first rows
    no longer wait for). A file that cannot be read says so there, or when its rows reach it."""
    header, _reader = _csv_reader(source.lines())

    def count() -> int:
        _header, reader = _csv_reader(source.lines())
        counted = 0
        try:
            for row in reader:
                if "".join(row).strip():
                    counted += 1
        except csv.Error as exc:
            raise unreadable(reader, exc) from exc
        return counted

    def each() -> Iterator[tuple[int, int, int, list[str]]]:
        # (row, first line, last line, cells): `row` as readers.iter_csv_lines, the number a
        # spreadsheet shows, blank lines counted (they were not: a bad phone on row 5 after a
        # blank line was reported as row 4, and the user fixed the wrong row).
        _header, reader = _csv_reader(source.lines())
        width = len(header)
        last = reader.line_num
        try:
            for number, row in enumerate(reader, start=2):
                first, last = last + 1, reader.line_num
                if "".join(row).strip():
                    yield number, first, last, row + [""] * (width - len(row))
        except csv.Error as exc:
            raise unreadable(reader, exc) from exc

    return header, count, each()
