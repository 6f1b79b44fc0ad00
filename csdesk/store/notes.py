"""Personal notes about a customer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from csdesk.store.rows import Row, all_rows, inserted_id, one_row
from csdesk.text import fold

NOTE_COLUMNS = (
    "id, customer_id, body, kind, pinned, read_before_serving, expires_on, created_at, created_by, "
    "updated_at, updated_by, deleted_at, version"
)

# This source's share of a customer's timeline (see store.timeline). A note has no channel;
# its kind (preference, warning, ...) travels in `detail` for the service to word the title.
TIMELINE_SQL = (
    "SELECT 'note' AS kind, id AS ref_id, customer_id, created_at AS at, NULL AS channel, "
    "body AS title, kind AS detail, created_by AS staff_id FROM notes WHERE deleted_at IS NULL"
)


def insert(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    if "body" in row:
        row = {**row, "body_norm": fold(row["body"])}  # what notes_fts indexes
    cur = db.execute(
        f"INSERT INTO notes ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    return inserted_id(cur)


def get(db: sqlite_utils.Database, note_id: int) -> Row | None:
    return one_row(db.execute(f"SELECT {NOTE_COLUMNS} FROM notes WHERE id = ?", [note_id]))


def update(
    db: sqlite_utils.Database, note_id: int, changes: Row, *, version: int | None = None
) -> bool:
    """Bumps the version; with `version` only if nobody saved since (False: stale, unchanged)."""
    if "body" in changes:
        changes = {**changes, "body_norm": fold(changes["body"])}
    assignments = ", ".join(f"{key} = ?" for key in changes)
    guard = "" if version is None else " AND version = ?"
    cur = db.execute(
        f"UPDATE notes SET {assignments}, version = version + 1 WHERE id = ?{guard}",
        [*changes.values(), note_id, *([] if version is None else [version])],
    )
    return cur.rowcount == 1


def for_customer(db: sqlite_utils.Database, customer_id: int, *, limit: int = 500) -> list[Row]:
    cur = db.execute(
        f"SELECT {NOTE_COLUMNS} FROM notes WHERE customer_id = ? AND deleted_at IS NULL "
        "ORDER BY pinned DESC, created_at DESC, id DESC LIMIT ?",
        [customer_id, limit],
    )
    return all_rows(cur)


def read_first(db: sqlite_utils.Database, customer_id: int, today: str) -> list[Row]:
    """Read-before-serving notes still in force on `today` (YYYY-MM-DD; expiry day included)."""
    cur = db.execute(
        f"SELECT {NOTE_COLUMNS} FROM notes WHERE customer_id = ? AND deleted_at IS NULL "
        "AND read_before_serving = 1 AND (expires_on IS NULL OR expires_on >= ?) "
        "ORDER BY pinned DESC, created_at DESC, id DESC LIMIT 20",
        [customer_id, today],
    )
    return all_rows(cur)


def one_per_customer(matches: Iterable[tuple[int, int]], limit: int) -> dict[int, int]:
    """{customer_id: first note_id} of (customer_id, note_id) matches, at most `limit` customers."""
    found: dict[int, int] = {}
    for customer_id, note_id in matches:
        found.setdefault(customer_id, note_id)
        if len(found) >= limit:
            break
    return found


def bodies(db: sqlite_utils.Database, note_ids: list[int]) -> dict[int, str]:
    if not note_ids:
        return {}
    cur = db.execute(
        f"SELECT id, body FROM notes WHERE id IN ({', '.join('?' for _ in note_ids)})", note_ids
    )
    return {r[0]: r[1] for r in cur.fetchall()}
