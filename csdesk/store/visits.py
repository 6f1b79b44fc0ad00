"""Visits (in person, calls, e-mails, ...) and the customer's last-seen facts they keep current."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from csdesk.store.dialect import greatest, using_index
from csdesk.store.rows import Row, all_rows, inserted_id, one_row

VISIT_COLUMNS = (
    "id, customer_id, at, channel, purpose, outcome, staff_id, duration_s, satisfaction, "
    "direction, created_at, created_by, updated_at, updated_by, deleted_at, version"
)

# This source's share of a customer's timeline (see store.timeline). Calls are visits on the
# 'phone' channel; the service reads their direction and duration for the page it shows.
TIMELINE_SQL = (
    "SELECT 'visit' AS kind, id AS ref_id, customer_id, at, channel, purpose AS title, "
    "outcome AS detail, staff_id FROM visits WHERE deleted_at IS NULL"
)

# How many recent visits feed purpose suggestions: enough to know the shop's habits, bounded so
# typing stays instant on a database with millions of visits.
PURPOSE_WINDOW = 2000


def insert(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    cur = db.execute(
        f"INSERT INTO visits ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    visit_id = inserted_id(cur)
    if row.get("customer_id") is not None:
        touch_customer(db, int(row["customer_id"]), row["at"], visit=True)
    return visit_id


def get(db: sqlite_utils.Database, visit_id: int) -> Row | None:
    return one_row(db.execute(f"SELECT {VISIT_COLUMNS} FROM visits WHERE id = ?", [visit_id]))


def update(
    db: sqlite_utils.Database, visit_id: int, changes: Row, *, version: int | None = None
) -> bool:
    """Bumps the version; with `version` only if nobody saved since (False: stale, unchanged)."""
    assignments = ", ".join(f"{key} = ?" for key in changes)
    guard = "" if version is None else " AND version = ?"
    cur = db.execute(
        f"UPDATE visits SET {assignments}, version = version + 1 WHERE id = ?{guard}",
        [*changes.values(), visit_id, *([] if version is None else [version])],
    )
    return cur.rowcount == 1


def set_deleted(db: sqlite_utils.Database, visit_id: int, deleted_at: str | None) -> None:
    db.execute("UPDATE visits SET deleted_at = ? WHERE id = ?", [deleted_at, visit_id])


def touch_customer(db: sqlite_utils.Database, customer_id: int, at: str, *, visit: bool) -> None:
    """Keep last_seen_at (any interaction), last_visit_at and visit_count current."""
    if visit:
        last_visit = greatest(db, "coalesce(last_visit_at, '')", "?")
        db.execute(
            "UPDATE customers SET visit_count = visit_count + 1, "
            f"last_visit_at = {last_visit}, "
            f"last_seen_at = {greatest(db, 'last_seen_at', '?')} WHERE id = ?",
            [at, at, customer_id],
        )
    else:
        db.execute(
            f"UPDATE customers SET last_seen_at = {greatest(db, 'last_seen_at', '?')} WHERE id = ?",
            [at, customer_id],
        )


def recompute_customer(db: sqlite_utils.Database, customer_id: int) -> None:
    """Recount after a delete or restore: the facts follow what is still there.

    last_seen_at never drops below created_at; every read here is an indexed walk of one
    customer's rows.
    """
    latest = greatest(
        db,
        "created_at",
        "coalesce((SELECT max(at) FROM visits WHERE customer_id = :id AND deleted_at IS NULL), '')",
        "coalesce((SELECT max(coalesce(updated_at, created_at)) FROM notes "
        "WHERE customer_id = :id AND deleted_at IS NULL), '')",
    )
    db.execute(
        "UPDATE customers SET "
        "visit_count = (SELECT count(*) FROM visits "
        "  WHERE customer_id = :id AND deleted_at IS NULL), "
        "last_visit_at = (SELECT max(at) FROM visits "
        "  WHERE customer_id = :id AND deleted_at IS NULL), "
        f"last_seen_at = {latest} "
        "WHERE id = :id",
        {"id": customer_id},
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


def last_for_customer(db: sqlite_utils.Database, customer_id: int) -> Row | None:
    rows = for_customer(db, customer_id, limit=1)
    return rows[0] if rows else None


def count_for_customer(db: sqlite_utils.Database, customer_id: int) -> int:
    return int(
        db.execute(
            "SELECT count(*) FROM visits WHERE customer_id = ? AND deleted_at IS NULL",
            [customer_id],
        ).fetchone()[0]
    )


def call_facts(db: sqlite_utils.Database, visit_ids: list[int]) -> dict[int, Row]:
    """Direction, duration and satisfaction of these visits (one primary-key lookup each)."""
    if not visit_ids:
        return {}
    cur = db.execute(
        "SELECT id, direction, duration_s, satisfaction FROM visits "
        f"WHERE id IN ({', '.join('?' for _ in visit_ids)})",
        visit_ids,
    )
    return {r["id"]: r for r in all_rows(cur)}


def recent_purposes(
    db: sqlite_utils.Database, window: int = PURPOSE_WINDOW
) -> list[tuple[str, int, str]]:
    """(purpose, times, latest at) over the shop's `window` most recent visits with a purpose."""
    cur = db.execute(
        "SELECT purpose, count(*), max(at) FROM ("
        f"  SELECT purpose, at FROM visits {using_index(db, 'visits_purposes')} "
        "  WHERE deleted_at IS NULL AND purpose != '' ORDER BY at DESC LIMIT ?"
        ") AS recent GROUP BY purpose",
        [window],
    )
    return [(r[0], int(r[1]), r[2]) for r in cur.fetchall()]
