"""Fast inserts for generated or imported data, in caller-controlled transactions."""

from __future__ import annotations

from collections.abc import Sequence
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
