"""Letter PDFs drawn by the Qt renderer, read back with poppler: names present, no template
syntax left, the right page count."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.domain import CustomerDraft
from csdesk.render.qt import QtRenderer
from csdesk.services.desk import Desk
from csdesk.services.letter_output import draw_pdf
from csdesk.services.rendering import PageSetup
from tests.settings_seam import set_setting


def write_pdf(htmls: list[str], out: Path, setup: PageSetup) -> int:
    return draw_pdf(QtRenderer(), htmls, out, setup, "Letter")


def run_batch(desk: Desk, *args: object, **kwargs: object) -> object:
    return desk.letter_output.run_batch(QtRenderer(), *args, **kwargs)  # type: ignore[arg-type]


def pdf_text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return unicodedata.normalize("NFKC", text)  # the PDF may use ligatures such as "ﬁ"


def run_cli(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def customers(desk: Desk) -> list[int]:
    set_setting(desk, "shop_name", "Harbour Lane Outfitters")
    set_setting(desk, "shop_phone", "(207) 555-0142")
    names = [("Zoë", "Ó Súilleabháin"), ("Ada", "Byron"), ("<b>Bob</b> & Co", "")]
    return [
        desk.customers.create(CustomerDraft(first_name=f, last_name=last)).id for f, last in names
    ]


def test_every_bundled_template_to_pdf(desk: Desk, customers: list[int], tmp_path: Path) -> None:
    for info in desk.letters.templates():
        resolved = {"id": 1, "title": "Zip", "resolved_at": "2026-11-30T10:00:00+00:00"}
        letter = desk.letters.produce(info.name, customers[0], issue=resolved)
        out = tmp_path / f"{info.name}.pdf"
        assert write_pdf([letter.html], out, PageSetup("A4")) == 1
        text = pdf_text(out)
        assert "Zoë Ó Súilleabháin" in text
        assert "Harbour Lane Outfitters" in text
        assert "{{" not in text and "{%" not in text
        assert pdf_pages(out) == 1


def test_several_letters_one_pdf_each_on_its_own_page(
    desk: Desk, customers: list[int], tmp_path: Path
) -> None:
    out = tmp_path / "batch.pdf"
    result = run_batch(desk, "thank_you", [*customers, 999], out)
    assert len(result.letters) == 3 and result.failed[0][0] == 999
    assert pdf_pages(out) == 3
    pages = pdf_text(out).split("\f")
    assert "Zoë" in pages[0] and "Ada Byron" in pages[1] and "<b>Bob</b> & Co" in pages[2]
    assert not list(tmp_path.glob("*.part"))


def test_one_pdf_per_customer(desk: Desk, customers: list[int], tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()  # a folder the person chose: it exists
    result = run_batch(desk, "we_miss_you", customers, tmp_path / "out")
    assert len(result.files) == 3
    for path in result.files:
        assert pdf_pages(path) == 1
    assert "Ada Byron" in pdf_text(result.files[1])


def test_batch_cancel_keeps_what_was_done(desk: Desk, customers: list[int], tmp_path: Path) -> None:
    result = run_batch(
        desk, "thank_you", customers, tmp_path / "c.pdf", progress=lambda d, t: d < 2
    )
    assert result.cancelled and len(result.letters) == 2
    assert pdf_pages(tmp_path / "c.pdf") == 2


def test_long_letter_flows_onto_a_second_page(
    desk: Desk, customers: list[int], tmp_path: Path
) -> None:
    html = "<p>Start</p>" + "<p>A paragraph of a long letter.</p>" * 120 + "<p>The end</p>"
    out = tmp_path / "long.pdf"
    assert write_pdf([html, "<p>Second letter</p>"], out, PageSetup("Letter")) >= 3
    pages = pdf_text(out).split("\f")
    assert "Start" in pages[0] and "The end" in pages[-3] and "Second letter" in pages[-2]


def test_cli_letter_pdf_and_html(
    desk: Desk,
    customers: list[int],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "one.pdf"
    code = run_cli(
        [
            "--db",
            str(db_path),
            "letter",
            "thank_you",
            "--customer",
            str(customers[1]),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    assert "Ada Byron" in pdf_text(out) and pdf_pages(out) == 1
    capsys.readouterr()
    code = run_cli(
        ["--db", str(db_path), "letter", "apology", "--customer", str(customers[2]), "--html"]
    )
    html = capsys.readouterr().out
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; Co" in html
    assert len(desk.letters.for_customer(customers[1])) == 1


def test_cli_letters_batch_and_errors(
    db_path: Path, customers: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "all.pdf"
    ids = ",".join(map(str, customers))
    code = run_cli(
        ["--db", str(db_path), "letters", "happy_birthday", "--customers", ids, "-o", str(out)]
    )
    assert code == 0 and pdf_pages(out) == 3
    code = run_cli(["--db", str(db_path), "letters", "nope", "--customers", ids, "-o", str(out)])
    assert code == 3  # not found
    assert "no letter template “nope”" in capsys.readouterr().err
    code = run_cli(
        ["--db", str(db_path), "letters", "thank_you", "--customers", "1,x", "-o", str(out)]
    )
    assert code == 2 and "“x” is not a customer id" in capsys.readouterr().err
    code = run_cli(
        ["--db", str(db_path), "letters", "thank_you", "--followups-due", "today", "-o", str(out)]
    )
    assert code == 0
    assert "No follow-ups are due" in capsys.readouterr().err


def test_cli_letters_that_write_nothing_claim_no_file(
    db_path: Path, customers: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "Wrote 0 letter(s) to b.pdf" on stdout, and no b.pdf existed."""
    out = tmp_path / "b.pdf"
    code = run_cli(["--db", str(db_path), "letters", "thank_you", "--customers", "99999",
                    "-o", str(out)])
    said = capsys.readouterr()
    assert code == 1 and not out.exists()
    assert "Wrote" not in said.out + said.err
    assert said.err.count("\n") == 1  # one line: nothing written, no file, and why
    assert f"No letter was written and no file was made ({out})" in said.err
    assert "customer 99999" in said.err
    code = run_cli(["--db", str(db_path), "letters", "thank_you", "--customers",
                    "99998,99999", "-o", str(out)])
    said = capsys.readouterr()
    assert code == 1 and not out.exists() and "Wrote" not in said.out
    assert "customer 99998" in said.err and "No letters were written and no file was made" in said.err


