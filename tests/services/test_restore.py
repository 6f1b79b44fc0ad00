"""Restore is all or nothing: it completes and says what it replaced, or it changes nothing.

Real files throughout; the crash case kills a forked restorer with SIGKILL mid-copy.
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import sqlite_utils

from csdesk.domain import CustomerDraft
from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.store import backup as store
from csdesk.store.migrations import migrations
from tests.services.helpers_security import fast_scrypt

__all__ = ["fast_scrypt"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")


def count(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return int(conn.execute("SELECT count(*) FROM customers").fetchone()[0])
    finally:
        conn.close()


def add(desk: Desk, n: int, prefix: str = "C") -> None:
    for i in range(n):
        desk.customers.create(CustomerDraft(first_name=f"{prefix}{i}"))


def test_a_window_backup_made_before_the_cli_was_used_restores(
    desk: Desk, tmp_path: Path
) -> None:
    # The window's startup backup has no "Command line" staff member: the restore's audit row
    # used to point at a staff id the restored data lacked (FOREIGN KEY constraint failed),
    # after the data had already been replaced.
    add(desk, 3, "Before")
    made = desk.backups.auto("startup")
    assert made is not None
    add(desk, 2, "After")
    desk.auth.act_as_cli()
    result = desk.backups.restore(made.path)
    assert desk.customers.count() == 3
    assert (result.customers_now, result.customers_replaced) == (3, 5)
    assert count(result.previous_saved_as) == 5
    entry = desk.audit.entries(limit=1)[0]
    assert entry.action == "restore" and entry.after["by"] == "Command line"  # type: ignore[index]
    desk.customers.create(CustomerDraft(first_name="Next"))  # the actor still writes
    assert store.check(desk.db.conn).ok


def test_an_empty_csdesk_database_restores_and_says_what_it_replaced(
    desk: Desk, tmp_path: Path
) -> None:
    add(desk, 306)
    empty = tmp_path / "empty.db"
    Desk.open(empty).close()
    desk.auth.act_as_cli()
    result = desk.backups.restore(empty, other_database=True)
    assert desk.customers.count() == 0
    assert result.customers_replaced == 306 and count(result.previous_saved_as) == 306
    assert result.previous_saved_as.parent == desk.backups.folder


@pytest.mark.parametrize("version", [m.name for m in migrations._migrations][1:])
def test_backups_of_every_older_schema_restore_and_are_migrated(
    desk: Desk, tmp_path: Path, version: str
) -> None:
    old = tmp_path / f"before-{version}.db"
    db = sqlite_utils.Database(sqlite3.connect(str(old), isolation_level=None))
    migrations.apply(db, stop_before=version)
    # From 0011_backup_identity on, a backup carries its database's identity: this one is a
    # backup of the live database, so it carries the live one's (another's would be refused).
    db.execute("UPDATE settings SET value = ? WHERE key = 'database_id'",
               [json.dumps(desk.setting("database_id"))])
    db.execute("INSERT INTO staff (name, created_at) VALUES ('Old', '2026-01-01')")
    db.execute(
        "INSERT INTO customers (first_name, search_norm, exact_keys, last_seen_at, created_at, "
        "updated_at) VALUES ('Ada', ' ada ', '|ada|', '2026-01-01', '2026-01-01', '2026-01-01')"
    )
    ident = desk.backups.identity()
    # From 0011_backup_identity on, an old backup of this database carries this database's
    # identity (a backup of another one is refused, tested elsewhere).
    db.execute("UPDATE settings SET value = ? WHERE key = 'database_id'", [json.dumps(ident)])
    db.close()
    add(desk, 4)
    desk.auth.act_as_cli()
    result = desk.backups.restore(old)
    assert result.customers_now == 1 and result.customers_replaced == 4
    assert [c.display_name for c in desk.search.search("ada")] == ["Ada"]
    assert migrations.pending(desk.db) == []
    assert desk.backups.identity() == ident  # the file keeps its own identity
    assert store.check(desk.db.conn).ok


def test_when_the_replaced_data_cannot_be_saved_nothing_changes(
    db_path: Path, tmp_path: Path
) -> None:
    desk = Desk.open(db_path)
    for i in range(2000):
        desk.customers.create(CustomerDraft(first_name=f"Big{i}", address="x" * 490))
    desk.auth.act_as_cli()
    audit_rows = len(desk.audit.entries(limit=1000))
    desk.close()
    small = tmp_path / "small.db"
    Desk.open(small).close()
    # A real write failure, in a forked restorer: files may not grow past 500 KB. The staged
    # copy and the WAL fit; the ~1 MB copy of the data being replaced does not (EFBIG).
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (500_000, resource.RLIM_INFINITY))
            child = Desk.open(db_path)
            child.auth.act_as_cli()
            try:
                child.backups.restore(small, other_database=True)
                message = "restored"
            except UserError as exc:
                message = str(exc)
            os.write(write_fd, message.encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    os.waitpid(pid, 0)
    with os.fdopen(read_fd) as reader:
        message = reader.read()
    assert "Could not save the current data" in message and "nothing was changed" in message
    assert count(db_path) == 2000
    desk = Desk.open(db_path)
    try:
        desk.auth.act_as_cli()
        assert len(desk.audit.entries(limit=1000)) == audit_rows
        assert store.check(desk.db.conn).ok
    finally:
        desk.close()


def test_a_restore_killed_at_any_moment_leaves_the_old_data_or_the_new(
    db_path: Path, tmp_path: Path
) -> None:
    desk = Desk.open(db_path)
    add(desk, 50, "Old")
    desk.auth.act_as_cli()
    desk.close()
    big = tmp_path / "big.db"
    other = Desk.open(big)
    for i in range(3000):
        other.customers.create(CustomerDraft(first_name=f"New{i}", address="x" * 400))
    other.close()
    rng = random.Random(3)
    outcomes: set[int] = set()
    for _ in range(12):
        pid = os.fork()
        if pid == 0:  # the child restores until it is killed (or finishes)
            try:
                child = Desk.open(db_path)
                child.auth.act_as_cli()
                child.backups.restore(big, other_database=True)
                child.close()
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert store.check_file(db_path).ok
        n = count(db_path)
        assert n in (50, 3000)  # never a mix
        outcomes.add(n)
        if n == 3000:  # put the old data back for the next round
            back = Desk.open(db_path)
            back.auth.act_as_cli()
            previous = next(
                p for p in back.backups.folder.glob("*-prerestore.db") if count(p) == 50
            )
            back.backups.restore(previous)
            back.close()
            assert count(db_path) == 50
    assert 50 in outcomes  # at least one kill landed before the end
