"""Visits (in person, calls, e-mails, ...) and the customer's last-seen facts they keep current."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from csdesk.store.rows import Row, all_rows

VISIT_COLUMNS = (
    "id, customer_id, at, channel, purpose, outcome, staff_id, duration_s, satisfaction, direction"
)


def insert(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    cur = db.execute(
        f"INSERT INTO visits ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
    visit_id = int(cur.lastrowid or 0)
    if row.get("customer_id") is not None:
        touch_customer(db, int(row["customer_id"]), row["at"], visit=True)
    return visit_id


def touch_customer(db: sqlite_utils.Database, customer_id: int, at: str, *, visit: bool) -> None:
    """Keep last_seen_at (any interaction), last_visit_at and visit_count current."""
    if visit:
        db.execute(
            "UPDATE customers SET visit_count = visit_count + 1, "
            "last_visit_at = max(coalesce(last_visit_at, ''), ?), "
            "last_seen_at = max(last_seen_at, ?) WHERE id = ?",
            [at, at, customer_id],
        )
    else:
        db.execute(
            "UPDATE customers SET last_seen_at = max(last_seen_at, ?) WHERE id = ?",
            [at, customer_id],
        )


def for_customer(
    db: sqlite_utils.Database, customer_id: int, *, offset: int = 0, limit: int = 50
) -> list[Row]:
    cur = db.execute(
        f"SELECT {VISIT_COLUMNS} FROM visits WHERE customer_id = ? AND deleted_at IS NULL "
        "ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
        [customer_id, limit, offset],
    )
    return all_rows(cur)


def count_for_customer(db: sqlite_utils.Database, customer_id: int) -> int:
    return int(
        db.execute(
            "SELECT count(*) FROM visits WHERE customer_id = ? AND deleted_at IS NULL",
            [customer_id],
        ).fetchone()[0]
    )
