"""Is the file whole? The page-level check, every index and search index against the schema the
migrations made, and rebuilding what can be rebuilt from the tables (indexes, search indexes).

Busy is not damaged: a lock another program holds is reported as `busy`, never as a problem.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

CHECK_WAIT_MS = 5000


@dataclass
class CheckReport:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what was looked at, for the report
    busy: bool = False  # another program held a lock the whole time: nothing could be said
    repairable: bool = False  # every problem is in something rebuildable from the tables
    # The address leads to a database that is not csdesk's (empty, or another program's): nothing
    # is damaged, so the advice is to check the address, never to restore a backup over it.
    wrong_database: bool = False

    def fail(self, problem: str, *, repairable: bool = False) -> None:
        if self.ok:
            self.repairable = repairable
        else:
            self.repairable = self.repairable and repairable
        self.ok = False
        self.problems.append(problem)


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def fts_tables(conn: sqlite3.Connection) -> list[str]:
    cur = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY name"
    )
    return [r[0] for r in cur.fetchall()]


def _applied(conn: sqlite3.Connection) -> list[str] | None:
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'csdesk' ORDER BY id"
        ).fetchall()
    except sqlite3.OperationalError:
        return None
    return [r[0] for r in rows]


def expected_schema(applied: list[str]) -> dict[str, tuple[str, str, str]]:
    """name -> (type, table, sql) of every index, trigger and table the migrations in `applied`
    create, built in memory by running exactly those migrations (so it can never drift)."""
    return dict(_expected(tuple(applied)))


@functools.lru_cache(maxsize=8)
def _expected(applied: tuple[str, ...]) -> tuple[tuple[str, tuple[str, str, str]], ...]:
    # Cached: building it runs every migration in memory (~0.1 s), and it depends on the
    # migration names alone.
    from csdesk.store.migrations import migrations

    mem = sqlite_utils.Database(
        sqlite3.connect(":memory:", isolation_level=None), execute_plugins=False
    )
    try:
        by_name = {m.name: m for m in migrations._migrations}
        with mem.atomic():
            for name in applied:
                if name in by_name:
                    by_name[name].fn(mem)
        rows = mem.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        ).fetchall()
    finally:
        mem.close()
    return tuple((name, (kind, table, sql)) for kind, name, table, sql in rows)


def _missing(conn: sqlite3.Connection, report: CheckReport) -> None:
    applied = _applied(conn)
    if not applied:
        return  # not (yet) a csdesk database: nothing to compare against
    expected = expected_schema(applied)
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    shadow = {n for n in expected if any(n.startswith(f"{t}_") for t in _fts_names(expected))}
    for name, (kind, _table, _sql) in sorted(expected.items()):
        if name in present or name in shadow:
            continue
        if kind == "index":
            report.fail(f"index {name} is missing", repairable=True)
        elif kind == "trigger":
            report.fail(f"trigger {name} is missing", repairable=True)
        elif _is_fts(expected[name][2]):
            report.fail(f"search index {name} is missing", repairable=True)
        else:
            report.fail(f"table {name} is missing")
    report.checked.append("every index and search index the schema needs")


def _is_fts(sql: str) -> bool:
    return sql.upper().startswith("CREATE VIRTUAL TABLE") and "FTS5" in sql.upper()


def _fts_names(expected: dict[str, tuple[str, str, str]]) -> list[str]:
    return [n for n, (kind, _t, sql) in expected.items() if kind == "table" and _is_fts(sql)]


def check(conn: sqlite3.Connection, *, quick: bool = False) -> CheckReport:
    """The page-level check (integrity_check, or quick_check when `quick`), then that every
    index, trigger and search index the schema needs exists, then FTS5's own integrity-check of
    each search index.

    FTS5's check is written as an INSERT, so it needs a writable connection; it changes nothing.
    """
    report = CheckReport()
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(50)").fetchall()]
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            report.busy = True
            return report
        report.fail(f"the file cannot be read as a database ({exc})")
        return report
    report.checked.append("database pages and indexes")
    if rows != ["ok"]:
        for row in rows:
            # a page-level problem only in an index: REINDEX rebuilds it from the table
            report.fail(f"database: {row}", repairable=_only_index(row))
    try:
        _missing(conn, report)
        tables = fts_tables(conn)
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            report.busy = True
            return report
        report.fail(f"the schema cannot be read ({exc})")
        return report
    for table in tables:
        report.checked.append(f"search index {table}")
        try:
            conn.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'integrity-check\')')
            missing = _unfindable(conn, table)
            if missing:
                report.fail(
                    f"search index {table} does not find rows its table holds ({missing})",
                    repairable=True,
                )
        except (sqlite3.DatabaseError, MemoryError) as exc:
            if is_busy(exc):
                report.busy = True  # one wait is enough: the next index would wait the same
                return report
            # SQLite reports some damaged FTS pages as out-of-memory, which Python raises as
            # MemoryError: still a damaged index, not a reason to crash the check.
            report.fail(f"search index {table}: {exc or 'damaged'}", repairable=True)
    return report


_CONTENT = re.compile(r"content\s*=\s*'(\w+)'", re.IGNORECASE)
_CONTENT_ROWID = re.compile(r"content_rowid\s*=\s*'(\w+)'", re.IGNORECASE)
_WORD = re.compile(r"\w+")
SAMPLE_ROWS = 64


def _unfindable(conn: sqlite3.Connection, table: str) -> str:
    """Probe an external-content search index with rows of its table: FTS5's integrity-check
    (SQLite 3.40) does not compare the index with an external table, and a damaged structure
    record reads as an empty, "consistent" index. Returns a description of a row the index does
    not find, or ''."""
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    content = _CONTENT.search(sql)
    if not content:
        return ""
    rowid = _CONTENT_ROWID.search(sql)
    key = rowid.group(1) if rowid else "rowid"
    columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    if not columns:
        return ""
    first = columns[0]
    rows = conn.execute(
        f'SELECT "{key}", "{first}" FROM "{content.group(1)}" WHERE "{first}" != \'\' '
        f"ORDER BY random() LIMIT {SAMPLE_ROWS}"
    ).fetchall()
    for ident, text in rows:
        word = _WORD.search(str(text))
        if word is None:
            continue
        phrase = '"' + word.group(0).replace('"', '""') + '"'
        found = conn.execute(
            f'SELECT 1 FROM "{table}" WHERE "{table}" MATCH ? AND rowid = ?',
            [f"{first} : {phrase}", ident],
        ).fetchone()
        if found is None:
            return f"row {ident}"
    return ""


def _only_index(row: str) -> bool:
    text = row.lower()
    return ("missing from index" in text or "wrong # of entries in index" in text
            or "non-unique entry in index" in text)


def check_file(path: Path, *, quick: bool = False, wait_ms: int = CHECK_WAIT_MS) -> CheckReport:
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
        return _check_read_only(path, quick=quick)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=wait_ms / 1000)
    except sqlite3.DatabaseError as exc:
        report = CheckReport()
        report.fail(f"the file cannot be opened as a database ({exc})")
        return report
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        return check(conn, quick=quick)
    except sqlite3.DatabaseError as exc:
        report = CheckReport()
        if is_busy(exc):
            report.busy = True
        else:
            report.fail(f"the file cannot be read as a database ({exc})")
        return report
    finally:
        conn.close()


def _check_read_only(path: Path, *, quick: bool) -> CheckReport:
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
                    report = check(copy, quick=quick)
                finally:
                    copy.close()
            finally:
                source.close()
        except sqlite3.DatabaseError as exc:
            report = CheckReport()
            if is_busy(exc):
                report.busy = True
            else:
                report.fail(f"the file cannot be read as a database ({exc})")
            return report
    report.checked.append("(the file is read-only: checked through a copy)")
    return report


def repair(conn: sqlite3.Connection) -> list[str]:
    """Rebuild what the tables still hold: missing indexes, triggers and search indexes are
    created again, damaged search indexes are rebuilt from their tables, and REINDEX rebuilds
    every ordinary index. One transaction: it all happens or none of it. Returns what was done.

    Tables themselves cannot be rebuilt: if a table is damaged, a backup is the only way back.
    """
    applied = _applied(conn) or []
    expected = expected_schema(applied)
    fts = _fts_names(expected)
    done: list[str] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        damaged: list[str] = []
        for table in fts:
            if table not in present:
                continue
            try:
                conn.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'integrity-check\')')
                if _unfindable(conn, table):
                    damaged.append(table)
            except (sqlite3.DatabaseError, MemoryError):
                damaged.append(table)
        for table in damaged:
            # Dropping takes the shadow tables with it; it is created again just below.
            conn.execute(f'DROP TABLE "{table}"')
            present.discard(table)
        order = {"table": 0, "index": 1, "trigger": 2}
        shadow = {n for n in expected if any(n.startswith(f"{t}_") for t in fts)}
        for name, (kind, _table, sql) in sorted(expected.items(), key=lambda kv: order.get(kv[1][0], 3)):
            if name in present or name in shadow:
                continue
            if kind == "table" and not _is_fts(sql):
                continue  # a lost table is lost: only a backup has its rows
            conn.execute(sql)
            done.append(f"created {'search index' if name in fts else kind} {name} again")
        for table in fts:
            if table in damaged or table not in present:
                conn.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'rebuild\')')
                conn.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'optimize\')')
                done.append(f"rebuilt search index {table} from its table")
        conn.execute("REINDEX")
        done.append("rebuilt every index from its table")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return done
