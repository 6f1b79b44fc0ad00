"""The Insights view's SQL: counts per local hour and day, read from small, indexed sources.

Visits are read from `visit_slots` (migration 0012_insights), counted per UTC quarter hour,
channel and staff member by the triggers below, so a quarter of a busy shop is ~10,000 rows, not
300,000 visits. Issues, goodwill and follow-ups are few enough per period to aggregate from their
time indexes directly.

Local time in SQL: the caller (services/insights.py) passes the UTC offsets in force over the
period as `Offsets`, a list of (until, modifier): a time before `until` (UTC, 'YYYY-MM-DDTHH:MM')
is shifted by that modifier ('+60 minutes'), the last one has no end. So a day that changes to or
from daylight saving time is grouped exactly, without SQLite knowing about zones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils

from csdesk.store import dialect
from csdesk.store.rows import Row, all_rows

Offsets = Sequence[tuple[str | None, str]]

# The UTC quarter hour a stored time ('2026-10-25T01:37:12+00:00') falls in: '2026-10-25T01:30'.
_SLOT = "substr({v}.at, 1, 14) || printf('%02d', CAST(substr({v}.at, 15, 2) AS INTEGER) / 15 * 15)"
# A visit by a customer who was in csdesk 12 hours before it: a customer added at the counter
# today is new today, whatever the order the record and the visit were typed in.
KNOWN = (
    "COALESCE((SELECT c.created_at <= strftime('%Y-%m-%dT%H:%M:%S+00:00', {v}.at, '-12 hours')"
    " FROM customers c WHERE c.id = {v}.customer_id), 0)"
)


def known(db: Any, v: str) -> str:
    """KNOWN (1 or 0) on either engine, for the queries both run (the file's triggers keep
    KNOWN itself)."""
    return f"COALESCE((SELECT {known_joined(db, v, 'c')} FROM customers c WHERE c.id = {v}.customer_id), 0)"


def known_joined(db: Any, v: str, c: str) -> str:
    """KNOWN for visit `v` with its customer `c` already joined (LEFT JOIN: none gives 0)."""
    twelve_before = dialect.shifted_iso(db, f"{v}.at", "'-12 hours'")
    return f"CASE WHEN {c}.created_at <= {twelve_before} THEN 1 ELSE 0 END"


def _upsert(v: str, sign: str) -> str:
    """One visit row `v` (new/old) added (sign '') or taken away (sign '-') from its slot."""
    sat = f"{v}.satisfaction"
    values = ", ".join(
        [
            _SLOT.format(v=v),
            f"{v}.channel",
            f"COALESCE({v}.staff_id, 0)",
            f"{sign}1",
            f"{sign}{KNOWN.format(v=v)}",
            f"{sign}({sat} IS NOT NULL)",
            f"{sign}COALESCE({sat}, 0)",
            *(f"{sign}COALESCE({sat} = {n}, 0)" for n in range(1, 6)),
        ]
    )
    return (
        "INSERT INTO visit_slots (slot, channel, staff_id, visits, known, rated, sat_sum,"
        f" s1, s2, s3, s4, s5) VALUES ({values})"
        " ON CONFLICT (slot, channel, staff_id) DO UPDATE SET"
        " visits = visits + excluded.visits, known = known + excluded.known,"
        " rated = rated + excluded.rated, sat_sum = sat_sum + excluded.sat_sum,"
        " s1 = s1 + excluded.s1, s2 = s2 + excluded.s2, s3 = s3 + excluded.s3,"
        " s4 = s4 + excluded.s4, s5 = s5 + excluded.s5;"
    )


# Deleted visits (deleted_at set) are not counted; undeleting counts them again. Anonymising
# (customer_id to NULL) keeps the visit but it is no longer known to be a returning customer's.
SLOT_TRIGGERS = f"""
CREATE TRIGGER visit_slots_ai AFTER INSERT ON visits WHEN new.deleted_at IS NULL BEGIN
    {_upsert("new", "")}
END;
CREATE TRIGGER visit_slots_ad AFTER DELETE ON visits WHEN old.deleted_at IS NULL BEGIN
    {_upsert("old", "-")}
