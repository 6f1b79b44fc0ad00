"""Letters as they were sent: the rendered HTML is kept verbatim for exact reprints."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from csdesk.store.rows import Row, all_rows, inserted_id, one_row

LETTER_COLUMNS = (
    "id, customer_id, template, title, html, page_size, issue_id, created_at, created_by"
)

# One arm of the customer's timeline; the timeline helper UNIONs every area's arm.
TIMELINE_SQL = (
    "SELECT 'letter' AS kind, id AS ref_id, customer_id, created_at AS at, "
    "'letter' AS channel, title, template AS detail, created_by AS staff_id FROM letters"
)


def insert(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    cur = db.execute(
        f"INSERT INTO letters ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    return inserted_id(cur)


def get(db: sqlite_utils.Database, letter_id: int) -> Row | None:
    return one_row(db.execute(f"SELECT {LETTER_COLUMNS} FROM letters WHERE id = ?", [letter_id]))


def for_customer(db: sqlite_utils.Database, customer_id: int, *, limit: int = 100) -> list[Row]:
    """Newest first, without the HTML: a list needs titles, a reprint fetches one letter."""
    cur = db.execute(
        "SELECT id, customer_id, template, title, page_size, issue_id, created_at, created_by "
        "FROM letters WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        [customer_id, limit],
    )
    return all_rows(cur)
