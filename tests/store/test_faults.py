"""Full disk, read-only file, a database locked by another process and a corrupt file: each gives
one clear message and loses nothing already saved."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from csdesk.domain import CustomerDraft
from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.store.backup import check_file


def saved_names(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT first_name FROM customers ORDER BY id")]
    finally:
        conn.close()


def seed(desk: Desk, count: int = 5) -> list[str]:
    names = [f"Saved{n}" for n in range(count)]
    for name in names:
        desk.customers.create(CustomerDraft(first_name=name, email=f"{name.lower()}@example.com"))
    return names


def test_full_disk_gives_a_clear_message_and_keeps_saved_data(desk: Desk, db_path: Path) -> None:
    names = seed(desk)
    # PRAGMA max_page_count makes SQLite report SQLITE_FULL exactly as a full disk does,
    # without needing a tiny mounted filesystem (which CI cannot always provide).
    pages = desk.db.execute("PRAGMA page_count").fetchone()[0]
    desk.db.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(UserError, match=r"is full\. Free some space") as failure:
        for n in range(500):
            desk.customers.create(CustomerDraft(first_name=f"Big{n}", address="x" * 490))
    assert not isinstance(failure.value.__cause__, UserError)
    added = desk.customers.count() - len(names)
    assert desk.db.execute("SELECT count(*) FROM audit WHERE action='create'").fetchone()[0] == (
        len(names) + added  # the failed write left neither a customer nor an audit row
    )
    desk.db.execute("PRAGMA max_page_count = 1073741823")
    desk.customers.create(CustomerDraft(first_name="AfterSpaceFreed"))
    desk.close()
    assert saved_names(db_path)[: len(names)] == names
    assert saved_names(db_path)[-1] == "AfterSpaceFreed"
    assert check_file(db_path).ok


def test_read_only_database_file(desk: Desk, db_path: Path) -> None:
    """Tests run as root in CI, where chmod 0444 does not stop writes; we open the file
    read-only (SQLite's mode=ro, what a read-only file or medium gives) and also try
    PRAGMA query_only. Both make SQLite refuse writes exactly as a read-only file does."""
    names = seed(desk)
    desk.close()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    ro = Desk(sqlite_utils.Database(conn), path=db_path)
    try:
        assert ro.customers.get(1).first_name == "Saved0"  # reading still works
        with pytest.raises(UserError, match=r"read-only\. Check the file's permissions"):
            ro.customers.create(CustomerDraft(first_name="Nope"))
    finally:
        ro.close()
    again = Desk.open(db_path)
    again.db.execute("PRAGMA query_only = ON")
    try:
        with pytest.raises(UserError, match="read-only"):
            again.customers.create(CustomerDraft(first_name="Nope"))
    finally:
        again.close()
    assert saved_names(db_path) == names


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(30)
"""


def test_database_locked_by_another_process(desk: Desk, db_path: Path) -> None:
    names = seed(desk)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        desk.db.execute("PRAGMA busy_timeout = 200")  # the real 5 s wait, shortened for the test
        with pytest.raises(UserError, match=r"busy in another program\. Close other csdesk"):
            desk.customers.create(CustomerDraft(first_name="Waiting"))
        assert desk.customers.get(1).first_name == "Saved0"  # WAL: reading goes on
    finally:
        holder.kill()
        holder.wait()
    desk.customers.create(CustomerDraft(first_name="AfterUnlock"))
    assert saved_names(db_path) == [*names, "AfterUnlock"]


def test_corrupt_file_is_refused_clearly_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "csdesk.db"
    garbage = b"\x00\x13garbage" * 5000
    path.write_bytes(garbage)
    with pytest.raises(UserError, match=r"not a readable csdesk database\. Restore a backup"):
        Desk.open(path)
    assert path.read_bytes() == garbage  # nothing written over what may still be rescued
    assert not check_file(path).ok


def test_damaged_pages_are_found_by_check(desk: Desk, db_path: Path) -> None:
    seed(desk, 400)
    desk.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    desk.close()
    data = bytearray(db_path.read_bytes())
    for offset in range(2 * 4096 + 64, len(data) - 4096, 5 * 4096):
        data[offset : offset + 300] = b"\xa5" * 300
    db_path.write_bytes(bytes(data))
    report = check_file(db_path)
    assert not report.ok and report.problems
