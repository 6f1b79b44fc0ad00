"""Fast inserts for generated or imported data, in caller-controlled transactions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlite_utils

from csdesk.store import insights
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
    marks = ", ".join("?" for _ in columns.split(","))
    db.conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


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
    _insert_many(db, "customers", CUSTOMER_COLUMNS, rows)
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


def next_customer_id(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM customers").fetchone()[0])


BULK_TABLES = ("customers", "customer_phones", "customer_emails", "visits", "notes")


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
    slots = insights.has_slots(db)
    loaded_after = insights.max_visit_id(db) if slots else 0
    try:
        with db.atomic():
            for kind, name, _sql in saved:
                db.execute(f"DROP {kind.upper()} {name}")
            yield
            for _kind, _name, sql in saved:
                db.execute(sql)
            if slots:  # the load ran without visit_slots' triggers: count what it added
                insights.rebuild_slots(db, loaded_after)
            for table in fts_tables:
                db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
                # One segment: otherwise the many segments a rebuild leaves are merged bit by
                # bit by later writes, and some single commits pay 20-200 ms for it.
                db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    finally:
        db.execute(f"PRAGMA cache_size = {int(old_cache)}")
        db.execute("PRAGMA foreign_keys = ON")