def test_cli_does_not_load_qt_on_import() -> None:
    import sys

    code = (
        "import csdesk.cli, csdesk.commands.letters, sys; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_cli_reprint_matches_the_letter_as_sent(
    desk: Desk,
    customers: list[int],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from csdesk import paths

    sent = desk.letters.produce("thank_you", customers[1])
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "thank_you.html.j2").write_text("Changed completely, {{ customer.name }}")
    out = tmp_path / "again.pdf"
    assert run_cli(["--db", str(db_path), "letter", "--reprint", str(sent.id), "-o", str(out)]) == 0
    text = pdf_text(out)
    assert "Thank you for coming in" in text and "Changed completely" not in text
    capsys.readouterr()
    assert run_cli(["--db", str(db_path), "letter", "--reprint", str(sent.id), "--html"]) == 0
    assert capsys.readouterr().out.strip() == sent.html.strip()
    assert run_cli(["--db", str(db_path), "letter", "--reprint", "999"]) == 3
    assert "No letter #999" in capsys.readouterr().err


def test_cli_letters_for_followups_due(
    desk: Desk, customers: list[int], db_path: Path, tmp_path: Path
) -> None:
    # Due half an hour after the test clock's now: by "today" for any real run date since.
    desk.followups.add(customers[1], "send a thank-you", desk.clock() + timedelta(minutes=30))
    out = tmp_path / "due.pdf"
    code = run_cli(
        ["--db", str(db_path), "letters", "thank_you", "--followups-due", "today", "-o", str(out)]
    )
    assert code == 0 and pdf_pages(out) == 1
    assert "Ada Byron" in pdf_text(out)
