"""Fast inserts for generated or imported data, in caller-controlled transactions."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlite_utils

from csdesk.store import dialect, insights
from csdesk.store.db import atomic, execute_many, in_transaction, insert_rows, is_server_db
from csdesk.text import fold

CUSTOMER_COLUMNS = (
    "id, first_name, last_name, preferred_name, pronunciation, pronouns, birthday, email, "
    "email_norm, company, address, marketing_consent, marketing_consent_at, search_norm, "
    "exact_keys, last_seen_at, last_visit_at, visit_count, created_at, updated_at, created_by, "
    "updated_by"
)
PHONE_COLUMNS = "customer_id, position, label, raw, e164, digits_rev, national"
EMAIL_COLUMNS = "customer_id, position, label, address, email_norm"
VISIT_COLUMNS = (
    "customer_id, at, channel, purpose, outcome, staff_id, duration_s, satisfaction, direction, "
    "created_at, created_by"
)
NOTE_COLUMNS = (
    "customer_id, body, kind, pinned, read_before_serving, expires_on, created_at, created_by"
)


def _insert_many(
    db: sqlite_utils.Database, table: str, columns: str, rows: Sequence[Sequence[Any]]
) -> None:
    insert_rows(db, table, [c.strip() for c in columns.split(",")], rows)


_ID, _EMAIL, _EMAIL_NORM = (
    [c.strip() for c in CUSTOMER_COLUMNS.split(",")].index(name) for name in ("id", "email", "email_norm")
)


def insert_customers(
    db: sqlite_utils.Database,
    rows: Sequence[Sequence[Any]],
    emails: Sequence[Sequence[Any]] | None = None,
) -> None:
    """`emails` in EMAIL_COLUMNS order, every address with the primary at position 0; None: each
    row's own e-mail becomes its only address (the demo's customers have one)."""
    _insert_many(db, "customers", CUSTOMER_COLUMNS, rows)  # ids from new_customer_ids
    if emails is None:
        emails = [(r[_ID], 0, "other", r[_EMAIL], r[_EMAIL_NORM]) for r in rows if r[_EMAIL]]
    _insert_many(db, "customer_emails", EMAIL_COLUMNS, emails)


def insert_phones(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    _insert_many(db, "customer_phones", PHONE_COLUMNS, rows)


def insert_visits(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    _insert_many(db, "visits", VISIT_COLUMNS, rows)


def insert_notes(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    """Rows of NOTE_COLUMNS; the folded body notes_fts indexes is added here, like store.notes."""
    _insert_many(
        db, "notes", NOTE_COLUMNS + ", body_norm", [(*row, fold(str(row[1]))) for row in rows]
    )


def add_slots(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    """visit_slots counts the loader made itself (insights.add_slots_sql), inside loading(db,
    count_slots=False)."""
    execute_many(db, insights.add_slots_sql(), rows)


def has_customers(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT 1 FROM customers LIMIT 1").fetchone() is not None


def new_customer_ids(db: sqlite_utils.Database, count: int) -> list[int]:
    """Ids for `count` customers about to be inserted with insert_customers, ascending.

    On the file, the next ones after max(id) (the file has one writer at a time, and the caller
    inserts them in the same write). On a server they are taken from the customers identity's
    sequence: another counter adding a customer meanwhile gets the next value after them, never
    one of these (a sequence hands each value out once, whatever the transactions do), so an
    import and the counters cannot collide. They are usually consecutive, but need not be."""
    return dialect.new_ids(db, "customers", count)


log = logging.getLogger(__name__)


@contextmanager
def rollback_journal(db: sqlite_utils.Database) -> Iterator[bool]:
    """Run a load into a new database with a rollback journal instead of the WAL; WAL again after.

    In WAL mode every page of one huge transaction is written twice (to the log, then copied back)
    and every page read during the index builds is looked up in the log's index first; that was
    about half of `csdesk demo --customers 1000000`. A rollback journal keeps only the pages that
    existed before the transaction (a new database has few), so a killed load is still undone
    whole: the next open rolls the journal back and the database is as it was, never half loaded.
    Only when this connection is the file's only one (SQLite refuses otherwise); yields whether
    the journal was switched, and leaves the file in WAL mode either way. A server has no
    journal of ours to switch: nothing is done there."""
    if is_server_db(db):
        yield False
        return
    mode = str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    switched = False
    if mode == "wal" and not db.conn.in_transaction:
        try:
            switched = str(db.execute("PRAGMA journal_mode = DELETE").fetchone()[0]).lower() == "delete"
        except sqlite3.OperationalError:  # another connection has the file open: stay in WAL
            switched = False
    try:
        yield switched
    finally:
        if switched:
            back = str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            if back != "wal":  # db.py's own rule: every writer uses WAL (readers during writes)
                log.warning("could not switch %s back to WAL (still %s)", db.conn, back)


def _fts_feeds(db: sqlite_utils.Database, tables: Sequence[str]) -> list[tuple[str, str, str, str]]:
    """(trigger name, its SQL, the table's id column, the FTS insert from the table) for each
    external-content FTS5 index over `tables` whose AFTER INSERT trigger feeds it row by row."""
    feeds = []
    for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
    ).fetchall():
        content = re.search(r"content\s*=\s*'(\w+)'", sql)
        if not content or content.group(1) not in tables:
            continue
        rowid = re.search(r"content_rowid\s*=\s*'(\w+)'", sql)
        table, id_col = content.group(1), rowid.group(1) if rowid else "rowid"
        columns = ", ".join(str(r[1]) for r in db.execute(f"PRAGMA table_info({name})").fetchall())
        for trigger, trigger_sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", [table]
        ).fetchall():
            if re.search(r"AFTER\s+INSERT\s+ON", trigger_sql, re.I) and f"INTO {name}(" in trigger_sql:
                insert = (
                    f"INSERT INTO {name}(rowid, {columns}) "
                    f"SELECT {id_col}, {columns} FROM {table} WHERE {id_col} > ? ORDER BY {id_col}"
                )
                feeds.append((trigger, trigger_sql, f"{table}.{id_col}", insert))
    return feeds


@contextmanager
def fts_after_inserts(db: sqlite_utils.Database, tables: Sequence[str]) -> Iterator[None]:
    """Inside the caller's transaction: rows inserted into `tables` meanwhile reach their FTS
    indexes in one INSERT ... SELECT per index at the end, not one trigger call per row.

    Feeding FTS5 row by row from the AFTER INSERT triggers was ~80% of an import's writing
    (about 170 of 210 µs a customer with a phone); the same rows fed set-wise cost ~15 µs. The
    triggers are dropped and made again within the transaction, so no other connection ever sees
    the schema without them, and a rollback takes back both. Only inserts of new rows (ids above
    every id before) may happen inside; updates and deletes still go through their triggers.
    On a server the search vectors are generated columns, current as each row is written:
    nothing to feed."""
    if not in_transaction(db):
        raise RuntimeError("fts_after_inserts runs inside the caller's transaction")
    if is_server_db(db):
        yield
        return
    feeds = _fts_feeds(db, tables)
    before: dict[str, int] = {}
    for trigger, _sql, column, _insert in feeds:
        table, id_col = column.split(".")
        before[column] = int(db.execute(f"SELECT coalesce(max({id_col}), 0) FROM {table}").fetchone()[0])
        db.execute(f"DROP TRIGGER {trigger}")
    yield
    for _trigger, sql, column, insert in feeds:
        db.execute(insert, [before[column]])
        db.execute(sql)


BULK_TABLES = ("customers", "customer_phones", "customer_emails", "visits", "notes")


def server_indexes(db: sqlite_utils.Database, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the server's indexes on `tables` that no constraint
    owns (a primary key's or unique constraint's index cannot be dropped on its own)."""
    marks = ", ".join("?" for _ in tables)
    cur = db.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
        f"AND i.tablename IN ({marks}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = to_regclass(quote_ident(i.indexname))) ORDER BY i.indexname",
        list(tables),
    )
    return [(str(name), str(sql)) for name, sql in cur.fetchall()]


