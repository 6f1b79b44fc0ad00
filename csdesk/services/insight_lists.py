"""The lists behind the Insights charts: a bar, a cell or a table row opens the visits, customers,
issues, goodwill or follow-ups it counts. Qt-free; the window shows a `Listing`, a test reads it.

`InsightLists.behind(insights, key, row, column)` is the one map from a place on a chart (the
chart's key, the row of its table, the column or the bar set's name) to its list, so a click on a
bar and Enter on the table row behind it open the same thing. Who may see what is the Insights
rule (InsightService.scope): plain staff only ever get their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from csdesk.services import dates
from csdesk.services.clock import iso, parse
from csdesk.services.insight_data import Insights, Period, channel_label
from csdesk.services.insight_tables import table
from csdesk.services.money import format_cents
from csdesk.services.reports import customer_name
from csdesk.store import insight_lists as store
from csdesk.store.rows import Row

if TYPE_CHECKING:
    from csdesk.services.context import Context

LIMIT = store.LIMIT
WEEKDAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
                 "Sundays")
# the tables (services/insight_tables.py) whose rows open a list
KEYS = ("summary", "visits", "returning", "satisfaction", "issues", "categories", "priorities",
        "goodwill", "followups", "heat", "staff")
FOLLOWUP_LABELS = {"on_time": "Done on time", "late": "Done late", "due": "Still due"}


@dataclass(frozen=True)
class ListItem:
    """One row of a click-through list: a visit, a customer, an issue, goodwill, a follow-up.
    Enter on it opens `customer_id` (None for an anonymous visit: nothing to open)."""

    customer_id: int | None
    at: datetime  # local: the visit, the record's creation, the issue's event, the due time
    customer: str
    what: str
    who: str
    detail: str = ""
    issue_id: int | None = None


@dataclass(frozen=True)
class Listing:
    title: str
    items: list[ListItem]
    total: int  # how many there are; items holds the first LIMIT of them
    with_day: bool = True  # False when every item is on the same day: the time says enough
    capped: bool = False  # there are more than `total` (the store stops counting there)

    @property
    def said(self) -> str:
        """'3', 'the first 500 of 1,234' when the list is cut, or 'the first 500 of more than
        10,000' past the count's cap."""
        if self.capped:
            return f"the first {len(self.items):,} of more than {self.total:,}"
        if self.total > len(self.items):
            return f"the first {len(self.items):,} of {self.total:,}"
        return f"{self.total:,}"


def week_span(period: Period, monday: date) -> tuple[date, date]:
    """A week's days inside the period (first, end exclusive): as the charts count a week."""
    return max(monday, period.first), min(monday + timedelta(days=7), period.end)


