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
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from csdesk.store.insights import known, staff_filter
from csdesk.store.rows import Row, all_rows, nameless_phone

LIMIT = 500
COUNT_CAP = 10_000
NONE = "(none)"  # how the charts name an issue without a category
NOBODY = "(nobody)"  # and goodwill nobody known approved

_CUSTOMER = (  # what domain.display_name names a customer by
    f"c.first_name, c.last_name, c.preferred_name, c.company, c.email, {nameless_phone('c')} AS name_phone"
)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int  # the rows that match (at most COUNT_CAP); `rows` holds the first `limit`
    capped: bool = False  # more than COUNT_CAP match


def member_filter(column: str, staff_id: int | None, params: list[Any]) -> str:
    """staff_filter for the lists behind a staff row: the summary's "(nobody)" row is member 0,
    the rows whose member column is empty (no staff id is 0), so its figures open their rows."""
    if staff_id == 0:
        return f" AND {column} IS NULL"
    return staff_filter(column, staff_id, params)


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
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} WHERE {where} LIMIT {COUNT_CAP + 1}) AS capped",
        params,
    ).fetchone()[0])
    if total > COUNT_CAP:
        return Page(rows, COUNT_CAP, capped=True)
    return Page(rows, total)


# -- visits ------------------------------------------------------------------------------------
# Which visit_slots count a visits list's filter matches: the exact count, and where the rows are.
def _slot_count(score: int | None, rated: bool, returning: bool | None) -> str:
    if score is not None:
        return f"s{int(score)}"
    if rated:
        return "rated"
    if returning is True:
        return "known"
    if returning is False:
        return "visits - known"
    return "visits"


def _next_slot(slot: str) -> str:
    return f"{datetime.strptime(slot, '%Y-%m-%dT%H:%M') + timedelta(minutes=15):%Y-%m-%dT%H:%M}"


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
    """The visits in the UTC ranges (each starting and ending on a quarter hour, as local days
    and hours do), in time order, filtered like the chart's bar (one of score, rated, returning).

    returning: True for visits by customers already in csdesk 12 hours before (the chart's
    'known', the same expression the visit_slots triggers count), False for the others.

    The visit_slots summary says, per UTC quarter hour, how many visits match: the total is
    their sum (exact, no walk over the visits), and the rows are read only from the quarter
    hours that have some, a run of adjacent ones at a time, until `limit`. A member with a
    hundred visits in a quarter of 900,000 costs a hundred small reads, not a scan of them all.
    """
    if [score is not None, rated, returning is not None].count(True) > 1:
        raise ValueError("one of score, rated, returning")
    count = _slot_count(score, rated, returning)
    slot_where, slot_params = "", list[Any]()
    visit_where, visit_params = " AND v.deleted_at IS NULL", list[Any]()
    # visit_slots keeps "no member" as staff_id 0 (a key column cannot be NULL): 0 stays 0 there
    slot_where += staff_filter("staff_id", staff_id, slot_params)
    visit_where += member_filter("v.staff_id", staff_id, visit_params)
    if channel is not None:
        slot_where += " AND channel = ?"
        slot_params.append(channel)
        visit_where += " AND v.channel = ?"
        visit_params.append(channel)
    if score is not None:
        visit_where += " AND v.satisfaction = ?"
        visit_params.append(score)
    elif rated:
        visit_where += " AND v.satisfaction IS NOT NULL"
    if returning is not None:
        visit_where += f" AND {known(db, 'v')} = ?"
        visit_params.append(1 if returning else 0)
    select = (
        "SELECT v.id, v.at, v.channel, v.purpose, v.outcome, v.satisfaction, v.customer_id,"
        f" {_CUSTOMER}, s.name AS staff_name"
        " FROM visits v LEFT JOIN customers c ON c.id = v.customer_id"
        " LEFT JOIN staff s ON s.id = v.staff_id"
        f" WHERE v.at >= ? AND v.at < ?{visit_where} ORDER BY v.at, v.id LIMIT ?"
    )
    total = 0
    rows: list[Row] = []
    for a, b in sorted(ranges):
        slots = [
            (str(r[0]), int(r[1])) for r in db.execute(
                f"SELECT slot, SUM({count}) FROM visit_slots WHERE slot >= ? AND slot < ?"
                f"{slot_where} GROUP BY slot HAVING SUM({count}) > 0 ORDER BY slot",
                [a[:16], b[:16], *slot_params],
            )
        ]
        total += sum(n for _, n in slots)
        i = 0
        while i < len(slots) and len(rows) < limit:
            # one run of adjacent quarter hours, no longer than the rows still wanted need
            need = limit - len(rows)
            j, got = i, 0
            while j < len(slots) and got < need and (j == i or slots[j][0] == _next_slot(
                    slots[j - 1][0])):
                got += slots[j][1]
                j += 1
            start, end = slots[i][0], _next_slot(slots[j - 1][0])
            rows.extend(all_rows(db.execute(select, [start, end, *visit_params, need])))
            i = j
    return Page(rows, total)


def new_customers(
    db: sqlite_utils.Database, start: str, end: str, staff_id: int | None, *, limit: int = LIMIT
) -> Page:
    """Customers created in the range (one member's view: those they created)."""
    params: list[Any] = [start, end]
    where = "c.created_at >= ? AND c.created_at < ?" + member_filter("c.created_by", staff_id, params)
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
    where = member_filter("i.owner_id", staff_id, params)
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
    where = "g.at >= ? AND g.at < ?" + member_filter("i.owner_id", staff_id, params)
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
    where = "f.due_at >= ? AND f.due_at < ?" + member_filter("f.owner_id", staff_id, params)
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
