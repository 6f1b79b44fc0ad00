"""Online backups (sqlite3 backup API), verified copies, and putting a backup back in one step.

A restore is all or nothing. The candidate is copied aside, checked and migrated first; then
`install` copies it over the live database inside one SQLite write transaction, and saves what
it replaces from inside that same transaction (no other writer can commit in between), so a
crash or an error at any moment leaves either the old data or the new data, never a mix.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from csdesk.store.files import AtomicFile
from csdesk.store.integrity import (
    CheckReport,
    check,
    check_file,
    fts_tables,
    is_busy,
)

__all__ = [
    "CheckReport",
    "Copy",
    "DatabaseBusy",
    "backup_to",
    "check",
    "check_file",
    "fts_tables",
    "install",
]

PAGES_PER_STEP = 4096  # 16 MiB at 4 KiB pages: short steps let other writers in between
Progress = Callable[[int, int], None]  # (pages remaining, total pages)


class DatabaseBusy(Exception):
    """Another connection kept the database locked longer than we were willing to wait."""


class SavePreviousFailed(Exception):
    """The copy of the data a restore would replace could not be written: nothing changed."""


@dataclass(frozen=True)
class Copy:
    path: Path
    size: int
    report: CheckReport | None  # the check of the copy itself (None: not asked for)


def ro_uri(path: Path) -> str:
    """A read-only URI that survives '?' and '#' in folder names."""
    return f"file:{quote(path.absolute().as_posix())}?mode=ro"


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_to(
    source: sqlite3.Connection,
    dest: Path,
    *,
    progress: Progress | None = None,
    verify: bool = False,
    dest_if_damaged: Path | None = None,
    overwrite: bool = False,
) -> Copy:
    """Copy the live database into `dest` consistently, even while others write.

    Written through store.files.AtomicFile (temporary name, fsync, rename; an existing file is
    replaced only with `overwrite`), so a crash never leaves a half backup under the real name.
    The copy is switched to a single-file journal so it can be moved around alone. With
    `verify`, the copy is checked (pages, indexes, search indexes) before it gets its name; a
    copy that fails goes to `dest_if_damaged` instead (when given), so a damaged copy never
    looks like a good backup.
    """
    report: CheckReport | None = None
    final = dest
    with AtomicFile(dest, overwrite=overwrite) as out:
        target = sqlite3.connect(str(out.tmp), isolation_level=None)
        try:
            source.backup(
                target,
                pages=PAGES_PER_STEP,
                progress=(lambda _status, remaining, total: progress(remaining, total))
                if progress
                else None,
            )
            target.execute("PRAGMA journal_mode = DELETE")
            if verify:
                report = check(target)
        finally:
            target.close()
        if report is not None and not report.ok and dest_if_damaged is not None:
            os.replace(out.tmp, dest_if_damaged)
            _sync_folder(dest_if_damaged.parent)
            out.cancel()
            final = dest_if_damaged
    return Copy(final, final.stat().st_size, report)


def copy_file(source: Path, dest: Path) -> None:
    """A private copy of a database file (read-only on the source), for checking it aside."""
    conn = sqlite3.connect(ro_uri(source), uri=True)
    try:
        backup_to(conn, dest, overwrite=True)
    finally:
        conn.close()


def open_copy(path: Path) -> sqlite_utils.Database:
    """A private copy opened for changes (migrations, the restore's audit row)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn, execute_plugins=False)


def migrations_applied(conn: sqlite3.Connection, migration_set: str) -> list[str] | None:
    """Names of applied migrations of `migration_set`, or None if this is not such a database."""
    try:
        cur = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
            [migration_set],
        )
        names = [r[0] for r in cur.fetchall()]
        conn.execute("SELECT id FROM customers LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        return None
    return names or None


def foreign_key_problems(conn: sqlite3.Connection) -> int:
    return len(conn.execute("PRAGMA foreign_key_check").fetchall())


def match_page_size(path: Path, page_size: int) -> None:
    """A WAL database cannot change its page size, so a copy going into one must match it."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        if conn.execute("PRAGMA page_size").fetchone()[0] != page_size:
            conn.execute(f"PRAGMA page_size = {int(page_size)}")
            conn.execute("VACUUM")
    finally:
        conn.close()


def page_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA page_size").fetchone()[0])


def count_customers(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM customers").fetchone()[0])


def count_customers_in(path: Path) -> int:
    conn = sqlite3.connect(ro_uri(path), uri=True)
    try:
        return count_customers(conn)
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.close()


DATABASE_ID = "database_id"  # settings key, written by migration 0011_backup_identity


def database_id(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", [DATABASE_ID]).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(json.loads(row[0]))


def set_database_id(conn: sqlite3.Connection, ident: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [DATABASE_ID, json.dumps(ident)],
    )


def read_identity(path: Path) -> tuple[str | None, int]:
    """(identity, number of customers) of a database file, read-only."""
    conn = sqlite3.connect(ro_uri(path), uri=True)
    try:
        return database_id(conn), count_customers(conn)
    finally:
        conn.close()


def install(
    staged: Path,
    live: sqlite3.Connection,
    live_path: Path,
    save_previous_to: Path,
    *,
    wait_s: float,
    dest_if_damaged: Path | None = None,
) -> Copy:
    """Replace the live database with the staged copy, all or nothing; returns the saved copy of
    what was replaced.

    The backup API copies the staged file in one write transaction on `live`. After its first
    page, that transaction holds the write lock, so the data about to be replaced can no longer
    change: only then is it saved (from a second connection, which sees the last commit) and
    verified. If saving fails, the copy is abandoned and nothing changes. A lock held by another
    program is waited for at most `wait_s` seconds, then DatabaseBusy.
    """
    started = time.monotonic()
    saved: list[Copy] = []
    problem: list[BaseException] = []

    def step(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            if time.monotonic() - started > wait_s:
                raise DatabaseBusy()
            return
        if saved:
            return
        if remaining == 0:  # everything went in one step: too late to save first
            raise RuntimeError("the staged copy must span more than one page")
        reader = sqlite3.connect(str(live_path), isolation_level=None)
        try:
            copy = backup_to(
                reader, save_previous_to, verify=True, dest_if_damaged=dest_if_damaged
            )
        except Exception as exc:
            failed = SavePreviousFailed(str(exc) or type(exc).__name__)
            problem.append(failed)
            raise failed from exc
        finally:
            reader.close()
        saved.append(copy)

    source = sqlite3.connect(ro_uri(staged), uri=True)
    try:
        source.backup(live, pages=1, progress=step, sleep=0.05)
    except DatabaseBusy:
        raise
    except sqlite3.OperationalError as exc:
        if problem:
            raise problem[0] from exc
        if is_busy(exc):
            raise DatabaseBusy() from exc
        raise
    except BaseException:
        if problem:
            raise problem[0] from None
        raise
    finally:
        source.close()
    return saved[0]


def recorded_backups(conn: sqlite3.Connection) -> list[str]:
    """The `after` JSON of every backup the audit log recorded (it names the file written)."""
    rows = conn.execute(
        "SELECT after FROM audit WHERE entity = 'database' AND action = 'backup'"
    ).fetchall()
    return [str(r[0]) for r in rows if r[0] is not None]
