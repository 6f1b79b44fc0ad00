"""Backups that rot, and backups that mix: verified copies, rotation that keeps the last good
one, and one folder per database identity."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import UserError
from csdesk.services.backup import DamagedDatabase
from csdesk.services.desk import Desk
from csdesk.store import backup as store
from tests.conftest import FakeClock
from tests.services.helpers_security import fast_scrypt

__all__ = ["fast_scrypt"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")


def fill(desk: Desk, n: int) -> None:
    for i in range(n):
        desk.customers.create(
            CustomerDraft(first_name=f"Person{i}", last_name="Smith", address="street " * 30)
        )


def damage_middle(path: Path, size: int = 8192) -> None:
    """8 KiB of random bytes in the middle of a real file, as a failing disk leaves it."""
    length = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(length // 2 - size // 2)
        handle.write(os.urandom(size))


def test_45_days_of_start_and_exit_backups_of_a_damaged_file_keep_a_good_backup(
    db_path: Path, clock: FakeClock
) -> None:
    desk = Desk.open(db_path, clock=clock)
    fill(desk, 2000)
    for _ in range(3):  # three healthy days
        desk.backups.auto("startup")
        clock.advance(hours=9)
        desk.backups.auto("exit")
        clock.advance(hours=15)
    desk.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    desk.close()
    damage_middle(db_path)
    failed = 0
    for _day in range(45):
        desk = Desk.open(db_path, clock=clock)
        for reason in ("startup", "exit"):
            result = desk.backups.auto(reason)
            if result is not None and not result.verified:
                failed += 1
                assert "Restore the newest good backup" in result.advice or "repair" in result.advice
            clock.advance(hours=9 if reason == "startup" else 15)
        desk.close()
    assert failed >= 45  # every backup of the damaged file noticed it
    desk = Desk.open(db_path, clock=clock)
    try:
        good = desk.backups.newest_good()
        assert good is not None and store.check_file(good.path).ok
        assert good.made_at < clock() - timedelta(days=44)
        files = desk.backups.files()
        assert sum(not f.good for f in files) <= 2  # failed copies rotate too
        for f in files:
            if f.good:
                assert store.check_file(f.path).ok
    finally:
        desk.close()


def test_a_backup_of_a_damaged_database_says_so_and_what_to_do(
    db_path: Path, tmp_path: Path, clock: FakeClock
) -> None:
    desk = Desk.open(db_path, clock=clock)
    fill(desk, 2000)
    desk.auth.act_as_cli()
    good = desk.backups.backup().path
    desk.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    desk.close()
    damage_middle(db_path)
    desk = Desk.open(db_path, clock=clock)
    try:
        desk.auth.act_as_cli()
        clock.advance(minutes=5)
        with pytest.raises(DamagedDatabase) as raised:
            desk.backups.backup()
        text = str(raised.value)
        assert "damaged" in text and (str(good) in text or "--repair" in text)
        assert not store.check(desk.db.conn).ok
    finally:
        desk.close()


def test_two_backups_in_one_second_never_overwrite_each_other(desk: Desk) -> None:
    desk.auth.act_as_cli()
    manual = {desk.backups.backup().path for _ in range(3)}
    exits = {r.path for r in (desk.backups.auto("exit"), desk.backups.auto("exit")) if r}
    assert len(manual) == 3 and all(p.is_file() for p in manual)
    assert len(exits) == 2  # a second name; rotation then keeps the day's newest one


def test_two_databases_with_the_same_name_keep_their_backups_apart(
    tmp_path: Path, clock: FakeClock
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shop_a = Desk.open(tmp_path / "a" / "csdesk.db", clock=clock)
    shop_b = Desk.open(tmp_path / "b" / "csdesk.db", clock=clock)
    try:
        fill(shop_a, 1)
        shop_b.customers.create(CustomerDraft(first_name="Bravo"))
        for desk in (shop_a, shop_b):
            desk.auth.act_as_cli()
        made = []
        for _ in range(3):
            made.append(shop_a.backups.backup().path)
            made.append(shop_b.backups.backup().path)
        assert len(set(made)) == 6
        assert shop_a.backups.folder != shop_b.backups.folder
        assert set(shop_a.backups.list()) == set(made[0::2])
        for path in made[0::2]:
            assert store.read_identity(path)[0] == shop_a.backups.identity()
    finally:
        shop_a.close()
        shop_b.close()


def test_restoring_another_databases_backup_asks_first(tmp_path: Path, clock: FakeClock) -> None:
    shop_a = Desk.open(tmp_path / "a.db", clock=clock)
    shop_b = Desk.open(tmp_path / "b.db", clock=clock)
    try:
        fill(shop_a, 2)
        shop_b.customers.create(CustomerDraft(first_name="Bravo"))
        shop_b.auth.act_as_cli()
        shop_a.auth.act_as_cli()
        of_b = shop_b.backups.backup().path
        assert shop_a.backups.inspect(of_b).same_database is False
        with pytest.raises(UserError, match=r"another database.*--other-database"):
            shop_a.backups.restore(of_b)
        assert shop_a.customers.count() == 2
        ident = shop_a.backups.identity()
        shop_a.backups.restore(of_b, other_database=True)
        assert shop_a.customers.count() == 1
        assert shop_a.backups.identity() == ident  # its backups stay in its own folder
        own = shop_a.backups.backup().path
        assert shop_a.backups.inspect(own).same_database is True
    finally:
        shop_a.close()
        shop_b.close()


def test_a_backup_from_before_identities_restores_as_this_databases(
    desk: Desk, tmp_path: Path
) -> None:
    desk.auth.act_as_cli()
    old = desk.backups.backup(tmp_path / "old.db").path
    conn = sqlite3.connect(str(old))
    conn.execute("DELETE FROM settings WHERE key = 'database_id'")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0011_backup_identity'")
    conn.commit()
    conn.close()
    assert desk.backups.inspect(old).same_database is None
    ident = desk.backups.identity()
    desk.backups.restore(old)
    assert desk.backups.identity() == ident


def test_migration_0011_backup_identity_gives_each_database_its_own(tmp_path: Path) -> None:
    one, two = Desk.open(tmp_path / "1.db"), Desk.open(tmp_path / "2.db")
    try:
        assert one.backups.identity() and two.backups.identity()
        assert one.backups.identity() != two.backups.identity()
        applied = [r[0] for r in one.db.execute("SELECT name FROM _sqlite_migrations")]
        assert "0011_backup_identity" in applied
    finally:
        one.close()
        two.close()
    copy = tmp_path / "copy.db"
    shutil.copy(tmp_path / "1.db", copy)
    assert store.read_identity(copy)[0] == store.read_identity(tmp_path / "1.db")[0]
