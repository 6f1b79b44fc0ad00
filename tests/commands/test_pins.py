"""The command line is not an admin without a PIN (issue 14 item 9), and staff accounts can be
managed from it without a terminal (issue 13 item 12). Through csdesk.cli.main, on real files."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.commands.hints import shell_word
from csdesk.domain import CustomerDraft, Role
from csdesk.services import auth
from csdesk.services.desk import Desk

EXIT_CODES = {0, 1, 2, 3, 4}  # README: Command line


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "SCRYPT_N", 2**10)


class Cli:
    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch) -> None:
        self.db, self.capsys, self.mp = db, capsys, mp

    def __call__(self, *args: str, stdin: str = "") -> tuple[int, str, str]:
        self.mp.setattr("sys.stdin", io.StringIO(stdin))
        try:
            main(["--db", str(self.db), *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err
        assert code in EXIT_CODES
        return code, out, err


@pytest.fixture
def cli(db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(db_path, capsys, monkeypatch)


@pytest.fixture
def shop(db_path: Path) -> Path:
    """A shop with an admin (Ada, 2468), a lead (Lee, 1357), staff (Sam, 9753) and a customer."""
    desk = Desk.open(db_path)
    try:
        desk.auth.setup_admin("Ada", "2468")
        desk.auth.add_staff("Lee", Role.LEAD, "1357")
        desk.auth.add_staff("Sam", Role.STAFF, "9753")
        desk.customers.create(CustomerDraft(first_name="Maria", last_name="García"))
    finally:
        desk.close()
    return db_path


def denials(db: Path) -> list[tuple[str | None, str]]:
    conn = sqlite3.connect(str(db))
    try:
        rows = conn.execute(
            "SELECT s.name, a.after FROM audit a LEFT JOIN staff s ON s.id = a.staff_id "
            "WHERE a.action = 'denied' ORDER BY a.id"
        ).fetchall()
    finally:
        conn.close()
    return [(name, json.loads(after)["attempt"]) for name, after in rows]


def staff_names(db: Path) -> set[str]:
    conn = sqlite3.connect(str(db))
    try:
        return {r[0] for r in conn.execute("SELECT name FROM staff")}
    finally:
        conn.close()


def test_without_staff_admin_commands_refuse_once_an_admin_has_a_pin(cli: Cli, shop: Path) -> None:
    code, _, err = cli("staff", "add", "Mallory", "--role", "admin", "--pin-stdin", stdin="1111\n")
    assert code == 4 and "--staff NAME" in err and "--pin-stdin" in err
    assert "Mallory" not in staff_names(shop)
    for args in (("backup",), ("settings", "shop_name", "Evil"), ("audit",), ("staff", "list")):
        code, _, err = cli(*args)
        assert code == 4 and "--staff NAME" in err, args
    assert [a for _, a in denials(shop)] == [
        "staff add Mallory", "backup", "settings shop_name Evil", "audit", "staff list",
    ]  # fmt: skip
    assert all(name is None for name, _ in denials(shop))  # nobody was identified


def test_staff_needs_the_pin_and_a_wrong_one_is_refused_and_audited(cli: Cli, shop: Path) -> None:
    code, _, err = cli("--staff", "Ada", "--pin-stdin", "settings", "shop_name", "Trail", stdin="0000\n")
    assert code == 4 and "PIN is not right" in err
    code, out, _ = cli("--staff", "Ada", "--pin-stdin", "settings", "shop_name", "Trail", stdin="2468\n")
    assert code == 0 and "Trail" in out
    conn = sqlite3.connect(str(shop))
    failed = conn.execute("SELECT count(*) FROM audit WHERE action = 'sign_in_failed'").fetchone()[0]
    conn.close()
    assert failed == 1


def test_no_terminal_and_no_pin_says_how_to_pass_it(cli: Cli, shop: Path) -> None:
    code, _, err = cli("--staff", "Ada", "backup")
    assert code == 4 and "no terminal" in err and "--pin-stdin or --pin-file" in err
    assert denials(shop) == [(None, "backup")] or denials(shop) == [("Ada", "backup")]


def test_a_lead_is_refused_admin_work_with_an_audit_row(cli: Cli, shop: Path) -> None:
    code, _, err = cli(
        "--staff", "Lee", "--pin-stdin", "staff", "add", "Mallory", "--role", "admin", "--pin-stdin",
        stdin="1357\n1111\n",
    )  # fmt: skip
    assert code == 4 and "Lee is a shift lead and cannot manage staff accounts" in err
    assert ("Lee", "staff add Mallory") in denials(shop)
    code, out, _ = cli(
        "--staff", "Ada", "--pin-stdin", "staff", "add", "Nia", "--pin-stdin", stdin="2468\n4242\n"
    )
    assert code == 0 and "Added Nia (staff)" in out


def test_pin_file_must_be_private(cli: Cli, shop: Path, tmp_path: Path) -> None:
    pin_file = tmp_path / "lee.pin"
    pin_file.write_text("1357\n")
    out_file = tmp_path / "day.csv"
    args = ("--staff", "Lee", "--pin-file", str(pin_file), "export", "daily", "-o", str(out_file))
    pin_file.chmod(0o644)
    code, _, err = cli(*args)
    assert code == 4 and "chmod 600" in err and not out_file.exists()
    pin_file.chmod(0o600)
    code, _, err = cli(*args)
    assert code == 0, err
    assert out_file.exists()
    code, _, err = cli("--staff", "Lee", "--pin-file", str(tmp_path / "none"), "backup")
    assert code == 4 and "does not exist" in err


def test_front_desk_commands_need_a_name_only_when_everyone_signs_in(
    cli: Cli, shop: Path, db_path: Path
) -> None:
    code, _, err = cli("search", "garcia", "--json")
    assert code == 4 and "Everyone signs in" in err and "--staff NAME" in err
    code, out, _ = cli("--staff", "Sam", "--pin-stdin", "search", "garcia", "--json", stdin="9753\n")
    assert code == 0 and "García" in out
    desk = Desk.open(db_path)
    desk.auth.sign_in("Ada", "2468")
    desk.auth.set_sign_in_required(False)
    desk.close()
    code, out, _ = cli("search", "garcia", "--json")
    assert code == 0 and "García" in out
    code, out, _ = cli("visit", "--customer", "1", "--purpose", "boots")
    assert code == 0, out
    code, _, err = cli("backup")  # lead work still needs a name and a PIN
    assert code == 4 and "--staff NAME" in err


def test_naming_a_member_without_a_pin_is_no_way_around_everyone_signs_in(
    cli: Cli, shop: Path
) -> None:
    before = visits(shop)
    for args in (
        ("--staff", "Front desk", "search", "garcia"),
        ("--staff", "front desk", "visit", "--customer", "1", "--purpose", "sneaky"),
        ("--staff", "Front desk", "timeline", "1"),
    ):
        code, out, err = cli(*args)
        assert code == 4 and "has no PIN" in err and "García" not in out, args
    assert visits(shop) == before
    assert [a for _, a in denials(shop)][-1].startswith("timeline")


def visits(db: Path) -> int:
    conn = sqlite3.connect(str(db))
    try:
        return int(conn.execute("SELECT count(*) FROM visits").fetchone()[0])
    finally:
        conn.close()


def test_a_fresh_shop_is_set_up_from_the_command_line(cli: Cli, db_path: Path) -> None:
    code, out, _ = cli("staff", "add", "Ada", "--role", "admin", "--pin-stdin", stdin="2468\n")
    assert code == 0 and "Added Ada (admin)" in out
    code, _, err = cli("staff", "add", "Mallory", "--role", "admin", "--pin-stdin", stdin="1111\n")
    assert code == 4 and "--staff NAME" in err  # from now on the command line is no admin


def test_staff_add_without_a_terminal_says_use_pin_stdin(cli: Cli, db_path: Path) -> None:
    code, out, err = cli("staff", "add", "Anna")
    assert code == 1 and "--pin-stdin" in err and "GetPassWarning" not in out + err
    assert "Anna" not in staff_names(db_path)


def test_deactivate_reactivate_and_the_deactivated_cannot_act(cli: Cli, shop: Path) -> None:
    admin = ("--staff", "Ada", "--pin-stdin")
    code, out, _ = cli(*admin, "staff", "deactivate", "Sam", stdin="2468\n")
    # the hint names the --db it ran on: pasted without it, it would act on the default book
    assert code == 0 and f"`csdesk --db {shell_word(str(shop))} staff reactivate Sam` undoes" in out
    code, _, err = cli("--staff", "Sam", "--pin-stdin", "search", "x", stdin="9753\n")
    assert code == 4 and "deactivated" in err
    code, _, err = cli(*admin, "staff", "add", "Sam", "--pin-stdin", stdin="2468\n1111\n")
    assert code == 1 and "reactivate" in err
    code, out, _ = cli(*admin, "staff", "reactivate", "Sam", stdin="2468\n")
    assert code == 0 and "Reactivated Sam (staff)" in out
    code, _, _ = cli("--staff", "Sam", "--pin-stdin", "search", "x", stdin="9753\n")
    assert code == 0


def test_a_deactivated_front_desk_logs_nothing(cli: Cli, db_path: Path) -> None:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Maria", last_name="García"))
    desk.auth.act_as_cli()
    desk.auth.add_staff("Ada", Role.ADMIN, "2468")
    desk.auth.add_staff("Gus", Role.ADMIN, "8642")
    desk.auth.sign_in("Ada", "2468")
    desk.auth.set_sign_in_required(False)
    desk.auth.deactivate("Front desk")
    desk.close()
    code, _, err = cli("visit", "--customer", "1", "--purpose", "boots")
    assert code == 4 and "Front desk's account is deactivated" in err
    conn = sqlite3.connect(str(db_path))
    visits = conn.execute("SELECT count(*) FROM visits").fetchone()[0]
    conn.close()
    assert visits == 0


def test_staff_add_asks_for_the_pin_twice_hidden_on_a_terminal(tmp_path: Path) -> None:
    """A real terminal (a pty): the PIN is asked twice and never echoed."""
    import pty
    import select

    db = tmp_path / "t.db"
    Desk.open(db).close()  # the shop's book, as `csdesk init` makes it
    master, slave = pty.openpty()
    env = {**os.environ, "CSDESK_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "csdesk", "--db", str(db), "staff", "add", "Cy", "--role", "lead"],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    start = 0  # each wait looks only past what the previous one found

    def wait_for(text: bytes) -> None:
        nonlocal seen, start
        while text not in seen[start:]:
            ready, _, _ = select.select([master], [], [], 60)
            assert ready, seen
            seen += os.read(master, 1024)
        start = seen.index(text, start) + len(text)

    wait_for(b"PIN for Cy")
    os.write(master, b"4321\n")
    wait_for(b"Repeat for confirmation")
    os.write(master, b"4321\n")
    wait_for(b"Added Cy (lead)")
    assert proc.wait() == 0
    os.close(master)
    assert b"1111" not in seen
    assert b"4321" not in seen  # hidden input is not echoed
    assert seen.count(b"PIN for Cy") == 1
    desk = Desk.open(db)
    try:
        assert desk.auth.sign_in("Cy", "4321").role is Role.LEAD
    finally:
        desk.close()
    # Two different PINs: asked again, nothing added until they match. The shop now has no admin
    # with a PIN (Cy is a lead), so the command line still sets it up.
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "csdesk", "--db", str(db), "staff", "add", "Di"],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    seen, start = b"", 0
    wait_for(b"PIN for Di")
    os.write(master, b"1111\n")
    wait_for(b"Repeat for confirmation")
    os.write(master, b"2222\n")
    wait_for(b"do not match")
    wait_for(b"PIN for Di")
    os.write(master, b"1111\n")
    wait_for(b"Repeat for confirmation")
    os.write(master, b"1111\n")
    wait_for(b"Added Di (staff)")
    assert proc.wait() == 0
    os.close(master)
    assert b"1111" not in seen


def test_a_read_only_shop_still_checks_the_pin_and_backs_up(
    cli: Cli, shop: Path, tmp_path: Path
) -> None:
    conn = sqlite3.connect(str(shop), isolation_level=None)
    conn.execute("PRAGMA user_version = 999")  # made by a newer csdesk: opened read-only
    conn.close()
    out = tmp_path / "b.db"
    code, _, err = cli("--staff", "Ada", "--pin-stdin", "backup", "-o", str(out), stdin="0000\n")
    assert code == 4 and "PIN is not right" in err and not out.exists()
    code, _, err = cli("--staff", "Ada", "--pin-stdin", "backup", "-o", str(out), stdin="2468\n")
    assert code == 0, err
    assert out.stat().st_size > 0
