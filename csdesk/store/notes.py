"""Personal notes about a customer."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from csdesk.store.rows import Row, all_rows

NOTE_COLUMNS = (
    "id, customer_id, body, kind, pinned, read_before_serving, expires_on, created_at, created_by"
)


def insert(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    cur = db.execute(
        f"INSERT INTO notes ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
    return int(cur.lastrowid or 0)


def for_customer(db: sqlite_utils.Database, customer_id: int) -> list[Row]:
    cur = db.execute(
        f"SELECT {NOTE_COLUMNS} FROM notes WHERE customer_id = ? AND deleted_at IS NULL "
        "ORDER BY pinned DESC, created_at DESC, id DESC",
        [customer_id],
    )
    return all_rows(cur)
