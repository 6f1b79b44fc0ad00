"""Issues, their events and goodwill, and the shop's editable issue categories. All of their SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from csdesk.store.db import execute_many
from csdesk.store.plans import QueryPlan, query_plan
from csdesk.store.rows import Row, all_rows, inserted_id, nameless_phone, one_row

# The timeline's shared shape: (kind, ref_id, customer_id, at, channel, title, detail, staff_id).
# Issue rows point at the issue (ref_id = issues.id) so a click opens it; follow-ups point at the
# follow-up. A follow-up yields one row when planned and one more once done.
TIMELINE_SQL = """
SELECT 'issue' AS kind, e.issue_id AS ref_id, e.customer_id AS customer_id, e.at AS at,
       i.channel AS channel,
       CASE e.kind
           WHEN 'created' THEN 'Issue logged: ' || i.title
           WHEN 'status'
               THEN 'Issue ' || replace(coalesce(e.to_status, ''), '_', ' ') || ': ' || i.title
           WHEN 'reopened' THEN 'Issue reopened: ' || i.title
           WHEN 'goodwill' THEN 'Goodwill on issue: ' || i.title
           WHEN 'comment' THEN 'Comment on issue: ' || i.title
           ELSE 'Issue updated: ' || i.title
       END AS title,
       e.comment AS detail, e.staff_id AS staff_id
FROM issue_events e JOIN issues i ON i.id = e.issue_id
UNION ALL
SELECT 'followup' AS kind, f.id AS ref_id, f.customer_id AS customer_id, f.created_at AS at,
       NULL AS channel, 'Follow-up planned: ' || f.title AS title,
       'Due ' || replace(substr(f.due_at, 1, 16), 'T', ' ') || ' UTC' AS detail,
       f.created_by AS staff_id
FROM followups f
UNION ALL
SELECT 'followup' AS kind, f.id AS ref_id, f.customer_id AS customer_id, f.done_at AS at,
       NULL AS channel, 'Follow-up done: ' || f.title AS title,
       f.outcome AS detail, f.done_by AS staff_id
FROM followups f WHERE f.done_at IS NOT NULL
"""

ISSUE_COLUMNS = (
    "customer_id, title, description, category_id, priority, priority_rank, channel, owner_id, "
    "status, due_at, resolution, satisfaction, resolved_at, created_at, created_by, updated_at, "
    "updated_by, version"
)

_SELECT = """
SELECT i.id, i.customer_id, i.title, i.description, i.category_id,
       coalesce(c.name, '') AS category, i.priority, i.channel, i.owner_id,
       coalesce(s.name, '') AS owner_name, i.status, i.due_at, i.resolution, i.satisfaction,
       i.resolved_at, i.created_at, i.created_by, i.updated_at, i.updated_by, i.version
"""
_FROM = """
FROM issues i
LEFT JOIN issue_categories c ON c.id = i.category_id
LEFT JOIN staff s ON s.id = i.owner_id
"""
_CUSTOMER_COLUMNS = (
    ", cu.first_name AS c_first, cu.last_name AS c_last, cu.preferred_name AS c_preferred, "
    f"cu.email AS c_email, cu.company AS c_company, {nameless_phone('cu')} AS c_phone "
)

# Sort keys the faces may ask for, mapped to fixed SQL (never user text). Each has an index.
SORTS: dict[str, tuple[str, str]] = {
    "due": ("i.due_at ASC, i.id ASC", "i.due_at DESC, i.id DESC"),
    "priority": (
        "i.priority_rank DESC, i.due_at ASC, i.id ASC",
        "i.priority_rank ASC, i.due_at DESC, i.id DESC",
    ),
    "created": ("i.created_at DESC, i.id DESC", "i.created_at ASC, i.id ASC"),
    "updated": ("i.updated_at DESC, i.id DESC", "i.updated_at ASC, i.id ASC"),
}


@dataclass(frozen=True)
class ListFilter:
    """Plain values only; services build it from what the user picked."""

    open_only: bool = True
    status: str | None = None
    owner_id: int | None = None
    priority: str | None = None
    category_id: int | None = None
    customer_id: int | None = None
    overdue_at: str | None = None  # "now": only open issues due before it


# -- categories ---------------------------------------------------------------------------------
def categories(db: sqlite_utils.Database, *, include_inactive: bool = False) -> list[Row]:
    where = "" if include_inactive else "WHERE active = 1"
    return all_rows(
        db.execute(f"SELECT id, name, active FROM issue_categories {where} ORDER BY position, name")
    )


def category(db: sqlite_utils.Database, category_id: int) -> Row | None:
    return one_row(
        db.execute("SELECT id, name, active FROM issue_categories WHERE id = ?", [category_id])
    )


def category_by_name(db: sqlite_utils.Database, name: str) -> Row | None:
    return one_row(
        db.execute(
            "SELECT id, name, active FROM issue_categories WHERE lower(name) = lower(?)", [name]
        )
    )


def insert_category(db: sqlite_utils.Database, name: str) -> int:
    cur = db.execute(
        "INSERT INTO issue_categories (name, position) "
        "SELECT ?, coalesce(max(position), 0) + 1 FROM issue_categories RETURNING id",
        [name],
    )
    return inserted_id(cur)


def update_category(
    db: sqlite_utils.Database, category_id: int, *, name: str, active: bool
) -> None:
    db.execute(
        "UPDATE issue_categories SET name = ?, active = ? WHERE id = ?",
        [name, int(active), category_id],
    )


# -- issues -------------------------------------------------------------------------------------
def insert(db: sqlite_utils.Database, row: Row) -> int:
    cur = db.execute(
        f"INSERT INTO issues ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    return inserted_id(cur)


def insert_many(db: sqlite_utils.Database, rows: Sequence[Sequence[Any]]) -> None:
    """Bulk insert in the caller's transaction; each row follows ISSUE_COLUMNS."""
    marks = ", ".join("?" for _ in ISSUE_COLUMNS.split(","))
    execute_many(db, f"INSERT INTO issues ({ISSUE_COLUMNS}) VALUES ({marks})", rows)


