"""An import reads its file a line at a time (issue 17: memory flat at any file size), and reads
it exactly as reading it whole did: same rows, same line numbers, same hash, every encoding."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tracemalloc
from pathlib import Path

import pytest

from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.services.importing.plan import FIRST_PAGE_ROWS, open_file
from csdesk.services.importing.readers import decode, iter_csv_lines
from csdesk.services.importing.streaming import StreamedText, iter_csv_stream

CSV_TEXT = (
    "First Name;Last Name;Note\r\n"
    'José;García;"two\r\nlines"\r\n'
    "\r\n"
    "Zoë;Quaglia;plain\r\n"
    'Ana;"Nuñez; Jr";"a\nunix line"\n'
    "Björn;Ek;last, no line end"
)


def whole(data: bytes) -> tuple[list[str], int, list[tuple[int, int, list[str]]]]:
    """What the import read when it read the file whole (before streaming)."""
    header, count, rows = iter_csv_lines(decode(data).replace("\r\n", "\n"))
    return header, count, list(rows)


@pytest.mark.parametrize(
    "data",
    [
        CSV_TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + CSV_TEXT.encode("utf-8"),
        CSV_TEXT.encode("utf-16"),  # with its BOM
        CSV_TEXT.encode("utf-16-le"),  # Excel's "Unicode text" without one
        CSV_TEXT.encode("utf-16-be"),
        CSV_TEXT.encode("cp1252"),  # not UTF-8: é is one byte
        CSV_TEXT.replace(";", "\t").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "cp1252", "tabs"],
)
def test_streamed_rows_are_the_rows_read_whole(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    text = StreamedText.open(path)
    assert text.sha256 == hashlib.sha256(data).hexdigest()
    header, count, rows = iter_csv_stream(text)
    assert (header, count, list(rows)) == whole(data)
    assert header[:2] == ["First Name", "Last Name"] and count == 4


def test_a_utf8_file_with_one_bad_byte_far_in_is_read_as_cp1252_like_before(tmp_path: Path) -> None:
    data = ("Name,Note\n" + "Ana,ok\n" * 300_000).encode() + "Zoë,später\n".encode("cp1252")
    path = tmp_path / "late.csv"
    path.write_bytes(data)
    text = StreamedText.open(path)
    assert text.encoding == "cp1252"
    _header, count, rows = iter_csv_stream(text)
    assert count == 300_001
    assert list(rows)[-1] == whole(data)[2][-1] == (300_002, 300_002, 300_002, ["Zoë", "später"])


def test_a_file_changed_between_the_passes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name\nAna\nBea\n", encoding="utf-8")
    text = StreamedText.open(path)
    path.write_text("Name\nAna\nCid\n", encoding="utf-8")
    with pytest.raises(UserError, match="changed while csdesk read it"):
        iter_csv_stream(text)


def test_an_empty_or_badly_quoted_file_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="empty"):
        iter_csv_stream(StreamedText.open(empty))
    bad = tmp_path / "bad.csv"
    bad.write_text('Name,Note\nAna,"x"y\n' + "Bea,\0\n", encoding="utf-8")
    assert whole(bad.read_bytes())  # the old reader accepted it: so must this one
    assert iter_csv_stream(StreamedText.open(bad))[1] == 2


def test_reading_a_big_file_holds_a_few_megabytes_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Square Customer ID", "First Name", "Last Name", "Email Address", "Phone Number"])
        for i in range(200_000):
            out.writerow([f"SQ{i:08d}", f"First{i}", "Lastname", f"person{i}@example.com", "+1 415 555 0100"])
    size = path.stat().st_size
    assert size > 12_000_000
    tracemalloc.start()
    try:
        source = open_file(path)  # the hash and the count: the whole file read, twice
        first = [next(source.records) for _ in range(1000)]  # and the rows begin
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert source.total == 200_000 and source.fmt == "square"
    assert first[-1].first_name == "First999"
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # Read whole, the bytes and the text alone were twice the file.
    assert peak < size / 3, (peak, size)


def test_vcards_are_still_read(tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    path.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lopez\r\nN:Lopez;Ana;;;\r\nEND:VCARD\r\n")
    source = open_file(path)
    assert source.fmt == "vcard" and source.total == 1
    assert [r.first_name for r in source.records] == ["Ana"]
    assert io.BytesIO(path.read_bytes()).read(5) == b"BEGIN"


def test_the_first_rows_come_before_the_file_is_counted(tmp_path: Path, desk: Desk) -> None:
    # A cell past csv's field limit on the last line: counting the file would fail at once.
    path = tmp_path / "late.csv"
    rows = "".join(f"SQ{i},Ann{i},ann{i}@example.com\n" for i in range(FIRST_PAGE_ROWS + 100))
    path.write_text(
        "Square Customer ID,First Name,Email Address\n" + rows + "SQX,Bea," + "x" * 1_100_000 + "\n",
        encoding="utf-8",
    )
    source = open_file(path)  # no counting pass yet: this does not fail
    assert next(source.records).first_name == "Ann0"
    with pytest.raises(UserError, match="cannot be read"):
        _ = source.total
    desk.auth.act_as_cli()
    shown: list[list[str]] = []
    with pytest.raises(UserError, match="cannot be read"):  # the count after the first page
        desk.imports.preview(
            path, first_page=lambda plan: shown.append([i.name for i in plan.items[:2]])
        )
    assert shown == [["Ann0", "Ann1"]]
