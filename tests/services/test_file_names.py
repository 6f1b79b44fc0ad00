"""The save-name rule: the typed name is kept, the extension only appended (services/file_names.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.services.file_names import FormatMismatch, format_for, save_target, with_extension


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("Letter to Mr. Brown", "Letter to Mr. Brown.pdf"),  # with_suffix made it "Letter to Mr.pdf"
        ("Thanks.Maria", "Thanks.Maria.pdf"),  # ... and "Thanks.pdf"
        ("Plain", "Plain.pdf"),
        ("report.PDF", "report.PDF"),  # already ends with it, in any case: left alone
        ("archive.pdf.bak", "archive.pdf.bak.pdf"),
    ],
)
def test_the_extension_is_appended_never_swapped_in(tmp_path: Path, typed: str, saved: str) -> None:
    assert with_extension(tmp_path / typed, (".pdf",)) == tmp_path / saved


def test_any_accepted_extension_is_kept_and_the_first_is_added() -> None:
    kinds = (".json", ".html", ".htm")
    assert with_extension(Path("Ada.Smith"), kinds) == Path("Ada.Smith.json")
    assert with_extension(Path("Ada.HTM"), kinds) == Path("Ada.HTM")


def test_replacing_is_agreed_only_for_the_name_the_dialog_confirmed(tmp_path: Path) -> None:
    (tmp_path / "Thanks.pdf").write_text("OLD IMPORTANT PDF")
    (tmp_path / "Plain.pdf").write_text("old")
    typed_exactly = save_target(tmp_path / "Thanks.pdf", (".pdf",))
    assert typed_exactly.path == tmp_path / "Thanks.pdf"
    assert typed_exactly.overwrite and not typed_exactly.ask_first  # the dialog asked about it
    changed_new = save_target(tmp_path / "Thanks.Maria", (".pdf",))
    assert changed_new.path == tmp_path / "Thanks.Maria.pdf"
    assert not changed_new.overwrite and not changed_new.ask_first  # a file appearing is refused
    changed_existing = save_target(tmp_path / "Plain", (".pdf",))
    assert changed_existing.path == tmp_path / "Plain.pdf"
    assert changed_existing.ask_first and not changed_existing.overwrite
    assert changed_existing.agreed().overwrite and not changed_existing.agreed().ask_first


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("day.csv", None, "csv"),
        ("day.XLSX", None, "xlsx"),
        ("day", None, "csv"),  # no extension: the default
        ("Letter to Mr. Brown", None, "csv"),  # ". Brown" is no extension
        ("day.txt", "pdf", "pdf"),  # asked for explicitly: an unknown extension may carry it
        ("day.pdf", "pdf", "pdf"),
    ],
)
def test_the_format_a_name_promises(name: str, fmt: str | None, expected: str) -> None:
    assert format_for(name, fmt, ("csv", "pdf", "xlsx"), default="csv") == expected


def test_a_name_that_promises_another_format_is_refused() -> None:
    with pytest.raises(FormatMismatch) as wrong:
        format_for("out/day.csv", "xlsx", ("csv", "pdf", "xlsx"), default="csv")
    assert wrong.value.extension == "csv" and "Name it “day.xlsx”" in str(wrong.value)
    with pytest.raises(FormatMismatch) as unknown:
        format_for("day.docx", None, ("csv", "pdf", "xlsx"), default="csv")
    assert unknown.value.wanted is None and ".csv, .pdf or .xlsx" in str(unknown.value)
