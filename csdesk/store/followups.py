"""Follow-ups: promises to get back to a customer, and the "due today / overdue" queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils

from csdesk.store.db import execute_many
from csdesk.store.plans import QueryPlan, query_plan
from csdesk.store.rows import Row, all_rows, inserted_id, nameless_phone, one_row

FOLLOWUP_COLUMNS = (
    "customer_id, issue_id, title, due_at, owner_id, done_at, done_by, outcome, created_at, "
    "created_by, updated_at, updated_by, version"
)

_SELECT = """
SELECT f.id, f.customer_id, f.issue_id, f.title, f.due_at, f.owner_id,
       coalesce(s.name, '') AS owner_name, f.done_at, f.done_by, f.outcome, f.created_at,
       f.created_by, f.version,
       cu.first_name AS c_first, cu.last_name AS c_last, cu.preferred_name AS c_preferred,
       cu.email AS c_email, cu.company AS c_company, {phone} AS c_phone
FROM followups f
JOIN customers cu ON cu.id = f.customer_id
LEFT JOIN staff s ON s.id = f.owner_id
""".format(phone=nameless_phone("cu"))  # domain.display_name's fallback


def insert(db: sqlite_utils.Database, row: Row) -> int:
    cur = db.execute(
        f"INSERT INTO followups ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    return inserted_id(cur)


def insert_many(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    """Bulk insert in the caller's transaction; each row follows FOLLOWUP_COLUMNS."""
    marks = ", ".join("?" for _ in FOLLOWUP_COLUMNS.split(","))
    execute_many(db, f"INSERT INTO followups ({FOLLOWUP_COLUMNS}) VALUES ({marks})", rows)


def get(db: sqlite_utils.Database, followup_id: int) -> Row | None:
    return one_row(db.execute(f"{_SELECT} WHERE f.id = ?", [followup_id]))


def complete(
    db: sqlite_utils.Database, followup_id: int, *, version: int, at: str, by: int, outcome: str
) -> bool:
    """Mark done if still open and unchanged since `version` was read. False otherwise."""
    cur = db.execute(
        "UPDATE followups SET done_at = ?, done_by = ?, outcome = ?, updated_at = ?, "
        "updated_by = ?, version = version + 1 "
        "WHERE id = ? AND version = ? AND done_at IS NULL",
        [at, by, outcome, at, by, followup_id, version],
    )
    return cur.rowcount == 1


def _queue_sql(due_before: str | None, owner_id: int | None) -> tuple[str, list[Any]]:
    clauses = ["f.done_at IS NULL"]
    params: list[Any] = []
    if due_before is not None:
        clauses.append("f.due_at < ?")
        params.append(due_before)
    if owner_id is not None:
        clauses.append("f.owner_id = ?")
        params.append(owner_id)
    sql = f"{_SELECT} WHERE {' AND '.join(clauses)} ORDER BY f.due_at, f.id LIMIT ? OFFSET ?"
    return sql, params


def queue(
    db: sqlite_utils.Database,
    *,
    due_before: str | None,
    owner_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Row]:
    """Open follow-ups due before `due_before` (None: all open ones), soonest first."""
    sql, params = _queue_sql(due_before, owner_id)
    return all_rows(db.execute(sql, [*params, limit, offset]))


def queue_plan(
    db: sqlite_utils.Database, *, due_before: str | None, owner_id: int | None = None
) -> QueryPlan:
    """The plan for queue(), for tests that guard the index use."""
    sql, params = _queue_sql(due_before, owner_id)
    return query_plan(db, sql, [*params, 50, 0])


def for_customer(db: sqlite_utils.Database, customer_id: int, *, open_only: bool) -> list[Row]:
    extra = "AND f.done_at IS NULL" if open_only else ""
    return all_rows(
        db.execute(
            f"{_SELECT} WHERE f.customer_id = ? {extra} ORDER BY f.due_at, f.id", [customer_id]
        )
    )


def followup_customer_ids(db: sqlite_utils.Database, before: str) -> list[int]:
    """Customers with an open follow-up due before `before` (UTC ISO text)."""
    cur = db.execute(
        "SELECT DISTINCT customer_id FROM followups "
        "WHERE customer_id IS NOT NULL AND done_at IS NULL AND due_at < ? ORDER BY customer_id",
        [before],
    )
    return [int(r[0]) for r in cur.fetchall()]
