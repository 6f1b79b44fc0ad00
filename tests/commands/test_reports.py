"""`csdesk export daily` and `csdesk handover` as a cron job or a person runs them."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from csdesk.services.desk import Desk
from tests.commands.cli_runner import run
from tests.conftest import FakeClock
from tests.services.reports_helpers import seed_dst_day
from tests.settings_seam import set_setting


@pytest.fixture
def db(desk: Desk, clock: FakeClock, db_path: Path) -> Path:
    seed_dst_day(desk, clock)
    return db_path


def test_export_csv_to_a_file_with_the_default_name(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(db, "export", "daily", "--date", "2026-10-25", capsys=capsys)
    assert code == 0, err
    path = tmp_path / "daily-log-2026-10-25.csv"
    assert "Wrote" in out and path.name in out
    with path.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[1][0] == "2026-10-25T00:00:00+02:00" and table[1][6] == "midnight"


def test_export_to_stdout(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(db, "export", "daily", "--date", "2026-10-25", "-o", "-", capsys=capsys)
    assert code == 0
    rows = list(csv.reader(out.splitlines()))
    assert rows[0][0] == "at" and any(r[6] == "last one" for r in rows)


def test_same_file_as_the_app(
    db: Path, desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(db, "export", "daily", "--date", "2026-10-25", "-o",
                       str(tmp_path / "cli.csv"), capsys=capsys)
    assert code == 0, err
    desk.act_as("Anna")
    desk.report_exports.export_csv(desk.reports.day(date(2026, 10, 25)), tmp_path / "app.csv")
    assert (tmp_path / "cli.csv").read_bytes() == (tmp_path / "app.csv").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--date", "25/10/2026"), "YYYY-MM-DD"),
        (("--date", "2026-02-30"), "There is no 2026-02-30"),
        (("--from", "2026-10-25T08:00"), "both --from and --to"),
        (("--from", "soon", "--to", "2026-10-25"), "--from"),
        (("--date", "2026-10-25", "--from", "2026-10-25", "--to", "2026-10-26"), "not both"),
        (("--format", "docx"), "docx"),
        (("--format", "pdf", "-o", "-"), "Only CSV"),
    ],
)
def test_bad_options_exit_2_without_a_traceback(
    db: Path, args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(db, "export", "daily", *args, capsys=capsys)
    assert code == 2
    assert message in err and "Traceback" not in err + out


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [  # it wrote CSV into day.docx and an xlsx zip into day.csv
        ("day.docx", (), "“day.docx” ends in .docx, which is not a format csdesk writes. Give a "
                         "name ending in .csv, .pdf or .xlsx. Or say which with --format"),
        ("day.csv", ("--format", "xlsx"), "“day.csv” is a .csv name, but the format asked for is "
                                          "xlsx"),
        ("day.PDF", ("--format", "csv"), "Name it “day.csv”. Or leave --format out to write pdf."),
    ],
)
def test_a_name_that_promises_another_format_is_refused(
    db: Path, tmp_path: Path, name: str, options: tuple[str, ...], message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    code, out, err = run(db, "export", "daily", "-o", str(folder / name), *options, capsys=capsys)
    assert code == 2 and message in err and "Traceback" not in err + out
    assert list(folder.iterdir()) == []


def test_a_name_without_a_known_extension_takes_the_format_given(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(db, "export", "daily", "-o", str(tmp_path / "day.txt"), "--format", "csv",
                       capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "day.txt").read_bytes().startswith(b"\xef\xbb\xbfat,")  # CSV, as asked
    code, _, err = run(db, "export", "daily", "-o", str(tmp_path / "plain"), capsys=capsys)
    assert code == 0 and (tmp_path / "plain").read_bytes().startswith(b"\xef\xbb\xbfat,")


def test_staff_member_may_not_export(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(db, "--staff", "Ben", "export", "daily", "--date", "2026-10-25",
                       "-o", str(tmp_path / "x.csv"), capsys=capsys)
    assert code == 4
    assert "Ben is staff and cannot export" in err and "shift lead" in err
    assert not (tmp_path / "x.csv").exists()
    code, _, err = run(db, "--staff", "Anna", "export", "daily", "--date", "2026-10-25",
                       "-o", str(tmp_path / "x.csv"), capsys=capsys)
    assert code == 0 and (tmp_path / "x.csv").exists()


def test_unwritable_target_exits_1(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(db, "export", "daily", "-o", str(blocker / "a" / "b.csv"), capsys=capsys)
    # One rule for every command (issue 13.8): a missing folder is refused by name, not created.
    assert code == 1 and err.startswith(f"csdesk: The folder {blocker / 'a'} does not exist")


def test_xlsx_and_pdf(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(db, "export", "daily", "--date", "2026-10-25", "-o",
                         str(tmp_path / "day.xlsx"), "--json", capsys=capsys)
    assert code == 0, err
    assert '"format": "xlsx"' in out and (tmp_path / "day.xlsx").read_bytes()[:2] == b"PK"
    code, out, err = run(db, "export", "daily", "--date", "2026-10-25", "--format", "pdf",
                         "-o", str(tmp_path / "day.pdf"), capsys=capsys)
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "day.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "TRAILHEAD OUTFITTERS" in text and "Trailhead Outfitters" in text  # header, footer
    assert "Page 1 of 1" in text
    assert "José García" in text and "Zoë Quaglia-Obst" in text  # a long name may wrap
    assert "a 25-hour day" in text
    assert "Sunday 25 October 2026" in text
    check = Desk.open(db)
    exports = check.db.execute(
        "SELECT s.name, a.after FROM audit a JOIN staff s ON s.id = a.staff_id"
        " WHERE a.entity = 'daily_log' AND a.action = 'export' ORDER BY a.id"
    ).fetchall()
    check.close()
    assert [e[0] for e in exports] == ["Command line", "Command line"]
    assert '"format": "xlsx"' in exports[0][1] and '"format": "pdf"' in exports[1][1]


def test_pdf_of_many_pages_numbers_them(
    desk: Desk, clock: FakeClock, db_path: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from csdesk.domain import Channel, CustomerDraft
    from tests.services.reports_helpers import utc

    set_setting(desk, "shop_name", "Corner & <Shop>")
    clock.now = utc(2026, 11, 30, 8, 0)
    cid = desk.customers.create(CustomerDraft(first_name="Ada", last_name="<b>Lovelace</b>")).id
    for i in range(150):
        desk.visits.log(cid, channel=Channel.PHONE, purpose=f"call {i}",
                               at=utc(2026, 11, 30, 8, i % 60))
    code, _, err = run(db_path, "export", "daily", "--date", "2026-11-30", "-o",
                       str(tmp_path / "many.pdf"), capsys=capsys)
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(tmp_path / "many.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.count("\f")
    assert pages >= 3
    assert f"Page {pages} of {pages}" in text and "Page 2 of" in text
    # escaped, so shown as typed (never bold, never "&lt;")
    assert "Corner & <Shop>" in text and "<b>Lovelace</" in text and "&lt;" not in text


def test_handover_from_the_command_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(db, "handover", "Till 2 sticks", capsys=capsys)
    assert code == 4 and "cannot write the handover note" in err
    code, out, _ = run(db, "--staff", "Anna", "handover", "Till 2 sticks", "--shift", "late",
                       capsys=capsys)
    assert code == 0 and "next person" in out
    code, out, _ = run(db, "handover", "--show", capsys=capsys)
    assert code == 0 and "Till 2 sticks" in out and "From Anna for late" in out
    code, out, _ = run(db, "handover", "--show", "--json", capsys=capsys)
    assert '"body": "Till 2 sticks"' in out


def test_export_imports_no_qt_for_csv(db: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from csdesk.cli import main\n"
        "try:\n"
        f"    main(['--db', {str(db)!r}, 'export', 'daily', '-o', {str(tmp_path / 'a.csv')!r}])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent.parent)