_REBUILD_HASH = 64 * 1024 * 1024
_FTS5_HASH = 1024 * 1024  # FTS5's own default (FTS5_DEFAULT_HASHSIZE)


@contextmanager
def loading(db: sqlite_utils.Database, *, count_slots: bool = True) -> Iterator[None]:
    """One transaction for a large load into these tables: drop their indexes and triggers,
    load, then rebuild indexes with one sort each and every FTS index in one pass.

    visit_slots is counted from the loaded visits at the end, unless count_slots is False: then
    the loader adds its own counts (insights.add_slots) inside, as the demo does while drawing.

    Several times faster than keeping random-order indexes current row by row. Foreign keys are
    off for the load (the loader guarantees them) and on again afterwards.

    On a PostgreSQL server the load is one plain transaction: other counters keep searching
    while it runs, which dropped indexes would not allow, and the search vectors (generated
    columns) are current as rows arrive; visit_slots is counted at the end (below).
    """
    if is_server_db(db):
        with atomic(db):
            # As on the file, for a load into an empty book (the demo's): the tables' own
            # indexes dropped and built again with one sort each at the end, and visit_slots'
            # row trigger (a lookup and an upsert per visit) paused, the loaded visits counted
            # in one statement. Three times faster than keeping them current row by row. The
            # other counters wait for the load to commit (DROP INDEX and ALTER TABLE lock the
            # tables), which an empty book can afford; indexes behind constraints (primary
            # keys, unique) stay and keep checking.
            indexes = server_indexes(db, BULK_TABLES)
            for index, _create in indexes:
                db.execute(f'DROP INDEX "{index}"')
            counted_after = insights.max_visit_id(db)
            db.execute("ALTER TABLE visits DISABLE TRIGGER visit_slots_count")
            yield
            db.execute("ALTER TABLE visits ENABLE TRIGGER visit_slots_count")
            if count_slots:
                insights.rebuild_slots(db, counted_after)
            for _index, create in indexes:
                db.execute(create)
        return
    marks = ", ".join("?" for _ in BULK_TABLES)
    saved = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        f"AND tbl_name IN ({marks}) AND sql IS NOT NULL",
        list(BULK_TABLES),
    ).fetchall()
    fts_tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%' "
            "AND sql LIKE '%content=%'"
        ).fetchall()
    ]
    db.execute("PRAGMA foreign_keys = OFF")
    old_cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA cache_size = -262144")  # 256 MiB while sorting indexes
    slots = count_slots and insights.has_slots(db)
    loaded_after = insights.max_visit_id(db) if slots else 0
    try:
        with db.atomic():
            for kind, name, _sql in saved:
                db.execute(f"DROP {kind.upper()} {name}")
            yield
            # The FTS indexes before the tables' own indexes: a rebuild reads its columns with a
            # plain SELECT, which an index covering them (phones_e164 covers id and e164) would
            # answer in that index's order; FTS5 wants rowids ascending, and fed out of order
            # it flushed a segment at every step back and merged them (phones_fts's rebuild
            # was 23 of 123 s CPU of `csdesk demo --customers 1000000`; in rowid order, ~3).
            for table in fts_tables:
                # A rebuild writes a segment each time its in-memory terms reach 'hashsize'
                # (1 MiB by default), and 'optimize' then merges them all: with 64 MiB, a
                # million customers' rebuild writes a few big segments instead of hundreds
                # (customers_fts + phones_fts rebuild and optimize at 300,000 customers: 2.6 s
                # CPU -> 1.75 s). Set back after, as FTS5 keeps it in the index's config.
                db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {_REBUILD_HASH})")
                db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
                # One segment: otherwise the many segments a rebuild leaves are merged bit by
                # bit by later writes, and some single commits pay 20-200 ms for it.
                db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
                db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {_FTS5_HASH})")
            if slots:  # the load ran without visit_slots' triggers: count what it added
                insights.rebuild_slots(db, loaded_after)
            # Index builds sort, in memory up to the page cache's size and through temporary
            # files beyond it: with 1 GiB instead of 256 MiB, the sorts of 3,000,000 visits stay
            # in memory (visits_at + visits_purposes + phones_e164 at 1,000,000 customers: 8.9-
            # 10.5 s CPU and 9-15 s wall instead of 9-11 s CPU and 14-25 s wall, load 4-6). A
            # sort bigger than that (5,000,000 customers) is cut into parts that SQLite's helper
            # threads sort on the other core (the drawing workers are done by now).
            db.execute("PRAGMA cache_size = -1048576")
            db.execute("PRAGMA threads = 2")
            for _kind, _name, sql in saved:
                db.execute(sql)
    finally:
        db.execute("PRAGMA threads = 0")
        db.execute(f"PRAGMA cache_size = {int(old_cache)}")
        db.execute("PRAGMA foreign_keys = ON")