def get(db: sqlite_utils.Database, issue_id: int) -> Row | None:
    row = one_row(db.execute(f"{_SELECT} {_FROM} WHERE i.id = ?", [issue_id]))
    if row is not None:
        row["goodwill_cents"] = goodwill_total(db, issue_id)
    return row


def update(db: sqlite_utils.Database, issue_id: int, version: int, changes: Row) -> bool:
    """Apply `changes` only if nobody saved since `version` was read. False: stale (or gone)."""
    sets = ", ".join(f"{column} = ?" for column in changes)
    cur = db.execute(
        f"UPDATE issues SET {sets}, version = version + 1 WHERE id = ? AND version = ?",
        [*changes.values(), issue_id, version],
    )
    return cur.rowcount == 1


def last_change(db: sqlite_utils.Database, issue_id: int) -> Row | None:
    """Who saved last and when: what a conflict message tells the second editor."""
    return one_row(
        db.execute(
            "SELECT i.version, i.updated_at, coalesce(s.name, '') AS updated_by_name "
            "FROM issues i LEFT JOIN staff s ON s.id = i.updated_by WHERE i.id = ?",
            [issue_id],
        )
    )


def _where(flt: ListFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if flt.status is not None:
        clauses.append("i.status = ?")
        params.append(flt.status)
    elif flt.open_only or flt.overdue_at is not None:
        clauses.append("i.is_open = 1")
    if flt.overdue_at is not None:
        clauses.append("i.is_open = 1 AND i.due_at < ?")
        params.append(flt.overdue_at)
    for column, value in (
        ("i.owner_id", flt.owner_id),
        ("i.priority", flt.priority),
        ("i.category_id", flt.category_id),
        ("i.customer_id", flt.customer_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _list_sql(flt: ListFilter, sort: str, descending: bool) -> tuple[str, list[Any]]:
    order = SORTS[sort][1 if descending else 0]
    where, params = _where(flt)
    sql = (
        f"{_SELECT} {_CUSTOMER_COLUMNS} {_FROM} JOIN customers cu ON cu.id = i.customer_id "
        f"{where} ORDER BY {order} LIMIT ? OFFSET ?"
    )
    return sql, params


def list_page(
    db: sqlite_utils.Database,
    flt: ListFilter,
    *,
    sort: str = "due",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[Row]:
    sql, params = _list_sql(flt, sort, descending)
    return all_rows(db.execute(sql, [*params, limit, offset]))


def list_plan(db: sqlite_utils.Database, flt: ListFilter, *, sort: str = "due") -> QueryPlan:
    """The plan for list_page: tests check the first page walks an index, never sorts."""
    sql, params = _list_sql(flt, sort, False)
    return query_plan(db, sql, [*params, 50, 0])


def count(db: sqlite_utils.Database, flt: ListFilter) -> int:
    where, params = _where(flt)
    return int(db.execute(f"SELECT count(*) FROM issues i {where}", params).fetchone()[0])


def open_for_customer(db: sqlite_utils.Database, customer_id: int) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT id, title, status, priority, due_at, created_at FROM issues "
            "WHERE customer_id = ? AND is_open = 1 ORDER BY due_at, id",
            [customer_id],
        )
    )


# -- events and goodwill ------------------------------------------------------------------------
def insert_event(db: sqlite_utils.Database, row: Row) -> int:
    cur = db.execute(
        f"INSERT INTO issue_events ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    return inserted_id(cur)


def events(db: sqlite_utils.Database, issue_id: int) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT e.id, e.issue_id, e.at, e.staff_id, coalesce(s.name, '') AS staff_name, "
            "e.kind, e.from_status, e.to_status, e.comment FROM issue_events e "
            "LEFT JOIN staff s ON s.id = e.staff_id WHERE e.issue_id = ? ORDER BY e.at, e.id",
            [issue_id],
        )
    )


def insert_goodwill(db: sqlite_utils.Database, row: Row) -> int:
    cur = db.execute(
        f"INSERT INTO goodwill ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    return inserted_id(cur)


def goodwill_for(db: sqlite_utils.Database, issue_id: int) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT id, issue_id, kind, amount_cents, approved_by, at FROM goodwill "
            "WHERE issue_id = ? ORDER BY at, id",
            [issue_id],
        )
    )


def goodwill_total(db: sqlite_utils.Database, issue_id: int) -> int:
    return int(
        db.execute(
            "SELECT coalesce(sum(amount_cents), 0) FROM goodwill WHERE issue_id = ?", [issue_id]
        ).fetchone()[0]
    )
