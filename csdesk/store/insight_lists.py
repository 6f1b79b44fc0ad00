"""The rows behind an Insights bar, cell or table row: visits, new customers, issues, goodwill,
follow-ups. Each list reads one time index (visits_at, customers_created_at, issues_created,
issues_resolved_at, issues_queue, goodwill_at, followups_due_any) over the bar's range, stops at
`limit` rows, and says how many there are in all (`Page.total`), counting no further than
COUNT_CAP (a quarter's visits would be a walk of 250,000 rows on the UI thread): past it the page
says only that there are more (`Page.capped`). So a list of a busy quarter costs a bounded read
and still tells the truth about its size.

Times are UTC text, as stored. Filters that come from a chart (a channel, a score, a category's
name, a role) are parameters, never SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from csdesk.store.insights import KNOWN, staff_filter
from csdesk.store.rows import Row, all_rows

LIMIT = 500
COUNT_CAP = 10_000
NONE = "(none)"  # how the charts name an issue without a category
NOBODY = "(nobody)"  # and goodwill nobody known approved

_CUSTOMER = "c.first_name, c.last_name, c.preferred_name, c.company, c.email"


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int  # the rows that match (at most COUNT_CAP); `rows` holds the first `limit`
    capped: bool = False  # more than COUNT_CAP match


def _page(
    db: sqlite_utils.Database, select: str, source: str, where: str, params: Sequence[Any],
    order: str, limit: int,
) -> Page:
    """`SELECT select FROM source WHERE where ORDER BY order LIMIT limit`, and the count."""
    rows = all_rows(db.execute(
        f"SELECT {select} FROM {source} WHERE {where} ORDER BY {order} LIMIT {int(limit)}", params
    ))
    if len(rows) < limit:
        return Page(rows, len(rows))
    total = int(db.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} WHERE {where} LIMIT {COUNT_CAP + 1})",
        params,
    ).fetchone()[0])
    if total > COUNT_CAP:
        return Page(rows, COUNT_CAP, capped=True)
    return Page(rows, total)


# -- visits ------------------------------------------------------------------------------------
def visits(
    db: sqlite_utils.Database,
    ranges: Sequence[tuple[str, str]],
    staff_id: int | None,
    *,
    channel: str | None = None,
    score: int | None = None,
    rated: bool = False,
    returning: bool | None = None,
    limit: int = LIMIT,
) -> Page:
    """The visits in any of the UTC ranges, in time order, filtered like the chart's bar.

    returning: True for visits by customers already in csdesk 12 hours before (the chart's
    'known', the same expression the visit_slots triggers count), False for the others."""
    if not ranges:
        return Page([], 0)
    params: list[Any] = []
    arms = []
    for a, b in ranges:
        arms.append("(v.at >= ? AND v.at < ?)")
        params.extend([a, b])
    where = f"({' OR '.join(arms)}) AND v.deleted_at IS NULL"
    where += staff_filter("v.staff_id", staff_id, params)
    if channel is not None:
        where += " AND v.channel = ?"
        params.append(channel)
    if score is not None:
        where += " AND v.satisfaction = ?"
        params.append(score)
    elif rated:
        where += " AND v.satisfaction IS NOT NULL"
    if returning is not None:
        where += f" AND {KNOWN.format(v='v')} = ?"
        params.append(1 if returning else 0)
    select = (
        "v.id, v.at, v.channel, v.purpose, v.outcome, v.satisfaction, v.customer_id,"
        f" {_CUSTOMER}, s.name AS staff_name"
    )
    source = (
        "visits v LEFT JOIN customers c ON c.id = v.customer_id"
        " LEFT JOIN staff s ON s.id = v.staff_id"
    )
    return _page(db, select, source, where, params, "v.at, v.id", limit)


def new_customers(
    db: sqlite_utils.Database, start: str, end: str, staff_id: int | None, *, limit: int = LIMIT
) -> Page:
    """Customers created in the range (one member's view: those they created)."""
    params: list[Any] = [start, end]
    where = "c.created_at >= ? AND c.created_at < ?" + staff_filter("c.created_by", staff_id, params)
    select = f"c.id AS customer_id, c.created_at AS at, {_CUSTOMER}, s.name AS staff_name"
    source = "customers c LEFT JOIN staff s ON s.id = c.created_by"
    return _page(db, select, source, where, params, "c.created_at, c.id", limit)


# -- issues ------------------------------------------------------------------------------------
_ISSUE = (
    "i.id, i.title, i.priority, i.status, i.created_at, i.resolved_at, i.due_at, i.customer_id,"
    f" COALESCE(k.name, '') AS category, {_CUSTOMER}, s.name AS staff_name"
)
_ISSUE_SOURCE = (
    "issues i LEFT JOIN issue_categories k ON k.id = i.category_id"
    " LEFT JOIN customers c ON c.id = i.customer_id LEFT JOIN staff s ON s.id = i.owner_id"
)


def _issue_filters(
    category: str | None, priority: str | None, staff_id: int | None, params: list[Any]
) -> str:
    where = staff_filter("i.owner_id", staff_id, params)
    if category == NONE:
        where += " AND i.category_id IS NULL"
    elif category is not None:
        where += " AND k.name = ?"
        params.append(category)
    if priority is not None:
        where += " AND i.priority = ?"
        params.append(priority)
    return where


def issues(
    db: sqlite_utils.Database,
    start: str,
    end: str,
    staff_id: int | None,
    *,
    which: str = "opened",
    category: str | None = None,
    priority: str | None = None,
    limit: int = LIMIT,
) -> Page:
    """Issues opened ('opened'), resolved ('resolved') or either ('both') in the range."""
    params: list[Any] = []
    opened = "(i.created_at >= ? AND i.created_at < ?)"
    resolved = "(i.resolved_at IS NOT NULL AND i.resolved_at >= ? AND i.resolved_at < ?)"
    if which == "opened":
        where, order = opened, "i.created_at, i.id"
        params += [start, end]
    elif which == "resolved":
        where, order = resolved, "i.resolved_at, i.id"
        params += [start, end]
    elif which == "both":
        where, order = f"({opened} OR {resolved})", "i.created_at, i.id"
        params += [start, end, start, end]
    else:
        raise ValueError(which)
    where += _issue_filters(category, priority, staff_id, params)
    return _page(db, _ISSUE, _ISSUE_SOURCE, where, params, order, limit)


def overdue(
    db: sqlite_utils.Database,
    moment: str,
    staff_id: int | None,
    *,
    category: str | None = None,
    priority: str | None = None,
    limit: int = LIMIT,
) -> Page:
    """Open issues past their due time at `moment`, the longest overdue first."""
    params: list[Any] = [moment]
    where = "i.is_open = 1 AND i.due_at < ?" + _issue_filters(category, priority, staff_id, params)
    return _page(db, _ISSUE, _ISSUE_SOURCE, where, params, "i.due_at, i.id", limit)


def goodwill(
    db: sqlite_utils.Database,
    start: str,
    end: str,
    staff_id: int | None,
    *,
    role: str | None = None,
    kind: str | None = None,
    limit: int = LIMIT,
) -> Page:
    """Goodwill given in the range (one member: on their issues), by approver's role and kind."""
    params: list[Any] = [start, end]
    where = "g.at >= ? AND g.at < ?" + staff_filter("i.owner_id", staff_id, params)
    if role is not None:
        where += " AND COALESCE(a.role, '') = ?"
        params.append("" if role == NOBODY else role)
    if kind is not None:
        where += " AND g.kind = ?"
        params.append(kind)
    select = (
        "g.id, g.at, g.kind, g.amount_cents, i.id AS issue_id, i.title, i.customer_id,"
        f" {_CUSTOMER}, a.name AS staff_name, COALESCE(a.role, '') AS role"
    )
    source = (
        "goodwill g JOIN issues i ON i.id = g.issue_id"
        " LEFT JOIN customers c ON c.id = i.customer_id LEFT JOIN staff a ON a.id = g.approved_by"
    )
    return _page(db, select, source, where, params, "g.at, g.id", limit)


# -- follow-ups --------------------------------------------------------------------------------
FOLLOWUP_STATES = {
    "on_time": "f.done_at IS NOT NULL AND f.done_at <= f.due_at",
    "late": "f.done_at IS NOT NULL AND f.done_at > f.due_at",
    "due": "f.done_at IS NULL",
}


def followups(
    db: sqlite_utils.Database,
    start: str,
    end: str,
    staff_id: int | None,
    *,
    state: str | None = None,
    limit: int = LIMIT,
) -> Page:
    """Follow-ups due in the range (per owner, as the chart counts them), in one state or all."""
    params: list[Any] = [start, end]
    where = "f.due_at >= ? AND f.due_at < ?" + staff_filter("f.owner_id", staff_id, params)
    if state is not None:
        where += f" AND {FOLLOWUP_STATES[state]}"
    select = (
        "f.id, f.title, f.due_at AS at, f.done_at, f.issue_id, f.customer_id,"
        f" {_CUSTOMER}, s.name AS staff_name"
    )
    source = (
        "followups f LEFT JOIN customers c ON c.id = f.customer_id"
        " LEFT JOIN staff s ON s.id = f.owner_id"
    )
    return _page(db, select, source, where, params, "f.due_at, f.id", limit)
