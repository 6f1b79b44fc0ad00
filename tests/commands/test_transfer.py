"""`csdesk import / undo-import / imports / export customers / duplicates / merge` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk

DATA = Path(__file__).resolve().parent.parent / "data" / "import"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_import_dry_run_json_then_real_then_undo(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(db_path)
    code, out, _ = run(
        capsys, "--db", db, "import", str(DATA / "square_export.csv"), "--dry-run", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert list(report) == [
        "batch_id",
        "dry_run",
        "file",
        "format",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "cancelled",
        "rows",
    ]
    assert report["dry_run"] is True and report["batch_id"] is None
    assert (report["format"], report["created"], report["skipped"]) == ("square", 6, 2)
    skipped = [r for r in report["rows"] if r["action"] == "skip"]
    assert {r["line"] for r in skipped} == {6, 7} and all(r["reason"] for r in skipped)
    assert list(report["rows"][0]) == [
        "line",
        "action",
        "name",
        "customer_id",
        "reason",
        "warnings",
    ]
    desk = Desk.open(db_path)
    assert desk.customers.count() == 0
    desk.close()

    code, out, _ = run(capsys, "--db", db, "import", str(DATA / "square_export.csv"))
    assert code == 0 and "6 new" in out and "row 6: skipped" in out
    assert "row 5: phone “12” left out" in out
    assert "csdesk undo-import 1" in out
    code, out, _ = run(capsys, "--db", db, "imports", "--json")
    assert json.loads(out)[0]["created"] == 6 and json.loads(out)[0]["status"] == "done"
    code, out, _ = run(capsys, "--db", db, "undo-import", "1", "--json")
    assert code == 0 and json.loads(out) == {"batch_id": 1, "removed": 6, "restored": 0, "kept": []}
    code, _, err = run(capsys, "--db", db, "undo-import", "1")
    assert code == 1 and "already undone" in err and "Traceback" not in err
    code, _, err = run(capsys, "--db", db, "undo-import", "42")
    assert code == 3 and "No import #42" in err


def test_import_errors_exit_cleanly(
    db_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(db_path)
    code, _, err = run(capsys, "--db", db, "import", str(tmp_path / "missing.csv"))
    assert code == 3 and "There is no file" in err  # not found
    code, _, err = run(
        capsys, "--db", db, "import", str(DATA / "other_semicolon.csv"), "--map", "Kunde=shoe_size"
    )
    assert code == 1 and "not a field" in err
    code, _, err = run(
        capsys, "--db", db, "import", str(DATA / "other_semicolon.csv"), "--map", "nonsense"
    )
    assert code == 1 and "Column=field" in err
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "import",
        str(DATA / "other_semicolon.csv"),
        "--map",
        "Kunde=name,Handy=phone,E-Mail-Adresse=email",
        "--json",
    )
    assert code == 0 and json.loads(out)["created"] == 2


def test_export_duplicates_and_merge(
    db_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(db_path)
    run(capsys, "--db", db, "import", str(DATA / "google_contacts.csv"))
    desk = Desk.open(db_path)  # typed in by hand: the import itself never makes duplicates
    desk.customers.create(CustomerDraft(first_name="P.", phones=(("work", "+44 20 7946 0958"),)))
    desk.close()
    out_csv, out_vcf = tmp_path / "c.csv", tmp_path / "c.vcf"
    code, out, _ = run(capsys, "--db", db, "export", "customers", "-o", str(out_csv))
    assert code == 0 and "Exported 4 customers" in out
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbfcsdesk_id,")
    code, out, _ = run(
        capsys, "--db", db, "export", "customers", "--format", "vcard", "-o", str(out_vcf)
    )
    assert code == 0 and out_vcf.read_bytes().count(b"BEGIN:VCARD") == 4
    code, out, _ = run(capsys, "--db", db, "duplicates", "--json")
    pairs = json.loads(out)
    assert code == 0 and len(pairs) == 1
    assert pairs[0]["reason"] == "same phone +442079460958"
    keep, other = pairs[0]["keep_id"], pairs[0]["other_id"]
    code, _, err = run(capsys, "--db", db, "merge", str(keep), str(other))
    assert code == 2 and "--yes" in err  # a usage error: the command line lacks --yes
    code, out, _ = run(capsys, "--db", db, "merge", str(keep), str(other), "--yes")
    assert code == 0 and f"Merged #{other} into #{keep}" in out
    code, out, err = run(capsys, "--db", db, "duplicates")
    assert code == 0 and "No likely duplicates" in err
    code, _, err = run(capsys, "--db", db, "merge", str(keep), str(other), "--yes")
    assert code == 3


def test_staff_named_with_staff_option_is_refused(
    db_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "--db", str(db_path), "--staff", "Front desk", "export", "customers",
        "-o", str(tmp_path / "x.csv"),
    )  # fmt: skip
    assert code == 4 and "cannot export customer data" in err
    assert not (tmp_path / "x.csv").exists()


def test_an_interrupted_import_is_told_listed_resumed_from_the_cli(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.services.test_import_interrupted import ROWS, _file, _kill_mid_import

    Desk.open(db_path).close()
    _kill_mid_import(db_path, _file(tmp_path), after_rows=1000)
    capsys.readouterr()
    db = str(db_path)
    code, out, err = run(capsys, "--db", db, "imports")
    assert code == 0 and "interrupted" in out and "1,000 of 3,001 rows" in out
    assert "import #1 of many.csv did not finish" in err and "resume-import 1" in err
    code, out, err = run(capsys, "--db", db, "imports", "--json")
    [row] = json.loads(out)
    assert (row["status"], row["rows_committed"], row["rows_total"]) == ("interrupted", 1000, ROWS + 1)
    assert err == ""  # said once, at the start that found it
    code, out, err = run(capsys, "--db", db, "resume-import", "1", "--json")
    assert code == 0 and json.loads(out)["created"] == ROWS + 1
    code, out, err = run(capsys, "--db", db, "resume-import", "1")
    assert code != 0 and "only an interrupted one" in err


def test_export_customers_writes_whole_files_and_never_replaces_without_force(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Ana", phones=(("mobile", "+1 212 555 0100"),)))
    desk.close()
    db = str(db_path)
    target = tmp_path / "customers.csv"
    target.write_text("keep me", encoding="utf-8")
    code, _out, err = run(capsys, "--db", db, "export", "customers", "-o", str(target))
    assert code == 1 and "already exists" in err and "--force" in err
    assert target.read_text(encoding="utf-8") == "keep me"
    code, out, _err = run(capsys, "--db", db, "export", "customers", "-o", str(target), "--force")
    assert code == 0 and "Exported 1 customers" in out
    assert "+1 212 555 0100" in target.read_text(encoding="utf-8-sig")
    code, out, err = run(capsys, "--db", db, "export", "customers", "-o", "/dev/full")
    assert code == 1 and "Exported" not in out and err
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_cut_off_vcard_is_listed_as_skipped_once_by_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A vCard file cut off inside its last contact: that contact is skipped and said (it used to
    vanish without a word), and each skipped row is one readable line: its number, its name when
    it has one, the reason."""
    db = str(tmp_path / "shop.db")
    src = tmp_path / "phone.vcf"
    src.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vera Card\r\nTEL:+1 503 555 0142\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Cut;Off;;;\r\nTEL:+1 212 555 01",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "--db", db, "import", str(src), "--dry-run")
    assert code == 0
    assert "1 new, 0 updated, 0 already up to date, 2 skipped." in out
    assert "  row 2: skipped: no name and no contact details.\n" in out
    assert "  row 3 (Off Cut): skipped: this contact has no END:VCARD" in out
