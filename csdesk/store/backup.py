"""Online backups (sqlite3 backup API), integrity checks and copying a backup back in."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from csdesk.errors import UserError
from csdesk.store.db import translate_error
from csdesk.store.migrations import known_migrations, migrations

PAGES_PER_STEP = 4096  # 16 MiB at 4 KiB pages: short steps let other writers in between
Progress = Callable[[int, int], None]  # (pages remaining, total pages)


def backup_to(source: sqlite3.Connection, dest: Path, *, progress: Progress | None = None) -> int:
    """Copy the live database into `dest` consistently, even while others write; returns bytes.

    Written to a temporary name and renamed, so a crash never leaves a half backup under the
    real name. The copy is switched to a single-file journal so it can be moved around alone.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    target = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        source.backup(
            target,
            pages=PAGES_PER_STEP,
            progress=(lambda _status, remaining, total: progress(remaining, total))
            if progress
            else None,
        )
        target.execute("PRAGMA journal_mode = DELETE")
    except BaseException:
        target.close()
        tmp.unlink(missing_ok=True)
        raise
    target.close()
    os.replace(tmp, dest)
    return dest.stat().st_size


def copy_into(source_path: Path, target: sqlite3.Connection) -> None:
    """Replace the whole content of `target` (the live database) with the file at `source_path`."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        source.backup(target, pages=PAGES_PER_STEP)
    finally:
        source.close()


@dataclass
class CheckReport:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what was looked at, for the report

    def fail(self, problem: str) -> None:
        self.ok = False
        self.problems.append(problem)


def fts_tables(conn: sqlite3.Connection) -> list[str]:
    cur = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY name"
    )
    return [r[0] for r in cur.fetchall()]


def check(conn: sqlite3.Connection) -> CheckReport:
    """PRAGMA integrity_check, then FTS5's own integrity-check of every search index.

    FTS5's check is written as an INSERT, so it needs a writable connection; it changes nothing.
    """
    report = CheckReport()
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(50)").fetchall()]
    except sqlite3.DatabaseError as exc:
        report.fail(f"the file cannot be read as a database ({exc})")
        return report
    report.checked.append("database pages and indexes")
    if rows != ["ok"]:
        for row in rows:
            report.fail(f"database: {row}")
    try:
        tables = fts_tables(conn)
    except sqlite3.DatabaseError as exc:
        report.fail(f"the schema cannot be read ({exc})")
        return report
    for table in tables:
        report.checked.append(f"search index {table}")
        try:
            conn.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'integrity-check\')')
        except (sqlite3.DatabaseError, MemoryError) as exc:
            # SQLite reports some damaged FTS pages as out-of-memory, which Python raises as
            # MemoryError: still a damaged index, not a reason to crash the check.
            report.fail(f"search index {table}: {exc or 'damaged'}")
    return report


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


def check_file(path: Path) -> CheckReport:
    """Check a database file without opening it as csdesk (which would migrate or fail first).

    A file we may not write (read-only media, no permission) is checked through a copy: FTS5's
    integrity-check is an INSERT, which a read-only connection refuses, and that refusal says
    nothing about the file's health.
    """
    wal = path.with_name(path.name + "-wal")
    if path.is_file() and path.stat().st_size == 0 and (not wal.exists() or wal.stat().st_size == 0):
        report = CheckReport()
        report.fail("the file is empty (0 bytes): it holds no database")
        return report
    if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return _check_read_only(path)
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        return check(conn)
    except sqlite3.DatabaseError as exc:
        report = CheckReport()
        report.fail(f"the file cannot be read as a database ({exc})")
        return report
    finally:
        conn.close()


def _check_read_only(path: Path) -> CheckReport:
    import tempfile

    uri = f"file:{quote(path.absolute().as_posix())}?mode=ro"
    with tempfile.TemporaryDirectory(prefix="csdesk-check-") as folder:
        copy_path = Path(folder) / "copy.db"
        try:
            source = sqlite3.connect(uri, uri=True)
            try:
                try:
                    source.execute("SELECT count(*) FROM sqlite_master").fetchone()
                except sqlite3.OperationalError:
                    # Not even a -shm file can be made next to it: nobody can change it either.
                    source.close()
                    source = sqlite3.connect(uri + "&immutable=1", uri=True)
                copy = sqlite3.connect(str(copy_path), isolation_level=None)
                try:
                    source.backup(copy)  # page by page: damage is copied as it is
                    report = check(copy)
                finally:
                    copy.close()
            finally:
                source.close()
        except sqlite3.DatabaseError as exc:
            report = CheckReport()
            report.fail(f"the file cannot be read as a database ({exc})")
            return report
    report.checked.append("(the file is read-only: checked through a copy)")
    return report


# -- backup and restore with SQLite's errors translated -----------------------------------------
# The service decides when and what; the connections, the file copies and SQLite's errors stay here.
def backup_file(source: sqlite3.Connection, dest: Path) -> int:
    """backup_to, with SQLite's errors as a UserError that says what to do (OSError passes on)."""
    try:
        return backup_to(source, dest)
    except sqlite3.Error as exc:
        raise translate_error(exc, dest) from exc


def restore_into(staging: Path, db: sqlite_utils.Database, where: Path | None) -> None:
    """Copy a checked backup over the live database, then bring it to this version's schema."""
    try:
        copy_into(staging, db.conn)
    except sqlite3.Error as exc:
        raise translate_error(exc, where) from exc
    migrations.apply(db)  # an older backup gets this version's schema


def copy_file(source_path: Path, dest: Path) -> int:
    """A consistent copy of the database file at `source_path` to `dest` (read-only on the source)."""
    conn = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        return backup_to(conn, dest)
    finally:
        conn.close()


def stage_candidate(source: Path, staging: Path) -> None:
    """Copy the candidate aside and check the copy: nothing live is touched before it passes."""
    refuse = f"{source} cannot be restored:"
    candidate = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        backup_to(candidate, staging)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{refuse} it is not a readable SQLite database ({exc}).") from exc
    finally:
        candidate.close()
    conn = sqlite3.connect(str(staging), isolation_level=None)
    try:
        applied = migrations_applied(conn, migrations.name)
        if applied is None:
            raise UserError(f"{refuse} it is not a csdesk database. Nothing was changed.")
        known = set(known_migrations())
        newer = [name for name in applied if name not in known]
        if newer:
            raise UserError(
                f"{refuse} it comes from a newer csdesk ({newer[-1]}). Update csdesk first."
            )
        report = check(conn)
        if not report.ok:
            raise UserError(
                f"{refuse} it is damaged ({report.problems[0]}). Nothing was changed; "
                "try an older backup."
            )
    finally:
        conn.close()
