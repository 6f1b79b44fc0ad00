"""`csdesk report insights`: the CSV of every chart's numbers and the PDF, read back."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from csdesk.services.desk import Desk
from tests.commands.cli_runner import run
from tests.conftest import FakeClock
from tests.services.insights_fixture import seed
from tests.settings_seam import set_setting

PERIOD = ("--from", "2026-10-19", "--to", "2026-11-01")


@pytest.fixture
def db(desk: Desk, clock: FakeClock, db_path: Path) -> Path:
    seed(desk, clock)
    return db_path


def test_csv_has_the_numbers_behind_every_chart(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "insights.csv"
    code, out, err = run(db, "report", "insights", *PERIOD, "-o", str(path), capsys=capsys)
    assert code == 0, err
    assert "Wrote insights for 19 Oct 2026 – 01 Nov 2026" in out
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["table", "row", "column", "value"]
    cells = {(t, r, c): v for t, r, c, v in rows[1:]}
    assert {t for t, *_ in rows[1:]} == {
        "summary", "visits", "returning", "satisfaction", "issues", "categories", "priorities",
        "goodwill", "followups", "heat", "staff"}
    assert cells[("visits", "2026-10-25", "Phone")] == "2"
    assert cells[("visits", "2026-10-25", "Total")] == "3"
    assert cells[("returning", "2026-10-19", "By returning customers")] == "5"
    assert cells[("satisfaction", "2026-10-19", "Fewer than 5 answers")] == "yes"
    assert cells[("issues", "2026-10-26", "Resolved")] == "1"
    assert cells[("categories", "Product fault", "Overdue now")] == "1"
    assert cells[("goodwill", "lead", "Amount (cents)")] == "1500"
    assert cells[("heat", "Sun", "02")] == "2"
    assert cells[("staff", "Ben", "Visits handled")] == "6"
    assert cells[("summary", "Median hours to resolve", "This period")] == "75"
    assert cells[("summary", "Visits and calls", "Change %")] == "800"  # 9 against 1


def test_plain_staff_get_their_own_numbers_only(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(db, "--staff", "Ben", "report", "insights", *PERIOD, "-o", "-",
                       capsys=capsys)
    assert code == 0
    staff = [r for r in csv.reader(out.splitlines()) if r[0] == "staff"]
    assert {r[1] for r in staff} == {"Ben"}
    code, _, err = run(db, "--staff", "Ben", "report", "insights", *PERIOD, "--member", "Cleo",
                       "-o", "-", capsys=capsys)
    assert code == 4 and "only their own" in err and "Traceback" not in err


def test_bad_dates_say_what_to_do(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(db, "report", "insights", "--from", "2026-11-01", "--to", "2026-10-01",
                       "-o", "-", capsys=capsys)
    assert code == 2 and "must not come before" in err


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_pdf_read_back_and_rendered(
    db: Path, desk: Desk, tmp_path: Path, size: str, capsys: pytest.CaptureFixture[str]
) -> None:
    set_setting(desk, "letter_page_size", size)
    path = tmp_path / f"insights-{size}.pdf"
    code, out, err = run(db, "report", "insights", *PERIOD, "-o", str(path), "--json",
                         capsys=capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["format"] == "pdf" and result["pages"] >= 3
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert ("595 x 842" in info) if size == "A4" else ("612 x 792" in info)
    assert f"Pages:           {result['pages']}" in info
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    for words in ("Insights · 19 Oct 2026 – 01 Nov 2026", "TRAILHEAD OUTFITTERS",
                  "Visits and calls per day, stacked by channel.", "Returning customers",
                  "Satisfaction", "Issues by category", "Follow-ups", "Busiest hours",
                  "Product fault", "times in Europe/Berlin", f"Page 1 of {result['pages']}"):
        assert words in text, words
    # the charts are drawn: each page image has ink well beyond the text's
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == result["pages"]
    from PySide6.QtGui import QImage

    first = QImage(str(pages[0]))
    coloured = sum(
        1 for y in range(0, first.height(), 2) for x in range(0, first.width(), 2)
        if first.pixelColor(x, y).saturation() > 80
    )
    assert coloured > 200  # the stacked bars of the visits chart


def test_empty_period_still_makes_a_report(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.pdf"
    code, _, err = run(db, "report", "insights", "--from", "2026-06-01", "--to", "2026-06-07",
                       "-o", str(path), capsys=capsys)
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Nothing in this period." in text
