"""`csdesk migrate --from FILE --to URL`: copy every table of the file to the server, then verify.

- The tables come from the file's own schema (sqlite_master), not from a list kept here: a table
  this csdesk does not know on the server stops the move before anything is copied, so a new
  table can never be left behind silently. FTS5 tables are indexes (the server builds its own),
  and the migrations table is history (the server has its own).
- The file is opened read-only (mode=ro): the move never changes it.
- The server database must be empty (or freshly set up by `csdesk server init`, whose seed rows
  the file's replace): a second run refuses rather than mix two shops or duplicate one.
- Each batch of rows is one transaction (COPY, fast); ids are kept; sequences are moved past
  them afterwards, so the next customer on the server gets the next id.
- Verification reads both sides again: row counts, and a SHA-256 per table of every row in
  primary-key order serialised the same way (JSON of the row's values) on both engines.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql

from csdesk.errors import UserError
from csdesk.store import db as file_db
from csdesk.store.migrations import known_migrations
from csdesk.store.server import connect, schema
from csdesk.store.server.target import redact

BATCH_ROWS = 10_000
FILE_HISTORY = "_sqlite_migrations"
# Rows `csdesk server init` puts in a new database; the file's own replace them.
SEED_TABLES = ("settings", "issue_categories")
# Kept by the server's own triggers as the rows they count arrive (visit_slots counts visits):
# not copied, but verified like every other table, so the server's counting is proven equal.
DERIVED_TABLES = ("visit_slots",)

Progress = Callable[[int, int, str], bool]  # (rows done, rows in all, table) -> go on?


@dataclass
class TableCheck:
    table: str
    file_rows: int
    server_rows: int
    file_sha256: str
    server_sha256: str

    @property
    def ok(self) -> bool:
        return self.file_rows == self.server_rows and self.file_sha256 == self.server_sha256


@dataclass
class CopyReport:
    tables: list[TableCheck] = field(default_factory=list)
    rows: int = 0
    copy_s: float = 0.0
    verify_s: float = 0.0

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)


def open_source(path: Path) -> sqlite3.Connection:
    """The file, read-only, at the schema this csdesk knows (older: upgrade it first; newer: refuse)."""
    if not path.is_file():
        raise UserError(f"There is no database file {path}. Check the path given to --from.")
    if path.stat().st_size == 0:
        raise file_db.EmptyDatabaseFile(path)
    try:
        conn = file_db._connect_read_only(path)
        conn.execute("PRAGMA query_only = ON")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied = (
            [r[0] for r in conn.execute(f"SELECT name FROM {FILE_HISTORY} ORDER BY id")]
            if FILE_HISTORY in tables else []
        )
    except sqlite3.DatabaseError as exc:
        raise file_db.translate_error(exc, path) from exc
    known = known_migrations()
    if not applied:
        conn.close()
        raise UserError(f"The file {path} is not a csdesk database; nothing was copied.")
    if any(name not in known for name in applied):
        conn.close()
        raise UserError(
            f"The file {path} was made by a newer csdesk: update csdesk first; nothing was copied."
        )
    if applied != known:
        conn.close()
        raise UserError(
            f"The file {path} was made by an older csdesk: open it once with this one "
            f"(`csdesk --db {path} check`) so it is upgraded, then migrate; nothing was copied."
        )
    return conn


def file_tables(src: sqlite3.Connection) -> list[str]:
    """The file's data tables, parents before children (foreign keys), history and FTS left out."""
    rows = src.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    virtual = [name for name, sql in rows if str(sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    tables = [
        name for name, _ in rows
        if name != FILE_HISTORY and not name.startswith("sqlite_") and name not in virtual
        and not any(name.startswith(v + "_") for v in virtual)  # FTS5's shadow tables
    ]
    parents = {
        t: {r[2] for r in src.execute(f"PRAGMA foreign_key_list([{t}])") if r[2] != t and r[2] in tables}
        for t in tables
    }
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:  # a cycle: csdesk's schema has none; say so rather than loop
            raise UserError("The file's tables refer to each other in a circle; nothing was copied.")
        ordered.extend(ready)
    return ordered


def file_columns(src: sqlite3.Connection, table: str) -> list[str]:
    """Stored columns (generated ones, like issues.is_open, the server computes itself)."""
    return [r[1] for r in src.execute(f"PRAGMA table_xinfo([{table}])") if r[6] == 0]


def primary_key(src: sqlite3.Connection, table: str) -> list[str]:
    cols = sorted((r[5], r[1]) for r in src.execute(f"PRAGMA table_info([{table}])") if r[5])
    return [name for _, name in cols] or file_columns(src, table)  # no key: every column orders


def _select(table: str, columns: list[str], key: list[str], quote: str) -> str:
    cols = ", ".join(f"{quote}{c}{quote}" for c in columns)
    return f"SELECT {cols} FROM {quote}{table}{quote} ORDER BY {', '.join(key)}"


Rows = Iterator[tuple[Any, ...]]


def _file_rows(src: sqlite3.Connection, table: str, columns: list[str], key: list[str]) -> Rows:
    yield from src.execute(_select(table, columns, key, '"'))


def _server_rows(conn: psycopg.Connection, table: str, columns: list[str], key: list[str]) -> Rows:
    # A server-side cursor: a million rows stream in pages instead of filling memory.
    with conn.transaction(), conn.cursor(name=f"verify_{table}") as cur:
        cur.itersize = 5000
        cur.execute(_select(table, columns, key, '"'))
        yield from cur


def checksum(rows: Rows) -> tuple[int, str]:
    """(rows, SHA-256) of rows serialised one way on both engines: JSON arrays, one a line."""
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(json.dumps(list(row), ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


# While a migrate copies, the server database says so in a comment on csdesk's migrations
# table (written, committed, before the first row; removed in the copy's last transaction). A
# comment is not a row: the copy, which replaces the seed settings, cannot remove it, no table
# is needed for it, and a dump of the half-copied database carries it too. So a run cut off by
# a crash, a lost connection or a cancel leaves a mark, and the next run can tell "our own copy,
# cut short" (start it again: --replace-partial) from "a shop's data" (refuse).
PARTIAL_MARK = "csdesk: partial copy by csdesk migrate"


def partial_copy(conn: psycopg.Connection) -> str | None:
    """What the mark of a cut-off migrate says (when, from which file), None if there is none."""
    row = conn.execute("SELECT obj_description('csdesk_migrations'::regclass, 'pg_class')").fetchone()
    text = row[0] if row else None
    return text if text and text.startswith(PARTIAL_MARK) else None


def _mark_partial(conn: psycopg.Connection, detail: str) -> None:
    conn.execute(pgsql.SQL("COMMENT ON TABLE csdesk_migrations IS {}").format(
        pgsql.Literal(f"{PARTIAL_MARK} {detail}")))


def again_command(source: Path | str, target: str) -> str:
    return f"csdesk migrate --from {source} --to {redact(target)} --replace-partial"


def empty_partial_copy(conn: psycopg.Connection) -> None:
    """Inside the caller's transaction: empty every csdesk table of a cut-off migrate's copy
    (the mark stays until the new copy is complete)."""
    tables = [t for t in schema.user_tables(conn) if t != "csdesk_migrations"]
    conn.execute(pgsql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
        pgsql.SQL(", ").join(map(pgsql.Identifier, tables))))


# What a shop owner recognises comes first in the refusal: "302 customers, 961 visits", not the
# bookkeeping tables (changes, presence, visit_slots) that happen to come first in the file.
_SHOWN_FIRST = ("customers", "visits", "notes", "issues", "followups", "letters", "staff")


def _require_empty(conn: psycopg.Connection, tables: list[str]) -> None:
    held = []
    rank = {name: i for i, name in enumerate(_SHOWN_FIRST)}
    for table in sorted(tables, key=lambda t: rank.get(t, len(rank))):  # stable: the rest as listed
        if table in SEED_TABLES:
            continue
        (n,) = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # type: ignore[misc]
        if n:
            held.append(f"{n} {table}")
    settings = [r[0] for r in conn.execute("SELECT key FROM settings WHERE key <> 'database_id'")]
    if settings:
        held.append(f"{len(settings)} settings")
    categories = [r[0] for r in conn.execute("SELECT name FROM issue_categories ORDER BY id")]
    if categories != list(schema.ISSUE_CATEGORIES):
        held.append("changed issue categories")
    if held:
        raise UserError(
            f"The server database already holds csdesk data ({', '.join(held[:5])}): migrate copies "
            "into an empty database only, so nothing was copied. Use a new, empty database "
            "(or drop and recreate this one if its data is not needed)."
        )


def copy_file(
    src: sqlite3.Connection,
    conn: psycopg.Connection,
    target: str,
    progress: Progress,
    *,
    source: Path | str = "FILE",
    replace_partial: bool = False,
) -> CopyReport:
    """Copy every table of `src` into the (empty, csdesk) server database `conn`.

    `replace_partial`: the database holds the partial copy of an earlier migrate that was cut
    off (its mark says so): empty it and copy again; refused when there is no such mark."""
    tables = file_tables(src)
    server_tables = set(schema.user_tables(conn))
    unknown = [t for t in tables if t not in server_tables]
    if unknown:
        raise UserError(
            f"The file has tables csdesk cannot move to the server yet ({', '.join(unknown)}); "
            "nothing was copied. Update csdesk, then migrate."
        )
    cut_off = partial_copy(conn)
    again = again_command(source, target)
    if replace_partial and cut_off is None:
        raise UserError(
            "--replace-partial empties a partial copy left by a migrate that was cut off, and this "
            "server database holds none; nothing was changed."
        )
    if cut_off is not None and not replace_partial:
        raise UserError(
            f"The server database holds a partial copy from an earlier `csdesk migrate` that was "
            f"cut off ({cut_off[len(PARTIAL_MARK):].strip()}); nothing was copied now. To empty it "
            f"and copy again, run: {again}"
        )
    if cut_off is None:
        _require_empty(conn, tables)
    copied = [t for t in tables if t not in DERIVED_TABLES]
    totals = {t: src.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in copied}
    total = sum(totals.values())
    report = CopyReport(rows=total)
    started = time.perf_counter()
    done = 0
    with conn.transaction():
        if cut_off is not None:
            empty_partial_copy(conn)
        _mark_partial(conn, f"(started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
                            f"from {Path(str(source)).name})")
    try:
        for table in copied:
            columns = file_columns(src, table)
            key = primary_key(src, table)
            cols = ", ".join(f'"{c}"' for c in columns)
            rows = _file_rows(src, table, columns, key)
            first = True
            while True:
                batch = [row for _, row in zip(range(BATCH_ROWS), rows, strict=False)]
                if not batch and not first:
                    break
                with conn.transaction(), conn.cursor() as cur:
                    if first and table in SEED_TABLES:
                        cur.execute(f'DELETE FROM "{table}"')  # init's seed; the file's rows replace it
                    if batch:
                        with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                            for row in batch:
                                copy.write_row(row)
                first = False
                done += len(batch)
                if not progress(done, total, table):
                    raise UserError(
                        f"The move was cancelled after {done} of {total} rows; the server database "
                        f"holds a partial copy. To empty it and copy again, run: {again}"
                    )
                if len(batch) < BATCH_ROWS:
                    break
        with conn.transaction():
            conn.execute("COMMENT ON TABLE csdesk_migrations IS NULL")  # complete: no mark
            for table in tables:
                if "id" in file_columns(src, table) and primary_key(src, table) == ["id"]:
                    conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'GREATEST(max(id), 1), max(id) IS NOT NULL) FROM "{table}"'
                    )
        # VACUUM sets the visibility map, so the recency walk of search is an index-only scan
        # (no heap fetch per row) from the first search on; ANALYZE gives the planner the sizes.
        conn.execute("VACUUM (ANALYZE)")
    except psycopg.Error as exc:
        raise UserError(
            f"{connect.translate(exc, target)} The server database holds a partial copy "
            f"({done} of {total} rows). To empty it and copy again, run: {again}"
        ) from None
    report.copy_s = time.perf_counter() - started
    started = time.perf_counter()
    report.tables = verify(src, conn, tables)
    report.verify_s = time.perf_counter() - started
    return report


def verify(src: sqlite3.Connection, conn: psycopg.Connection, tables: list[str]) -> list[TableCheck]:
    checks = []
    for table in tables:
        columns = file_columns(src, table)
        key = primary_key(src, table)
        file_n, file_sum = checksum(_file_rows(src, table, columns, key))
        server_n, server_sum = checksum(_server_rows(conn, table, columns, key))
        checks.append(TableCheck(table, file_n, server_n, file_sum, server_sum))
    return checks