END;
CREATE TRIGGER visit_slots_au_old AFTER UPDATE OF at, channel, staff_id, satisfaction, deleted_at,
    customer_id ON visits WHEN old.deleted_at IS NULL BEGIN
    {_upsert("old", "-")}
END;
CREATE TRIGGER visit_slots_au_new AFTER UPDATE OF at, channel, staff_id, satisfaction, deleted_at,
    customer_id ON visits WHEN new.deleted_at IS NULL BEGIN
    {_upsert("new", "")}
END;
"""

_SLOT_COLUMNS = "visits, known, rated, sat_sum, s1, s2, s3, s4, s5"


def rebuild_slots(db: sqlite_utils.Database, after_id: int = 0) -> None:
    """Count the visits with id > after_id into visit_slots: all of them for the migration, the
    newly loaded ones after a bulk load (which ran without the counting triggers). One
    statement for both engines (the server's bulk load pauses its trigger the same way)."""
    sat = "v.satisfaction"
    minute = "CAST(substr(v.at, 15, 2) AS INTEGER) / 15 * 15"
    slot = f"substr(v.at, 1, 14) || {dialect.two_digits(db, minute)}"
    db.execute(
        f"INSERT INTO visit_slots AS t (slot, channel, staff_id, {_SLOT_COLUMNS})"
        f" SELECT {slot} AS slot, v.channel, COALESCE(v.staff_id, 0) AS sid,"
        f" COUNT(*), SUM({known_joined(db, 'v', 'c')}), COUNT({sat}), COALESCE(SUM({sat}), 0), "
        + ", ".join(f"SUM(CASE WHEN {sat} = {n} THEN 1 ELSE 0 END)" for n in range(1, 6))
        # Joined, not a subquery per visit: a subquery is evaluated after the GROUP BY's sort,
        # in slot order, one random customer lookup each (16 of 123 s CPU of a 1,000,000-customer
        # demo); joined, visits and customers are read in id order, both nearly sequential.
        + " FROM visits v LEFT JOIN customers c ON c.id = v.customer_id"
        " WHERE v.id > ? AND v.deleted_at IS NULL"
        f" GROUP BY {slot}, v.channel, COALESCE(v.staff_id, 0)" + _ADD_TO_SLOT,
        [after_id],
    )


# Counts for a slot that already has a row are added to it (a load into a book whose slots
# hold visits already, e.g. of erased customers).
_ADD_TO_SLOT = (
    " ON CONFLICT (slot, channel, staff_id) DO UPDATE SET"
    " visits = t.visits + excluded.visits, known = t.known + excluded.known,"
    " rated = t.rated + excluded.rated, sat_sum = t.sat_sum + excluded.sat_sum,"
    " s1 = t.s1 + excluded.s1, s2 = t.s2 + excluded.s2, s3 = t.s3 + excluded.s3,"
    " s4 = t.s4 + excluded.s4, s5 = t.s5 + excluded.s5"
)


def add_slots_sql() -> str:
    """The statement (both engines) that adds counts a bulk loader made itself while generating
    its visits to visit_slots (store.bulk.add_slots runs it for many rows): rows of (slot
    'YYYY-MM-DDTHH:MM', channel, staff_id or 0, visits, known, rated, sat_sum, s1..s5), what
    rebuild_slots would count from the same visits, without reading them again."""
    marks = ", ".join("?" for _ in range(12))
    return (
        f"INSERT INTO visit_slots AS t (slot, channel, staff_id, {_SLOT_COLUMNS})"
        f" VALUES ({marks})" + _ADD_TO_SLOT
    )


def has_slots(db: sqlite_utils.Database) -> bool:
    return dialect.table_exists(db, "visit_slots")


def max_visit_id(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM visits").fetchone()[0])


# -- local time --------------------------------------------------------------------------------
def _local(db: Any, column: str, offsets: Offsets, params: list[Any]) -> str:
    """SQL for `column` (UTC text) as local 'YYYY-MM-DD HH:MM:SS'; appends its parameters."""
    if len(offsets) == 1:
        params.append(offsets[0][1])
        return dialect.shifted(db, column, "?")
    arms = []
    for until, modifier in offsets[:-1]:
        arms.append(f"WHEN {column} < ? THEN ?")
        params.extend([until, modifier])
    params.append(offsets[-1][1])
    return dialect.shifted(db, column, f"CASE {' '.join(arms)} ELSE ? END")


def staff_filter(column: str, staff_id: int | None, params: list[Any]) -> str:
    if staff_id is None:
        return ""
    params.append(staff_id)
    return f" AND {column} = ?"


# -- visits ------------------------------------------------------------------------------------
def visit_hours(
    db: sqlite_utils.Database, start: str, end: str, offsets: Offsets, staff_id: int | None
) -> list[Row]:
    """Per local hour ('YYYY-MM-DD HH'), channel and staff member: the slot counts summed.

    start/end: UTC 'YYYY-MM-DDTHH:MM' (local midnights fall on quarter hours in every zone).
    """
    params: list[Any] = []
    local = _local(db, "slot", offsets, params)
    params.extend([start, end])
    where = staff_filter("staff_id", staff_id, params)
    return all_rows(
        db.execute(
            f"SELECT substr({local}, 1, 13) AS hour, channel, staff_id,"
            " SUM(visits) AS visits, SUM(known) AS known, SUM(rated) AS rated,"
            " SUM(sat_sum) AS sat_sum, SUM(s1) AS s1, SUM(s2) AS s2, SUM(s3) AS s3,"
            " SUM(s4) AS s4, SUM(s5) AS s5"
            f" FROM visit_slots WHERE slot >= ? AND slot < ?{where}"
            " GROUP BY hour, channel, staff_id HAVING SUM(visits) != 0",
            params,
        )
    )


def visit_totals(
    db: sqlite_utils.Database, start: str, end: str, staff_id: int | None
) -> Row:
    """The slot counts summed over a range: the comparison period needs no local hours."""
    params: list[Any] = [start, end]
    where = staff_filter("staff_id", staff_id, params)
    row = db.execute(
        "SELECT COALESCE(SUM(visits), 0), COALESCE(SUM(known), 0), COALESCE(SUM(rated), 0),"
        f" COALESCE(SUM(sat_sum), 0) FROM visit_slots WHERE slot >= ? AND slot < ?{where}",
        params,
    ).fetchone()
    return dict(zip(("visits", "known", "rated", "sat_sum"), row, strict=True))


def counts(
    db: sqlite_utils.Database, start: str, end: str, staff_id: int | None
) -> tuple[int, int]:
    """(customers created, issues opened) in a range."""
    p1: list[Any] = [start, end]
    w1 = staff_filter("created_by", staff_id, p1)
    p2: list[Any] = [start, end]
    w2 = staff_filter("owner_id", staff_id, p2)
    customers = db.execute(
        f"SELECT COUNT(*) FROM customers WHERE created_at >= ? AND created_at < ?{w1}", p1
    ).fetchone()[0]
    issues = db.execute(
        f"SELECT COUNT(*) FROM issues WHERE created_at >= ? AND created_at < ?{w2}", p2
    ).fetchone()[0]
    return int(customers), int(issues)


def new_customers(
    db: sqlite_utils.Database, start: str, end: str, offsets: Offsets, staff_id: int | None
) -> list[Row]:
    """Customers created per local day (by whoever created them, for one member's view)."""
    params: list[Any] = []
    local = _local(db, "created_at", offsets, params)
    params.extend([start, end])
    where = staff_filter("created_by", staff_id, params)
    return all_rows(
        db.execute(
            f"SELECT substr({local}, 1, 10) AS day, COUNT(*) AS n FROM customers"
            f" WHERE created_at >= ? AND created_at < ?{where} GROUP BY day",
            params,
        )
    )


# -- issues ------------------------------------------------------------------------------------
def issues_opened(
    db: sqlite_utils.Database, start: str, end: str, offsets: Offsets, staff_id: int | None
) -> list[Row]:
    """Issues opened per local day, category and priority."""
    params: list[Any] = []
    local = _local(db, "i.created_at", offsets, params)
    params.extend([start, end])
    where = staff_filter("i.owner_id", staff_id, params)
    return all_rows(
        db.execute(
            f"SELECT substr({local}, 1, 10) AS day, COALESCE(c.name, '') AS category, i.priority,"
            " COUNT(*) AS n FROM issues i LEFT JOIN issue_categories c ON c.id = i.category_id"
            f" WHERE i.created_at >= ? AND i.created_at < ?{where}"
            " GROUP BY day, category, i.priority",
            params,
        )
    )


def issues_resolved(
    db: sqlite_utils.Database, start: str, end: str, offsets: Offsets, staff_id: int | None
) -> list[Row]:
    """One row per issue resolved in the range: its local day, hours taken, hours promised."""
    params: list[Any] = []
    local = _local(db, "i.resolved_at", offsets, params)
    params.extend([start, end])
    where = staff_filter("i.owner_id", staff_id, params)
    return all_rows(
        db.execute(
            f"SELECT substr({local}, 1, 10) AS day, COALESCE(c.name, '') AS category, i.priority,"
            f" {dialect.hours_between(db, 'i.resolved_at', 'i.created_at')} AS hours,"
            f" {dialect.hours_between(db, 'i.due_at', 'i.created_at')} AS sla_hours,"
            " i.resolved_at <= i.due_at AS in_sla"
            " FROM issues i LEFT JOIN issue_categories c ON c.id = i.category_id"
            " WHERE i.resolved_at IS NOT NULL AND i.resolved_at >= ? AND i.resolved_at < ?"
            f"{where}",
            params,
        )
    )


def resolved_by(
    db: sqlite_utils.Database, start: str, end: str, staff_id: int | None
) -> list[Row]:
    """Issues resolved per staff member who resolved them (the status change's author)."""
    params: list[Any] = [start, end]
    where = staff_filter("staff_id", staff_id, params)
    return all_rows(
        db.execute(
            "SELECT COALESCE(staff_id, 0) AS staff_id, COUNT(*) AS n FROM issue_events"
            f" WHERE at >= ? AND at < ? AND to_status = 'resolved'{where}"
            " GROUP BY COALESCE(staff_id, 0)",
            params,
        )
    )


def overdue(db: sqlite_utils.Database, moment: str, staff_id: int | None) -> list[Row]:
    """Open issues past their due time at `moment`, per category and priority."""
    params: list[Any] = [moment]
    where = staff_filter("i.owner_id", staff_id, params)
    return all_rows(
        db.execute(
            "SELECT COALESCE(c.name, '') AS category, i.priority, COUNT(*) AS n"
            " FROM issues i LEFT JOIN issue_categories c ON c.id = i.category_id"
            f" WHERE i.is_open = 1 AND i.due_at < ?{where} GROUP BY category, i.priority",
            params,
        )
    )


def goodwill(
    db: sqlite_utils.Database, start: str, end: str, staff_id: int | None
) -> list[Row]:
    """Goodwill given in the range per approver's role and kind (one member: on their issues)."""
    params: list[Any] = [start, end]
    where = staff_filter("i.owner_id", staff_id, params)
    return all_rows(
        db.execute(
            "SELECT COALESCE(s.role, '') AS role, g.kind, COUNT(*) AS n,"
            " SUM(g.amount_cents) AS cents"
            " FROM goodwill g JOIN issues i ON i.id = g.issue_id"
            " LEFT JOIN staff s ON s.id = g.approved_by"
            f" WHERE g.at >= ? AND g.at < ?{where} GROUP BY role, g.kind",
            params,
        )
    )


# -- follow-ups --------------------------------------------------------------------------------
def followups(
    db: sqlite_utils.Database, start: str, end: str, staff_id: int | None
) -> list[Row]:
    """Follow-ups due in the range per owner: done by their due time, done later, not done."""
    params: list[Any] = [start, end]
    where = staff_filter("owner_id", staff_id, params)
    return all_rows(
        db.execute(
            "SELECT COALESCE(owner_id, 0) AS staff_id,"
            " COUNT(CASE WHEN done_at IS NOT NULL AND done_at <= due_at THEN 1 END) AS on_time,"
            " COUNT(CASE WHEN done_at IS NOT NULL AND done_at > due_at THEN 1 END) AS late,"
            " COUNT(CASE WHEN done_at IS NULL THEN 1 END) AS due"
            f" FROM followups WHERE due_at >= ? AND due_at < ?{where}"
            " GROUP BY COALESCE(owner_id, 0)",
            params,
        )
    )


def staff_names(db: sqlite_utils.Database) -> dict[int, str]:
    return {int(r[0]): str(r[1]) for r in db.execute("SELECT id, name FROM staff")}

