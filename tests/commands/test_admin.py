"""The administrative commands, through csdesk.cli.main as a user runs them."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.domain import CustomerDraft
from csdesk.services import auth
from csdesk.services.desk import Desk
from tests.services.helpers_security import customer_with_history


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "SCRYPT_N", 2**10)


def run(
    db: Path,
    *args: str,
    stdin: str = "",
    monkeypatch: pytest.MonkeyPatch | None = None,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str, str]:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        main(["--db", str(db), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_staff_add_list_deactivate(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        db_path,
        "staff",
        "add",
        "Ada",
        "--role",
        "admin",
        "--pin-stdin",
        stdin="2468\n",
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert code == 0 and "Added Ada (admin)" in out
    # From now on an admin with a PIN exists: admin work names who acts and gives their PIN
    # (tests/commands/test_pins.py covers the refusals).
    ada = ("--staff", "Ada", "--pin-stdin")
    code, _, err = run(
        db_path,
        *ada,
        "staff",
        "add",
        "Bo",
        "--pin-stdin",
        stdin="2468\n12\n",
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert code == 1 and "4 to 8 digits" in err and "Traceback" not in err
    code, out, _ = run(
        db_path, *ada, "staff", "list", "--json", stdin="2468\n", monkeypatch=monkeypatch,
        capsys=capsys,
    )  # fmt: skip
    listed = {s["name"]: s for s in json.loads(out)}
    assert listed["Ada"] == {
        "id": listed["Ada"]["id"],
        "name": "Ada",
        "role": "admin",
        "active": True,
        "has_pin": True,
        "version": 1,
    }
    assert "Bo" not in listed and auth.CLI_ACTOR not in listed
    code, out, _ = run(
        db_path, *ada, "staff", "deactivate", "Ada", stdin="2468\n", monkeypatch=monkeypatch,
        capsys=capsys,
    )  # fmt: skip
    assert code == 1  # the last admin stays
    code, _, err = run(
        db_path, *ada, "staff", "deactivate", "Nobody", stdin="2468\n", monkeypatch=monkeypatch,
        capsys=capsys,
    )  # fmt: skip
    assert code == 3 and "No staff member called" in err
    conn = sqlite3.connect(str(db_path))
    rows = conn.execute(
        "SELECT a.source, s.name FROM audit a JOIN staff s ON s.id = a.staff_id "
        "WHERE a.entity = 'staff' AND a.action = 'create'"
    ).fetchall()
    conn.close()
    assert rows == [("cli", auth.CLI_ACTOR)]


def test_customer_export_and_erase(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(db_path)
    cid = customer_with_history(desk)
    desk.close()
    out_json, out_html = tmp_path / "c.json", tmp_path / "c.HTML"
    assert run(db_path, "customer", "export", str(cid), "-o", str(out_json), capsys=capsys)[0] == 0
    assert json.loads(out_json.read_text(encoding="utf-8"))["customer"]["last_name"] == "Quixwort"
    assert run(db_path, "customer", "export", str(cid), "-o", str(out_html), capsys=capsys)[0] == 0
    assert "Quixwort" in out_html.read_text(encoding="utf-8")
    code, _, err = run(db_path, "customer", "erase", str(cid), capsys=capsys)
    assert code == 1 and "--yes" in err
    assert b"Quixwort" in db_path.read_bytes()  # still there: refused
    code, out, _ = run(db_path, "customer", "erase", str(cid), "--yes", capsys=capsys)
    assert code == 0 and "1 visits kept anonymously" in out
    code, _, err = run(db_path, "customer", "erase", str(cid), "--yes", capsys=capsys)
    assert code == 3 and "already be erased" in err
    code, out, _ = run(db_path, "audit", "--json", "--limit", "3", capsys=capsys)
    entries = json.loads(out)
    assert entries[0]["action"] == "erase" and entries[0]["source"] == "cli"
    assert set(entries[0]) == {
        "id",
        "at",
        "staff_id",
        "staff_name",
        "action",
        "entity",
        "entity_id",
        "before",
        "after",
        "source",
        "computer",
    }


def test_backup_check_restore_round_trip(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Original"))
    desk.close()
    saved = tmp_path / "saved.db"
    code, out, _ = run(db_path, "backup", "-o", str(saved), capsys=capsys)
    assert code == 0 and "Backed up to" in out and saved.exists()
    code, out, _ = run(db_path, "check", capsys=capsys)
    assert code == 0 and "is healthy" in out and "customers_fts" in out
    code, out, _ = run(db_path, "check", "--json", capsys=capsys)
    assert json.loads(out)["ok"] is True
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Later"))
    desk.close()
    code, out, _ = run(db_path, "restore", str(saved), capsys=capsys)
    assert code == 0 and "saved as" in out
    desk = Desk.open(db_path)
    assert desk.customers.count() == 1
    desk.close()
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all " * 100)
    code, _, err = run(db_path, "restore", str(junk), capsys=capsys)
    assert code == 1 and "cannot be restored" in err and "Traceback" not in err


def test_restore_over_an_unreadable_database(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Rescued"))
    desk.close()
    saved = tmp_path / "saved.db"
    assert run(db_path, "backup", "-o", str(saved), capsys=capsys)[0] == 0
    Path(str(db_path) + "-wal").unlink(missing_ok=True)
    db_path.write_bytes(b"\xde\xad" * 9000)
    code, out, err = run(db_path, "check", capsys=capsys)
    assert code == 2 and "is damaged" in err and "csdesk restore" in err
    code, _, err = run(db_path, "search", "Rescued", capsys=capsys)
    assert code == 1 and "not a readable csdesk database" in err and "Traceback" not in err
    code, out, _ = run(db_path, "restore", str(saved), capsys=capsys)
    assert code == 0 and "kept as" in out
    kept = Path(out.split("kept as ")[1].strip().rstrip("."))
    assert kept.read_bytes() == b"\xde\xad" * 9000
    code, out, _ = run(db_path, "search", "Rescued", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)[0]["display_name"] == "Rescued"


def test_audit_csv_export(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Logged"))
    desk.close()
    target = tmp_path / "audit.csv"
    code, out, _ = run(
        db_path, "audit", "--entity", "customer", "--csv", str(target), capsys=capsys
    )
    assert code == 0 and "Wrote 1 audit entries" in out
    assert "Logged" in target.read_text(encoding="utf-8")
    code, out, _ = run(db_path, "audit", "--limit", "5", capsys=capsys)
    assert "export" in out and "[cli]" in out


def test_staff_named_with_staff_option_keeps_their_role(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = Desk.open(db_path)
    cid = customer_with_history(desk)
    desk.close()
    added = run(
        db_path, "staff", "add", "Sam", "--role", "staff", "--pin-stdin",
        stdin="4821\n", monkeypatch=monkeypatch, capsys=capsys,
    )  # fmt: skip
    assert added[0] == 0, added
    code, _, err = run(db_path, "--staff", "Sam", "customer", "erase", str(cid), "--yes", capsys=capsys)
    assert code == 4
    assert "Sam" in err and "Traceback" not in err
    desk = Desk.open(db_path)
    assert desk.customers.get(cid).last_name == "Quixwort"  # nothing erased
    desk.close()


def test_the_restore_hint_names_the_database_it_was_run_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pasted, the hint puts back the data of the --db it was run with, not the default's."""
    import shlex

    from csdesk.paths import default_db_path

    default = Desk.open(default_db_path(), create_folder=True)
    default.customers.create(CustomerDraft(first_name="Default"))
    default.close()
    other = tmp_path / "my shop" / "b.db"  # a space: the hint must quote it
    other.parent.mkdir()
    desk = Desk.open(other)
    desk.customers.create(CustomerDraft(first_name="Bee"))
    desk.close()
    saved = tmp_path / "w1.db"
    assert run(other, "backup", "-o", str(saved), capsys=capsys)[0] == 0
    desk = Desk.open(other)
    desk.customers.create(CustomerDraft(first_name="Later"))
    desk.close()
    code, out, _ = run(other, "restore", str(saved), capsys=capsys)
    assert code == 0
    hint = out.split("; `")[1].split("` puts it back")[0]
    assert hint.startswith(f"csdesk --db {shlex.quote(str(other))} restore ")
    try:
        main(shlex.split(hint)[1:])
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err
    desk = Desk.open(other)
    assert desk.customers.count() == 2  # Bee and Later, back as they were
    desk.close()
    default = Desk.open(default_db_path())
    assert default.customers.count() == 1  # the default book was not touched
    default.close()
