"""The daily log's SQL: every source of the day's events, unioned by time range, and its totals.

Each arm is a range scan on its own time index (see migration 0007_reports), so a day costs the
day's rows, not the shop's history. Times are UTC ISO text, compared as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlite_utils

from csdesk.store.outbox import REPORT_SQL as _EMAIL_ARM
from csdesk.store.plans import QueryPlan, query_plan
from csdesk.store.rows import Row, all_rows, inserted_id, nameless_phone, one_row

# One arm per source. Columns: at, kind, ref_id, customer_id, channel, staff_id, title, detail,
# issue_id, status, satisfaction, computer (where it was written: visits, calls and notes say;
# the rest ''). kind is refined in services (a phone visit is a call, ...).
# status is the state the event left things in (an issue event's new status, a follow-up due or
# done), not today's: the log reads as it happened.
_ARMS = (
    # visits: deleted ones are gone from the day; anonymised ones stay (customer_id is NULL)
    "SELECT at, 'visit' AS kind, id AS ref_id, customer_id, channel, staff_id, purpose AS title,"
    " outcome AS detail, CAST(NULL AS INTEGER) AS issue_id, NULL AS status, satisfaction, computer"
    " FROM visits WHERE at >= :start AND at < :end AND deleted_at IS NULL",
    "SELECT created_at, 'note', id, customer_id, NULL, created_by, body, kind, NULL, NULL, NULL,"
    " computer FROM notes WHERE created_at >= :start AND created_at < :end AND deleted_at IS NULL",
    "SELECT e.at, 'issue_' || e.kind, e.id, e.customer_id, i.channel, e.staff_id, i.title,"
    " e.comment, e.issue_id, e.to_status, NULL, ''"
    " FROM issue_events e JOIN issues i ON i.id = e.issue_id"
    " WHERE e.at >= :start AND e.at < :end",
    "SELECT created_at, 'followup_created', id, customer_id, NULL, created_by, title, due_at,"
    " issue_id, 'due', NULL, ''"
    " FROM followups WHERE created_at >= :start AND created_at < :end",
    "SELECT done_at, 'followup_done', id, customer_id, NULL, done_by, title, outcome, issue_id,"
    " 'done', NULL, '' FROM followups"
    " WHERE done_at >= :start AND done_at < :end AND done_at IS NOT NULL",
    "SELECT created_at, 'letter', id, customer_id, NULL, created_by, title, template, issue_id,"
    " NULL, NULL, '' FROM letters WHERE created_at >= :start AND created_at < :end",
    _EMAIL_ARM,
)
_UNION = " UNION ALL ".join(_ARMS)
_EVENTS = (
    "SELECT u.at, u.kind, u.ref_id, u.customer_id, u.channel, u.staff_id, u.title, u.detail,"
    " u.issue_id, u.status, u.satisfaction, u.computer,"
    " c.first_name, c.last_name, c.preferred_name, c.company, c.email,"
    f" {nameless_phone('c')} AS name_phone, s.name AS staff_name"
    f" FROM ({_UNION}) u"
    " LEFT JOIN customers c ON c.id = u.customer_id"
    " LEFT JOIN staff s ON s.id = u.staff_id"
    " ORDER BY u.at, u.kind, u.ref_id"
)


def _args(start: str, end: str) -> dict[str, Any]:
    return {"start": start, "end": end}


def events(
    db: sqlite_utils.Database, start: str, end: str, *, offset: int = 0, limit: int = -1
) -> list[Row]:
    """Events with start <= at < end in time order; a page of them with offset/limit."""
    cur = db.execute(f"{_EVENTS} LIMIT :limit OFFSET :offset", {**_args(start, end),
                     "limit": limit, "offset": offset})
    return all_rows(cur)


def iter_events(
    db: sqlite_utils.Database, start: str, end: str, *, batch: int = 1000
) -> Iterator[Row]:
    """All events in order without holding them all: exports stream through this."""
    cur = db.execute(_EVENTS, _args(start, end))
    names = [d[0] for d in cur.description]
    while True:
        chunk = cur.fetchmany(batch)
        if not chunk:
            return
        for values in chunk:
            yield dict(zip(names, values, strict=True))


def count(db: sqlite_utils.Database, start: str, end: str) -> int:
    row = db.execute(f"SELECT COUNT(*) FROM ({_UNION}) AS u", _args(start, end)).fetchone()
    return int(row[0])


def plans(db: sqlite_utils.Database, start: str, end: str) -> QueryPlan:
    """The query plan, so a test can prove every arm uses an index."""
    return query_plan(db, _EVENTS, _args(start, end))


# -- totals ----------------------------------------------------------------------------------
# Each returns rows grouped by the staff member responsible, so the summary and the per-staff
# breakdown come from the same numbers.
def visit_totals(db: sqlite_utils.Database, start: str, end: str) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT staff_id, channel, COUNT(*) AS n, SUM(satisfaction) AS sat_sum,"
            " COUNT(satisfaction) AS sat_n FROM visits"
            " WHERE at >= :start AND at < :end AND deleted_at IS NULL"
            " GROUP BY staff_id, channel",
            _args(start, end),
        )
    )


def new_customers(db: sqlite_utils.Database, start: str, end: str) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT created_by AS staff_id, COUNT(*) AS n FROM customers"
            " WHERE created_at >= :start AND created_at < :end GROUP BY created_by",
            _args(start, end),
        )
    )


def issue_totals(db: sqlite_utils.Database, start: str, end: str) -> list[Row]:
    """Opened and resolved by who did it; satisfaction given when an issue was resolved."""
    return all_rows(
        db.execute(
            "SELECT e.staff_id,"
            " COUNT(CASE WHEN e.kind = 'created' THEN 1 END) AS opened,"
            " COUNT(CASE WHEN e.to_status = 'resolved' THEN 1 END) AS resolved,"
            " SUM(CASE WHEN e.to_status = 'resolved' THEN i.satisfaction END) AS sat_sum,"
            " COUNT(CASE WHEN e.to_status = 'resolved' THEN i.satisfaction END) AS sat_n"
            " FROM issue_events e JOIN issues i ON i.id = e.issue_id"
            " WHERE e.at >= :start AND e.at < :end GROUP BY e.staff_id",
            _args(start, end),
        )
    )


def overdue_issues(db: sqlite_utils.Database, moment: str) -> list[Row]:
    """Issues still open whose due time had passed at `moment`, by owner."""
    return all_rows(
        db.execute(
            "SELECT owner_id AS staff_id, COUNT(*) AS n FROM issues"
            " WHERE is_open = 1 AND due_at < ? GROUP BY owner_id",
            [moment],
        )
    )


def followups_done(db: sqlite_utils.Database, start: str, end: str) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT done_by AS staff_id, COUNT(*) AS n FROM followups"
            " WHERE done_at >= :start AND done_at < :end AND done_at IS NOT NULL"
            " GROUP BY done_by",
            _args(start, end),
        )
    )


def followups_still_due(db: sqlite_utils.Database, moment: str) -> list[Row]:
    """Follow-ups not done whose due time had come by `moment`, by owner."""
    return all_rows(
        db.execute(
            "SELECT owner_id AS staff_id, COUNT(*) AS n FROM followups"
            " WHERE done_at IS NULL AND due_at < ? GROUP BY owner_id",
            [moment],
        )
    )


def goodwill_totals(db: sqlite_utils.Database, start: str, end: str) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT approved_by AS staff_id, SUM(amount_cents) AS cents FROM goodwill"
            " WHERE at >= :start AND at < :end GROUP BY approved_by",
            _args(start, end),
        )
    )


def staff_names(db: sqlite_utils.Database) -> dict[int, str]:
    return {int(r[0]): str(r[1]) for r in db.execute("SELECT id, name FROM staff")}


# -- handover notes --------------------------------------------------------------------------
HANDOVER_COLUMNS = (
    "h.id, h.body, h.for_shift, h.created_at, h.created_by, w.name AS created_by_name,"
    " h.read_at, h.read_by, r.name AS read_by_name"
)
_HANDOVER_FROM = (
    " FROM handover_notes h LEFT JOIN staff w ON w.id = h.created_by"
    " LEFT JOIN staff r ON r.id = h.read_by"
)


def insert_handover(db: sqlite_utils.Database, row: Row) -> int:
    cur = db.execute(
        f"INSERT INTO handover_notes ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    return inserted_id(cur)


def get_handover(db: sqlite_utils.Database, note_id: int) -> Row | None:
    return one_row(
        db.execute(f"SELECT {HANDOVER_COLUMNS}{_HANDOVER_FROM} WHERE h.id = ?", [note_id])
    )


def unread_handovers(db: sqlite_utils.Database, *, limit: int = 10) -> list[Row]:
    return all_rows(
        db.execute(
            f"SELECT {HANDOVER_COLUMNS}{_HANDOVER_FROM} WHERE h.read_at IS NULL"
            " ORDER BY h.created_at DESC, h.id DESC LIMIT ?",
            [limit],
        )
    )


def recent_handovers(db: sqlite_utils.Database, *, limit: int = 5) -> list[Row]:
    return all_rows(
        db.execute(
            f"SELECT {HANDOVER_COLUMNS}{_HANDOVER_FROM}"
            " ORDER BY h.created_at DESC, h.id DESC LIMIT ?",
            [limit],
        )
    )


def mark_handovers_read(
    db: sqlite_utils.Database, note_ids: list[int], at: str, by: int
) -> list[int]:
    """Mark the still-unread ones among note_ids; returns those it marked."""
    marked = []
    for note_id in note_ids:
        cur = db.execute(
            "UPDATE handover_notes SET read_at = ?, read_by = ? WHERE id = ? AND read_at IS NULL",
            [at, by, note_id],
        )
        if cur.rowcount:
            marked.append(note_id)
    return marked
