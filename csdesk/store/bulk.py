"""Fast inserts for generated or imported data, in caller-controlled transactions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlite_utils

CUSTOMER_COLUMNS = (
    "id, first_name, last_name, preferred_name, pronunciation, pronouns, birthday, email, "
    "email_norm, company, address, marketing_consent, marketing_consent_at, search_norm, "
    "exact_keys, last_seen_at, last_visit_at, visit_count, created_at, updated_at, created_by, "
    "updated_by"
)
PHONE_COLUMNS = "customer_id, position, label, raw, e164, digits_rev, national"
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
    marks = ", ".join("?" for _ in columns.split(","))
    db.conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def insert_customers(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    _insert_many(db, "customers", CUSTOMER_COLUMNS, rows)


def insert_phones(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    _insert_many(db, "customer_phones", PHONE_COLUMNS, rows)


def insert_visits(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    _insert_many(db, "visits", VISIT_COLUMNS, rows)


def insert_notes(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    _insert_many(db, "notes", NOTE_COLUMNS, rows)


def next_customer_id(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM customers").fetchone()[0])


BULK_TABLES = ("customers", "customer_phones", "visits", "notes")


@contextmanager
def loading(db: sqlite_utils.Database) -> Iterator[None]:
    """One transaction for a large load into these tables: drop their indexes and triggers,
    load, then rebuild indexes with one sort each and every FTS index in one pass.

    Several times faster than keeping random-order indexes current row by row. Foreign keys are
    off for the load (the loader guarantees them) and on again afterwards.
    """
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
    try:
        with db.atomic():
            for kind, name, _sql in saved:
                db.execute(f"DROP {kind.upper()} {name}")
            yield
            for _kind, _name, sql in saved:
                db.execute(sql)
            for table in fts_tables:
                db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
                # One segment: otherwise the many segments a rebuild leaves are merged bit by
                # bit by later writes, and some single commits pay 20-200 ms for it.
                db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    finally:
        db.execute(f"PRAGMA cache_size = {int(old_cache)}")
        db.execute("PRAGMA foreign_keys = ON")
