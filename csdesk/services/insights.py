"""Insights: how the shop is doing over a period, compared with the period before. Qt-free.

The numbers come from store/insights.py; this module turns local days, weeks and hours into the
plain data of services/insight_data.py that the charts, the tables, the CSV and the PDF all draw.

Who sees what (the one rule, enforced here for every face): shift leads and admins see the whole
shop and every member (Permission.VIEW_TEAM_INSIGHTS); plain staff see only their own figures,
and asking for anyone else's is refused.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from csdesk.errors import NotFound, PermissionDenied, UserError
from csdesk.services import dates
from csdesk.services.auth import Permission, allowed, require
from csdesk.services.clock import iso
from csdesk.services.insight_data import (
    PRIORITIES,
    Breakdown,
    DayVisits,
    FollowUps,
    Goodwill,
    Headline,
    Insights,
    IssueWeek,
    Period,
    StaffRow,
    Week,
    week_of,
)
from csdesk.services.insight_lists import InsightLists
from csdesk.store import insights as store
from csdesk.store import staff as staff_store

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.reports import ReportService

PRESETS = ("this_week", "last_4_weeks", "this_quarter")
PRESET_LABELS = {
    "this_week": "This week",
    "last_4_weeks": "Last 4 weeks",
    "this_quarter": "This quarter",
    "custom": "Custom",
}
MAX_DAYS = 366


def offsets(tz: tzinfo, start: datetime, end: datetime) -> list[tuple[str | None, str]]:
    """The zone's UTC offsets over [start, end) as store.insights.Offsets.

    Walks the range an hour at a time and finds each change to the quarter hour (every zone's
    changes fall on one), so a DST day of 23 or 25 hours is grouped exactly.
    """

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(tz).utcoffset() or timedelta(0)
        return int(delta.total_seconds() // 60)

    def modifier(minutes: int) -> str:
        return f"{minutes:+d} minutes"

    out: list[tuple[str | None, str]] = []
    moment = start.astimezone(UTC)
    current = offset(moment)
    step = timedelta(hours=1)
    while moment < end:
        nxt = moment + step
        if offset(nxt) != current:
            change = moment + timedelta(minutes=15)
            while offset(change) == current:
                change += timedelta(minutes=15)
            out.append((f"{change:%Y-%m-%dT%H:%M}", modifier(current)))
            current = offset(change)
            moment = change
            continue
        moment = nxt
    out.append((None, modifier(current)))
    return out


def _slot(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M}"


class InsightService:
    """Built from the context and the daily log's service, which owns the shop's local day."""

    def __init__(self, ctx: Context, *, reports: ReportService) -> None:
        self._ctx = ctx
        self._reports = reports
        # the lists behind the bars, under the same rule for whose figures one may see
        self.lists = InsightLists(ctx, scope=self.scope, tz=lambda: self.tz)

    @property
    def tz(self) -> tzinfo:
        return self._reports.tz

    def today(self) -> date:
        return self._reports.today()

    # -- periods -------------------------------------------------------------------------------
    def preset(self, name: str, today: date | None = None) -> Period:
        day = today or self.today()
        tz = self.tz
        # To date: a week or quarter ends today, so the period before (as many days just
        # before it) compares like with like, not half a quarter with a whole one.
        end = day + timedelta(days=1)
        if name == "this_week":
            return Period(day - timedelta(days=day.weekday()), end, tz, PRESET_LABELS[name])
        if name == "last_4_weeks":
            return Period(day - timedelta(days=27), end, tz, PRESET_LABELS[name])
        if name == "this_quarter":
            first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
            return Period(first, end, tz, PRESET_LABELS[name])
        raise UserError(f"Unknown period “{name}”. Pick one of {', '.join(PRESETS)} or dates.")

    def custom(self, first: date, last: date) -> Period:
        """From `first` to `last`, both days included."""
        if last < first:
            raise UserError("The last day must not come before the first.", field="to")
        if (last - first).days >= MAX_DAYS:
            raise UserError("Pick a period of at most a year.", field="to")
        return Period(first, last + timedelta(days=1), self.tz, "Custom")

    def parse_period(self, first: str, last: str) -> Period:
        today = self.today()
        return self.custom(
            dates.parse_day(first, today, field="from"), dates.parse_day(last, today, field="to")
        )

    # -- who may see what ----------------------------------------------------------------------
    def scope(self, staff_id: int | None = None) -> int | None:
        """Whose figures the actor may see: None for the whole shop, else one member's id."""
        actor = self._ctx.actor
        require(actor, Permission.VIEW)
        if allowed(actor, Permission.VIEW_TEAM_INSIGHTS):
            return staff_id
        if staff_id is not None and staff_id != actor.id:
            raise PermissionDenied(
                f"{actor.name} can see only their own figures. Ask a shift lead or an admin."
            )
        return actor.id

    def member_id(self, name: str) -> int:
        row = staff_store.by_name(self._ctx.db, name)
        if row is None:
            raise NotFound(f"No staff member called “{name}”. `csdesk staff list` shows who exists.")
        return int(row["id"])

    def members(self) -> list[tuple[int, str]]:
        """Whom the actor may pick: everyone for leads and admins, else only themselves."""
        actor = self._ctx.actor
        if not self.sees_team:
            return [(actor.id, actor.name)]
        return sorted(store.staff_names(self._ctx.db).items(), key=lambda kv: kv[1].casefold())

    @property
    def sees_team(self) -> bool:
        return allowed(self._ctx.actor, Permission.VIEW_TEAM_INSIGHTS)

    # -- the figures ---------------------------------------------------------------------------
    def compute(self, period: Period, staff_id: int | None = None) -> Insights:
        """The period's charts and the period before's headline figures."""
        who = self.scope(staff_id)
        now = self._ctx.clock().astimezone(UTC)
        names = store.staff_names(self._ctx.db)
        current, parts = self._figures(period, who, now, names)
        # The period before is compared in the headline only: skip what only the charts need.
        previous = self._headline(period.before(), who, now)
        return Insights(
            period=period,
            previous=previous,
            headline=current,
            as_of=now.astimezone(period.tz),
            only=names.get(who, "") if who is not None else None,
            **parts,
        )

    def _headline(self, period: Period, who: int | None, now: datetime) -> Headline:
        """The comparison period's headline from range totals (no days, weeks or hours)."""
        db = self._ctx.db
        start, end = period.start_utc, period.end_utc
        a, b = iso(start), iso(end)
        totals = store.visit_totals(db, _slot(start), _slot(end), who)
        customers, opened = store.counts(db, a, b, who)
        head = Headline(visits=int(totals["visits"]), known=int(totals["known"]),
                        new_customers=customers, rated=int(totals["rated"]),
                        sat_sum=int(totals["sat_sum"]), opened=opened)
        for r in store.issues_resolved(db, a, b, offsets(period.tz, start, end), who):
            head.resolved += 1
            head.in_sla += int(r["in_sla"])
            head.hours.append(float(r["hours"]))
            head.sla_hours.append(float(r["sla_hours"]))
        for r in store.followups(db, a, iso(min(end, now)) if start < now else a, who):
            head.followups.on_time += int(r["on_time"])
            head.followups.late += int(r["late"])
            head.followups.due += int(r["due"])
        return head

    def _figures(
        self, period: Period, who: int | None, now: datetime, names: dict[int, str]
    ) -> tuple[Headline, dict[str, Any]]:
        db, tz = self._ctx.db, period.tz
        start, end = period.start_utc, period.end_utc
        offs = offsets(tz, start, end)
        a, b = iso(start), iso(end)
        head = Headline()
        days = {d: DayVisits(d) for d in period.days}
        weeks = {m: Week(monday=m) for m in period.weeks}
        heat = [[0] * 24 for _ in range(7)]
        staff: dict[int, StaffRow] = {}

        def member(sid: int) -> StaffRow:
            if sid not in staff:
                staff[sid] = StaffRow(sid, names.get(sid, "") or "(nobody)")
            return staff[sid]

        # A quarter is ~10,000 (hour, channel, member) rows: look each local day up once.
        by_day = {d.isoformat(): (days[d], weeks[week_of(d)], d.weekday()) for d in days}
        for r in store.visit_hours(db, _slot(start), _slot(end), offs, who):
            hour = r["hour"]
            found = by_day.get(hour[:10])
            if found is None:  # cannot happen unless a stored time is malformed
                continue
            day_visits, week, weekday = found
            n = int(r["visits"])
            by = day_visits.by_channel
            by[r["channel"]] = by.get(r["channel"], 0) + n
            week.visits += n
            week.known += int(r["known"])
            week.rated += int(r["rated"])
            week.sat_sum += int(r["sat_sum"])
            for i in range(5):
                week.distribution[i] += int(r[f"s{i + 1}"])
            heat[weekday][int(hour[11:13])] += n
            m = member(int(r["staff_id"]))
            m.visits += n
            m.rated += int(r["rated"])
            m.sat_sum += int(r["sat_sum"])
        for r in store.new_customers(db, a, b, offs, who):
            weeks[week_of(date.fromisoformat(r["day"]))].new_customers += int(r["n"])
        for w in weeks.values():
            head.visits += w.visits
            head.known += w.known
            head.new_customers += w.new_customers
            head.rated += w.rated
            head.sat_sum += w.sat_sum

        issue_weeks = {m: IssueWeek(m) for m in period.weeks}
        cats: dict[str, Breakdown] = {}
        prios = {p: Breakdown(p) for p in PRIORITIES}

        def cat(name: str) -> Breakdown:
            name = name or "(none)"
            return cats.setdefault(name, Breakdown(name))

        for r in store.issues_opened(db, a, b, offs, who):
            n = int(r["n"])
            issue_weeks[week_of(date.fromisoformat(r["day"]))].opened += n
            cat(r["category"]).opened += n
            prios.setdefault(r["priority"], Breakdown(r["priority"])).opened += n
            head.opened += n
        for r in store.issues_resolved(db, a, b, offs, who):
            issue_weeks[week_of(date.fromisoformat(r["day"]))].resolved += 1
            cat(r["category"]).resolved += 1
            prios.setdefault(r["priority"], Breakdown(r["priority"])).resolved += 1
            head.resolved += 1
            head.in_sla += int(r["in_sla"])
            head.hours.append(float(r["hours"]))
            head.sla_hours.append(float(r["sla_hours"]))
        overdue = 0
        for r in store.overdue(db, iso(now), who):
            n = int(r["n"])
            cat(r["category"]).overdue += n
            prios.setdefault(r["priority"], Breakdown(r["priority"])).overdue += n
            overdue += n
        goodwill = [
            Goodwill(r["role"] or "(nobody)", r["kind"], int(r["n"]), int(r["cents"]))
            for r in store.goodwill(db, a, b, who)
        ]
        follow = FollowUps()
        for r in store.followups(db, a, iso(min(end, now)) if start < now else a, who):
            m = member(int(r["staff_id"]))
            m.followups = FollowUps(int(r["on_time"]), int(r["late"]), int(r["due"]))
            follow.on_time += m.followups.on_time
            follow.late += m.followups.late
            follow.due += m.followups.due
        head.followups = follow
        for r in store.resolved_by(db, a, b, who):
            member(int(r["staff_id"])).issues_resolved += int(r["n"])
        parts = {
            "days": list(days.values()),
            "weeks": list(weeks.values()),
            "issue_weeks": list(issue_weeks.values()),
            "by_category": sorted(cats.values(), key=lambda c: (-c.opened - c.overdue, c.name)),
            "by_priority": list(prios.values()),
            "overdue": overdue,
            "goodwill": sorted(goodwill, key=lambda g: (g.role, g.kind)),
            "followups": follow,
            "heat": heat,
            "staff": sorted(staff.values(), key=lambda s: s.name.casefold()),
        }
        return head, parts
