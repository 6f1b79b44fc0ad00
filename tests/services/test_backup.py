"""Backups while others write, rotation, restore that checks first, network share warnings."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft, Role
from csdesk.errors import PermissionDenied, UserError
from csdesk.services.desk import Desk
from csdesk.services.share_warning import network_share_warning
from csdesk.store import backup as store
from tests.services.helpers_security import add_member, fast_scrypt

__all__ = ["fast_scrypt"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")


def names(path: Path) -> list[str]:
    conn = sqlite3.connect(str(path))
    try:
        return [r[0] for r in conn.execute("SELECT first_name FROM customers ORDER BY id")]
    finally:
        conn.close()


def add(desk: Desk, *first_names: str) -> None:
    for name in first_names:
        desk.customers.create(CustomerDraft(first_name=name))


def test_backup_is_consistent_while_another_connection_writes(desk: Desk, db_path: Path) -> None:
    add(desk, *(f"Base{n}" for n in range(300)))
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        other = Desk.open(db_path)
        try:
            n = 0
            while not stop.is_set():
                other.customers.create(CustomerDraft(first_name=f"Busy{n}", address="x" * 300))
                written.append(n)
                n += 1
        finally:
            other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        desk.auth.act_as_cli()
        results = [desk.backups.backup(db_path.parent / f"b{i}.db") for i in range(5)]
    finally:
        stop.set()
        thread.join()
    assert written, "the writer never got to write"
    for result in results:
        assert store.check_file(result.path).ok
        got = names(result.path)
        busy = [n for n in got if n.startswith("Busy")]
        # A consistent snapshot: all the base rows, and busy rows as an unbroken prefix.
        assert got[:300] == [f"Base{n}" for n in range(300)]
        assert busy == [f"Busy{n}" for n in range(len(busy))]
        conn = sqlite3.connect(str(result.path))
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
        conn.close()


def test_staff_cannot_back_up_by_hand_but_auto_backups_always_run(desk: Desk) -> None:
    with pytest.raises(PermissionDenied, match="make backups"):
        desk.backups.backup()
    assert desk.backups.auto("exit") is not None


def test_daily_once_a_day_exit_always_and_rotation(desk: Desk, clock: object) -> None:
    add(desk, "Ana")
    first = desk.backups.auto("daily")
    assert first is not None and first.path.exists()
    assert desk.backups.auto("daily") is None
    assert desk.backups.auto("startup") is None
    assert desk.backups.auto("exit") is not None
    with pytest.raises(ValueError):
        desk.backups.auto("whenever")
    for _day in range(40):
        clock.advance(days=1)  # type: ignore[attr-defined]
        desk.backups.auto("daily")
    clock.advance(hours=8)  # type: ignore[attr-defined]
    desk.backups.auto("exit")
    files = sorted(p.name for p in desk.backups.list())
    days = sorted(
        date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in (f.split("-")[1] for f in files)
    )
    assert len(files) == len(set(days)) == 11  # 7 daily + 4 weekly, one per day at most
    assert max(files).endswith("-exit.db")  # the last backup of the newest day survives
    dailies, weeklies = days[-7:], days[:-7]
    assert (dailies[-1] - dailies[0]).days == 6  # seven consecutive days
    assert len({d.isocalendar()[:2] for d in weeklies}) == 4  # four different weeks before them
    assert 24 <= (days[-1] - days[0]).days <= 34


def test_manual_backups_are_never_rotated(desk: Desk, clock: object) -> None:
    desk.auth.act_as_cli()
    manual = desk.backups.backup().path
    for _ in range(12):
        clock.advance(days=1)  # type: ignore[attr-defined]
        desk.backups.auto("daily")
    assert manual.exists()
    with pytest.raises(UserError, match="the database itself"):
        desk.backups.backup(desk.path)


def test_restore_brings_data_back_and_saves_what_it_replaced(desk: Desk, tmp_path: Path) -> None:
    add(desk, "Before")
    desk.auth.act_as_cli()
    saved = desk.backups.backup(tmp_path / "good.db").path
    add(desk, "After")
    changes: list[str] = []
    desk.subscribe(lambda change: changes.append(change.kind))
    result = desk.backups.restore(saved)
    assert [c.first_name for c in [desk.customers.get(1)]] == ["Before"]
    assert desk.customers.count() == 1
    assert names(result.previous_saved_as) == ["Before", "After"]
    assert "restore" in changes
    assert desk.audit.entries(limit=1)[0].action == "restore"
    assert store.check(desk.db.conn).ok
    assert desk.search.search("Before")[0].display_name == "Before"


def _refused(desk: Desk, candidate: Path, message: str) -> None:
    before = names(desk.path)  # type: ignore[arg-type]
    backups_before = set(desk.backups.list())
    with pytest.raises(UserError, match=message):
        desk.backups.restore(candidate)
    assert names(desk.path) == before  # type: ignore[arg-type]
    assert set(desk.backups.list()) == backups_before  # nothing was even backed up
    assert not any(p.name.startswith(".restore") for p in desk.backups.folder.glob(".*"))


def test_restore_refuses_bad_files_and_changes_nothing(desk: Desk, tmp_path: Path) -> None:
    add(desk, "Live")
    desk.auth.act_as_cli()
    _refused(desk, tmp_path / "missing.db", "There is no file")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is a shopping list, not a database" * 200)
    _refused(desk, junk, "not a readable SQLite database")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(str(other))
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    _refused(desk, other, "not a csdesk database")
    newer = desk.backups.backup(tmp_path / "newer.db").path
    conn = sqlite3.connect(str(newer))
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name) VALUES ('csdesk', '9999_x')")
    conn.commit()
    conn.close()
    _refused(desk, newer, "newer csdesk")


def test_restore_refuses_a_damaged_backup(desk: Desk, tmp_path: Path) -> None:
    add(desk, *(f"P{n}" for n in range(400)))
    desk.auth.act_as_cli()
    good = desk.backups.backup(tmp_path / "good.db").path
    damaged = tmp_path / "damaged.db"
    shutil.copy(good, damaged)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(3 * page + 100, len(data) - page, 7 * page):  # hit several b-tree pages
        data[offset : offset + 200] = b"\xff" * 200
    damaged.write_bytes(bytes(data))
    assert not store.check_file(damaged).ok
    _refused(desk, damaged, "damaged|not a readable")


def test_lead_cannot_restore(desk: Desk, tmp_path: Path) -> None:
    add_member(desk, "Lee", Role.LEAD)
    desk.act_as("Lee")
    saved = desk.backups.backup(tmp_path / "b.db").path
    with pytest.raises(PermissionDenied, match="restore a backup"):
        desk.backups.restore(saved)


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/shop nfs4 rw,relatime 0 0
//nas/share /mnt/nas\\040drive cifs rw 0 0
/dev/sdb1 /mnt/shop/local ext4 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "warned"),
    [
        ("/home/me/csdesk.db", False),
        ("/mnt/shop/csdesk.db", True),
        ("/mnt/shop/local/csdesk.db", False),  # the deepest mount point wins
        ("/mnt/nas drive/csdesk.db", True),
        ("/mnt/shopping/csdesk.db", False),  # a prefix of the name is not the same folder
    ],
)
def test_network_share_warning_from_mounts(path: str, warned: bool) -> None:
    warning = network_share_warning(Path(path), mounts=MOUNTS, platform="linux")
    assert (warning is not None) == warned
    if warned:
        assert "network share" in str(warning) and "own disk" in str(warning)


def test_network_share_warning_on_windows_unc_paths() -> None:
    assert network_share_warning(Path("//nas/shop/csdesk.db"), platform="win32")
    assert network_share_warning(Path("C:/data/csdesk.db"), platform="win32") is None


def test_check_reports_healthy_database(desk: Desk) -> None:
    add(desk, "Ok")
    report = desk.backups.check()
    assert report.ok and report.problems == []
    assert "search index customers_fts" in report.checked


def test_restore_while_another_window_is_open(desk: Desk, db_path: Path, tmp_path: Path) -> None:
    add(desk, "Kept")
    desk.auth.act_as_cli()
    saved = desk.backups.backup(tmp_path / "b.db").path
    add(desk, "Dropped")
    window = Desk.open(db_path)  # the app's own connection stays open throughout
    try:
        assert window.customers.count() == 2
        desk.backups.restore(saved)
        assert window.customers.count() == 1  # it sees the restored data on its next read
        window.customers.create(CustomerDraft(first_name="AfterRestore"))
    finally:
        window.close()
    assert names(db_path) == ["Kept", "AfterRestore"]
    assert store.check_file(db_path).ok