class InsightLists:
    """Built by InsightService with its rule for whose figures the actor may see."""

    def __init__(
        self, ctx: Context, *, scope: Callable[[int | None], int | None],
        tz: Callable[[], tzinfo],
    ) -> None:
        self._ctx = ctx
        self._scope = scope
        self._tz = tz

    # -- ranges ------------------------------------------------------------------------------
    def _utc(self, first: date, end: date) -> tuple[str, str]:
        tz = self._tz()
        a = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
        b = datetime.combine(end, time(0), tzinfo=tz).astimezone(UTC)
        return iso(a), iso(b)

    @staticmethod
    def _days(first: date, end: date) -> str:
        if end - first == timedelta(days=1):
            return f"on {first:%A %d %B %Y}"
        return f"{first:%d %b} – {end - timedelta(days=1):%d %b %Y}"

    # -- visits ------------------------------------------------------------------------------
    def visits(
        self, first: date, end: date, *, staff_id: int | None = None, channel: str | None = None,
        score: int | None = None, rated: bool = False, returning: bool | None = None,
        what: str = "Visits and calls",
    ) -> Listing:
        """The visits of local days first <= day < end, filtered like the bar they are behind."""
        who = self._scope(staff_id)
        page = store.visits(self._ctx.db, [self._utc(first, end)], who, channel=channel,
                            score=score, rated=rated, returning=returning)
        one_day = end - first == timedelta(days=1)
        return Listing(f"{what} {self._days(first, end)}", [self._visit(r) for r in page.rows],
                       page.total, with_day=not one_day, capped=page.capped)

    def visits_on(
        self, day: date, *, channel: str | None = None, staff_id: int | None = None
    ) -> Listing:
        """The visits of one local day (a bar of the visits chart, or one channel of it)."""
        what = f"{channel_label(channel)} visits and calls" if channel else "Visits and calls"
        return self.visits(day, day + timedelta(days=1), staff_id=staff_id, channel=channel,
                           what=what)

    def visits_at(
        self, period: Period, weekday: int, hour: int, *, staff_id: int | None = None
    ) -> Listing:
        """The visits of one heat-map cell: that weekday's hour on every day of the period."""
        who = self._scope(staff_id)
        ranges = []
        for day in period.days:
            if day.weekday() != weekday:
                continue
            # A local hour that DST skips has no range; one it repeats is both of its hours.
            a = dates.local_to_utc(datetime.combine(day, time(hour)), period.tz)
            b = a + timedelta(hours=1)
            if a.astimezone(period.tz).hour == hour:
                while b.astimezone(period.tz).hour == hour:
                    b += timedelta(minutes=15)
                ranges.append((iso(a), iso(b)))
        page = store.visits(self._ctx.db, ranges, who)
        title = f"Visits on {WEEKDAY_NAMES[weekday]}, {hour:02d}:00–{(hour + 1) % 24:02d}:00"
        return Listing(title, [self._visit(r) for r in page.rows], page.total, capped=page.capped)

    def _visit(self, r: Row) -> ListItem:
        what = " → ".join(x for x in ((r["purpose"] or "").strip(), (r["outcome"] or "").strip()) if x)
        rated = f"rated {r['satisfaction']}" if r["satisfaction"] is not None else ""
        return ListItem(
            customer_id=r["customer_id"],
            at=self._local(r["at"]),
            customer=customer_name(r),
            what=what or channel_label(r["channel"]),
            who=r["staff_name"] or "",
            detail=" · ".join(x for x in (channel_label(r["channel"]), rated) if x),
        )

    def _local(self, stored: str) -> datetime:
        return parse(stored).astimezone(self._tz())

    # -- customers ---------------------------------------------------------------------------
    def new_customers(self, first: date, end: date, *, staff_id: int | None = None) -> Listing:
        who = self._scope(staff_id)
        a, b = self._utc(first, end)
        page = store.new_customers(self._ctx.db, a, b, who)
        items = [
            ListItem(r["customer_id"], self._local(r["at"]), customer_name(r), "New customer",
                     r["staff_name"] or "", "added")
            for r in page.rows
        ]
        return Listing(f"New customers {self._days(first, end)}", items, page.total,
                       capped=page.capped)

    # -- issues ------------------------------------------------------------------------------
    def issues(
        self, first: date, end: date, *, which: str = "opened", category: str | None = None,
        priority: str | None = None, staff_id: int | None = None,
    ) -> Listing:
        """Issues opened, resolved or either ('both') on the days; Enter opens the customer."""
        who = self._scope(staff_id)
        a, b = self._utc(first, end)
        page = store.issues(self._ctx.db, a, b, who, which=which, category=category,
                            priority=priority)
        opened_or = {"opened": "opened", "resolved": "resolved", "both": "opened or resolved"}
        in_cat = f" in {category}" if category else ""
        title = f"Issues{in_cat} {opened_or[which]} {self._days(first, end)}"
        return Listing(title, [self._issue(r, which) for r in page.rows], page.total,
                       capped=page.capped)

    def overdue_issues(
        self, *, category: str | None = None, priority: str | None = None,
        staff_id: int | None = None, as_of: datetime | None = None,
    ) -> Listing:
        """Open issues past their due time (at `as_of`, the figures' moment; else now)."""
        who = self._scope(staff_id)
        moment = as_of or self._ctx.clock()
        page = store.overdue(self._ctx.db, iso(moment), who, category=category, priority=priority)
        in_cat = f" in {category}" if category else ""
        return Listing(f"Issues{in_cat} overdue now", [self._issue(r, "overdue") for r in page.rows],
                       page.total, capped=page.capped)

    def _issue(self, r: Row, which: str) -> ListItem:
        if which == "overdue":
            at, said = r["due_at"], "due"
        elif which == "resolved":
            at, said = r["resolved_at"], "resolved"
        else:
            at, said = r["created_at"], "opened"
            if which == "both" and r["resolved_at"] is not None:
                said += f", resolved {self._local(r['resolved_at']):%d %b %H:%M}"
        return ListItem(
            customer_id=r["customer_id"],
            at=self._local(at),
            customer=customer_name(r),
            what=r["title"],
            who=r["staff_name"] or "",
            detail=f"{said} · {r['priority']} · {r['category'] or 'no category'}",
            issue_id=r["id"],
        )

    def goodwill(
        self, first: date, end: date, *, role: str | None = None, kind: str | None = None,
        staff_id: int | None = None,
    ) -> Listing:
        who = self._scope(staff_id)
        a, b = self._utc(first, end)
        page = store.goodwill(self._ctx.db, a, b, who, role=role, kind=kind)
        items = [
            ListItem(r["customer_id"], self._local(r["at"]), customer_name(r), r["title"],
                     r["staff_name"] or "", f"{r['kind']} {format_cents(int(r['amount_cents']))}",
                     issue_id=r["issue_id"])
            for r in page.rows
        ]
        by = " ".join(x for x in (kind or "", f"approved by {role}s" if role else "") if x)
        title = f"Goodwill{' ' + by if by else ''} {self._days(first, end)}"
        return Listing(title, items, page.total, capped=page.capped)

    # -- follow-ups --------------------------------------------------------------------------
    def followups(
        self, first: date, end: date, *, state: str | None = None, staff_id: int | None = None,
        as_of: datetime | None = None,
    ) -> Listing:
        """Follow-ups due on the days, up to `as_of` (as the chart counts: not what is not yet
        due), done on time, done late or still due."""
        who = self._scope(staff_id)
        a, b = self._utc(first, end)
        moment = iso((as_of or self._ctx.clock()).astimezone(UTC))
        b = min(b, moment) if a < moment else a
        page = store.followups(self._ctx.db, a, b, who, state=state)
        items = [self._followup(r) for r in page.rows]
        label = FOLLOWUP_LABELS[state] if state else "All"
        return Listing(f"Follow-ups due {self._days(first, end)}: {label.lower()}", items,
                       page.total, capped=page.capped)

    def _followup(self, r: Row) -> ListItem:
        if r["done_at"] is None:
            said = "still due"
        else:
            late = r["done_at"] > r["at"]
            said = f"done {self._local(r['done_at']):%d %b %H:%M}" + (" (late)" if late else "")
        return ListItem(r["customer_id"], self._local(r["at"]), customer_name(r), r["title"],
                        r["staff_name"] or "", said, issue_id=r["issue_id"])

    # -- from a place on a chart to its list ---------------------------------------------------
    def behind(
        self, ins: Insights, key: str, row: int, column: str | None = None,
        *, staff_id: int | None = None,
    ) -> Listing | None:
        """The list behind row `row` of chart `key`'s table (services/insight_tables.py), and
        the column (or the bar set of the same name) the person pointed at. None where a place
        has no list (a header, a row past the end)."""
        handler = getattr(self, f"_behind_{key}", None) if key in KEYS else None
        if handler is None or row < 0:
            return None
        try:
            result: Listing | None = handler(ins, row, column, staff_id)
            return result
        except IndexError:
            return None

    def _behind_summary(self, ins: Insights, row: int, column: str | None,
                        sid: int | None) -> Listing | None:
        p, at = ins.period, ins.as_of
        a, b = p.first, p.end
        label = str(table(ins, "summary").rows[row][0])
        answered = "Visits with an answer"
        lists: dict[str, Callable[[], Listing]] = {
            "Visits and calls": lambda: self.visits(a, b, staff_id=sid),
            "Returning customers": lambda: self.visits(
                a, b, staff_id=sid, returning=True, what="Visits by returning customers"),
            "New customers": lambda: self.new_customers(a, b, staff_id=sid),
            "Average satisfaction": lambda: self.visits(a, b, staff_id=sid, rated=True,
                                                        what=answered),
            "Satisfaction answers": lambda: self.visits(a, b, staff_id=sid, rated=True,
                                                        what=answered),
            "Issues opened": lambda: self.issues(a, b, staff_id=sid),
            "Issues resolved": lambda: self.issues(a, b, which="resolved", staff_id=sid),
            "Median hours": lambda: self.issues(a, b, which="resolved", staff_id=sid),
            "Resolved within": lambda: self.issues(a, b, which="resolved", staff_id=sid),
            "Follow-ups": lambda: self.followups(a, b, staff_id=sid, as_of=at),
            "Issues overdue now": lambda: self.overdue_issues(staff_id=sid, as_of=at),
        }
        for start, listing in lists.items():
            if label.startswith(start):
                return listing()
        return None

    def _behind_visits(self, ins: Insights, row: int, column: str | None,
                       sid: int | None) -> Listing | None:
        day = ins.days[row].day
        by_label = {channel_label(c): c for c in ins.channels}
        return self.visits_on(day, channel=by_label.get(column or ""), staff_id=sid)

    def _behind_returning(self, ins: Insights, row: int, column: str | None,
                          sid: int | None) -> Listing | None:
        a, b = week_span(ins.period, ins.weeks[row].monday)
        if column == "New customers":
            return self.new_customers(a, b, staff_id=sid)
        if column == "Visits":
            return self.visits(a, b, staff_id=sid)
        return self.visits(a, b, staff_id=sid, returning=True, what="Visits by returning customers")

    def _behind_satisfaction(self, ins: Insights, row: int, column: str | None,
                             sid: int | None) -> Listing | None:
        a, b = week_span(ins.period, ins.weeks[row].monday)
        if column in ("1", "2", "3", "4", "5"):
            return self.visits(a, b, staff_id=sid, score=int(column),
                               what=f"Visits answered with {column}")
        return self.visits(a, b, staff_id=sid, rated=True, what="Visits with an answer")

    def _behind_issues(self, ins: Insights, row: int, column: str | None,
                       sid: int | None) -> Listing | None:
        a, b = week_span(ins.period, ins.issue_weeks[row].monday)
        which = {"Opened": "opened", "Resolved": "resolved"}.get(column or "", "both")
        return self.issues(a, b, which=which, staff_id=sid)

    def _breakdown(self, ins: Insights, column: str | None, sid: int | None, *,
                   category: str | None = None, priority: str | None = None) -> Listing:
        if column == "Overdue now":
            return self.overdue_issues(category=category, priority=priority, staff_id=sid,
                                       as_of=ins.as_of)
        which = "resolved" if column == "Resolved" else "opened"
        return self.issues(ins.period.first, ins.period.end, which=which, category=category,
                           priority=priority, staff_id=sid)

    def _behind_categories(self, ins: Insights, row: int, column: str | None,
                           sid: int | None) -> Listing | None:
        return self._breakdown(ins, column, sid, category=ins.by_category[row].name)

    def _behind_priorities(self, ins: Insights, row: int, column: str | None,
                           sid: int | None) -> Listing | None:
        return self._breakdown(ins, column, sid, priority=ins.by_priority[row].name)

    def _behind_goodwill(self, ins: Insights, row: int, column: str | None,
                         sid: int | None) -> Listing | None:
        g = ins.goodwill[row]
        return self.goodwill(ins.period.first, ins.period.end, role=g.role, kind=g.kind,
                             staff_id=sid)

    def _behind_followups(self, ins: Insights, row: int, column: str | None,
                          sid: int | None) -> Listing | None:
        if row != 0:
            return None
        by_label = {label: state for state, label in FOLLOWUP_LABELS.items()}
        by_label["Done late"] = "late"
        state = next((s for label, s in by_label.items() if (column or "").startswith(label)),
                     None)
        return self.followups(ins.period.first, ins.period.end, state=state, staff_id=sid,
                              as_of=ins.as_of)

    def _behind_heat(self, ins: Insights, row: int, column: str | None,
                     sid: int | None) -> Listing | None:
        if row >= 7 or column is None or not column.isdigit():
            return None
        return self.visits_at(ins.period, row, int(column), staff_id=sid)

    def _behind_staff(self, ins: Insights, row: int, column: str | None,
                      sid: int | None) -> Listing | None:
        member = ins.staff[row]
        p = ins.period
        state = {"Follow-ups on time": "on_time", "Follow-ups late": "late",
                 "Follow-ups still due": "due"}.get(column or "")
        if state is not None:
            return self.followups(p.first, p.end, state=state, staff_id=member.staff_id,
                                  as_of=ins.as_of)
        return self.visits(p.first, p.end, staff_id=member.staff_id,
                           what=f"{member.name}'s visits and calls")
