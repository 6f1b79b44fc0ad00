"""The daily log: what happened in a day (or a shift), in time order, and the day's totals.

Qt-free. A day is the shop's local day (setting `timezone`, as issues use it; else the computer's
zone), so a day that crosses a daylight-saving change is 23 or 25 hours long. Exports live in
services/report_export.py; the PDF is drawn by the face's renderer (render/qt.py, paint_report).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from csdesk.domain import Channel, display_name, no_name
from csdesk.errors import UserError
from csdesk.services import dates
from csdesk.services.clock import iso, parse
from csdesk.store import reports as store
from csdesk.store.rows import Row

if TYPE_CHECKING:
    from csdesk.services.context import Context

MAX_RANGE = timedelta(days=366)
KIND_LABELS = {
    "visit": "Visit",
    "call": "Call",
    "note": "Note",
    "issue_opened": "Issue opened",
    "issue_status": "Issue status",
    "issue_resolved": "Issue resolved",
    "issue_closed": "Issue closed",
    "issue_reopened": "Issue reopened",
    "issue_comment": "Issue comment",
    "issue_goodwill": "Goodwill",
    "issue_edited": "Issue edited",
    "followup_created": "Follow-up set",
    "followup_done": "Follow-up done",
    "letter": "Letter",
    "email_sent": "E-mail sent",
}


@dataclass(frozen=True)
class ReportRange:
    """start <= at < end, both aware; `day` is set when the range is one whole local day."""

    start: datetime
    end: datetime
    tz: tzinfo
    day: date | None = None

    @property
    def start_iso(self) -> str:
        return iso(self.start)

    @property
    def end_iso(self) -> str:
        return iso(self.end)

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def title(self) -> str:
        if self.day is not None:
            return long_day(self.day)
        a, b = self.start.astimezone(self.tz), self.end.astimezone(self.tz)
        if a.date() == b.date():
            return f"{long_day(a)}, {a:%H:%M} to {b:%H:%M}"
        return f"{short_moment(a)} to {short_moment(b)}"

    @property
    def spans_days(self) -> bool:
        """True when the range covers parts of several local days: times then need a date."""
        last = (self.end - timedelta(seconds=1)).astimezone(self.tz).date()
        return self.day is None and self.start.astimezone(self.tz).date() != last

    def file_stem(self) -> str:
        if self.day is not None:
            return f"daily-log-{self.day.isoformat()}"
        a, b = self.start.astimezone(self.tz), self.end.astimezone(self.tz)
        return f"log-{a:%Y-%m-%dT%H%M}-to-{b:%Y-%m-%dT%H%M}"


@dataclass(frozen=True)
class LogEvent:
    at: datetime  # in the shop's zone, so isoformat() carries the offset
    kind: str
    customer_id: int | None
    customer_name: str
    channel: str
    staff: str
    summary: str
    issue_id: int | None
    status: str
    computer: str = ""  # the counter it was written at (visits, calls, notes), else ""
    ref: int | None = None  # the row it came from (with kind: which event this is)

    @property
    def named_by_number(self) -> bool:
        """The name is "Customer #id" already: the PDF leaves out its "#id" then."""
        return self.customer_name == no_name(self.customer_id)

    @property
    def staff_where(self) -> str:
        """ "Anna · Counter 2": who, and at which computer when known."""
        return " · ".join(x for x in (self.staff, self.computer) if x)

    def time_label(self, with_day: bool = False) -> str:
        return f"{self.at.day} {self.at:%b %H:%M}" if with_day else f"{self.at:%H:%M}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())

    @property
    def channel_label(self) -> str:
        try:
            return Channel(self.channel).label
        except ValueError:
            return self.channel


@dataclass
class Totals:
    """The figures of the summary; one for the whole shop and one per staff member."""

    visits_by_channel: dict[str, int] = field(default_factory=dict)
    new_customers: int = 0
    issues_opened: int = 0
    issues_resolved: int = 0
    issues_overdue: int = 0
    followups_done: int = 0
    followups_due: int = 0
    goodwill_cents: int = 0
    satisfaction_sum: int = 0
    satisfaction_count: int = 0

    @property
    def visits(self) -> int:
        return sum(self.visits_by_channel.values())

    @property
    def average_satisfaction(self) -> float | None:
        if not self.satisfaction_count:
            return None
        return self.satisfaction_sum / self.satisfaction_count

    @property
    def empty(self) -> bool:
        return not any(
            (self.visits, self.new_customers, self.issues_opened, self.issues_resolved,
             self.issues_overdue, self.followups_done, self.followups_due, self.goodwill_cents)
        )

    def as_dict(self) -> dict[str, Any]:
        avg = self.average_satisfaction
        return {
            "visits": self.visits,
            "visits_by_channel": dict(sorted(self.visits_by_channel.items())),
            "new_customers": self.new_customers,
            "issues_opened": self.issues_opened,
            "issues_resolved": self.issues_resolved,
            "issues_overdue": self.issues_overdue,
            "followups_done": self.followups_done,
            "followups_due": self.followups_due,
            "average_satisfaction": round(avg, 2) if avg is not None else None,
            "goodwill_cents": self.goodwill_cents,
        }


@dataclass(frozen=True)
class Summary:
    total: Totals
    by_staff: dict[str, Totals]  # staff name -> their figures, sorted by name
    as_of: datetime  # overdue and still-due counts are as of this moment


class ReportService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @property
    def tz(self) -> tzinfo:
        return self._ctx.tz

    # -- ranges --------------------------------------------------------------------------------
    def today(self) -> date:
        return self._ctx.clock().astimezone(self.tz).date()

    def day(self, day: date | None = None) -> ReportRange:
        """The shop's local day `day` (today when None): midnight to midnight, 23 to 25 hours."""
        tz = self.tz
        day = day or self.today()
        start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        return ReportRange(start, end, tz, day)

    def span(self, start: datetime, end: datetime) -> ReportRange:
        """A shift: any range; naive times are the shop's local time."""
        tz = self.tz
        start = (start if start.tzinfo else start.replace(tzinfo=tz)).astimezone(UTC)
        end = (end if end.tzinfo else end.replace(tzinfo=tz)).astimezone(UTC)
        if end <= start:
            raise UserError("The end of the range must come after its start.", field="to")
        if end - start > MAX_RANGE:
            raise UserError("Pick a range of at most a year.", field="to")
        return ReportRange(start, end, tz)

    def parse_day(self, text: str) -> ReportRange:
        """A day as dates.parse_day reads it (YYYY-MM-DD, today, yesterday...)."""
        return self.day(dates.parse_day(text, self.today()))

    def parse_span(self, start_text: str, end_text: str) -> ReportRange:
        """'2026-11-30 08:00' .. '2026-11-30 16:00'; a bare date as the end means its end."""
        start = dates.parse_moment(start_text, self.today(), field="from")
        end = dates.parse_moment(end_text, self.today(), field="to")
        if dates.is_bare_day(end_text):
            end += timedelta(days=1)
        return self.span(start, end)

    # -- rows ----------------------------------------------------------------------------------
    def count(self, rng: ReportRange) -> int:
        return store.count(self._ctx.db, rng.start_iso, rng.end_iso)

    def page(self, rng: ReportRange, offset: int = 0, limit: int = 200) -> list[LogEvent]:
        rows = store.events(self._ctx.db, rng.start_iso, rng.end_iso, offset=offset, limit=limit)
        return [to_event(r, rng.tz) for r in rows]

    def rows(self, rng: ReportRange) -> list[LogEvent]:
        return list(self.iter_rows(rng))

    def iter_rows(self, rng: ReportRange) -> Iterator[LogEvent]:
        for row in store.iter_events(self._ctx.db, rng.start_iso, rng.end_iso):
            yield to_event(row, rng.tz)

    # -- summary -------------------------------------------------------------------------------
    def summary(self, rng: ReportRange) -> Summary:
        """The range's figures, for the shop and per staff member.

        Each figure belongs to whoever did it (visits: who served; issues: who opened or
        resolved; goodwill: who approved); overdue issues and follow-ups still due belong to
        their owner and are counted as of the end of the range (or now, if that is earlier),
        from today's state: an issue resolved since then no longer counts. Average satisfaction
        pools visit ratings and the ratings given when issues were resolved.
        """
        db, a, b = self._ctx.db, rng.start_iso, rng.end_iso
        names = store.staff_names(db)
        as_of = min(rng.end, self._ctx.clock().astimezone(UTC))
        total = Totals()
        staff: dict[str, Totals] = {}

        def each(staff_id: int | None) -> Iterator[Totals]:
            yield total
            name = names.get(staff_id, "") if staff_id is not None else ""
            yield staff.setdefault(name or "(nobody)", Totals())

        for r in store.visit_totals(db, a, b):
            for t in each(r["staff_id"]):
                t.visits_by_channel[r["channel"]] = t.visits_by_channel.get(r["channel"], 0) + r["n"]
                t.satisfaction_sum += r["sat_sum"] or 0
                t.satisfaction_count += r["sat_n"]
        for r in store.new_customers(db, a, b):
            for t in each(r["staff_id"]):
                t.new_customers += r["n"]
        for r in store.issue_totals(db, a, b):
            for t in each(r["staff_id"]):
                t.issues_opened += r["opened"] or 0
                t.issues_resolved += r["resolved"] or 0
                t.satisfaction_sum += r["sat_sum"] or 0
                t.satisfaction_count += r["sat_n"]
        for r in store.overdue_issues(db, iso(as_of)):
            for t in each(r["staff_id"]):
                t.issues_overdue += r["n"]
        for r in store.followups_done(db, a, b):
            for t in each(r["staff_id"]):
                t.followups_done += r["n"]
        for r in store.followups_still_due(db, iso(as_of)):
            for t in each(r["staff_id"]):
                t.followups_due += r["n"]
        for r in store.goodwill_totals(db, a, b):
            for t in each(r["staff_id"]):
                t.goodwill_cents += r["cents"] or 0
        ordered = dict(sorted(staff.items(), key=lambda kv: kv[0].casefold()))
        return Summary(total, ordered, as_of)



# -- labels (pure; no %-d: Windows' strftime does not know it) -------------------------------
def long_day(day: date | datetime) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_moment(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y, %H:%M}"


# -- rows to events ----------------------------------------------------------------------------
def customer_name(row: Row) -> str:
    if row["customer_id"] is None:
        return "(anonymous)"
    return display_name(row["first_name"], row["last_name"], row["preferred_name"], row["company"],
                        row["email"], row["name_phone"] or "", row["customer_id"])


def _kind(row: Row) -> str:
    kind = str(row["kind"])
    if kind == "visit":
        return "call" if row["channel"] == Channel.PHONE.value else "visit"
    if kind == "issue_created":
        return "issue_opened"
    if kind == "issue_status" and row["status"] in ("resolved", "closed"):
        return f"issue_{row['status']}"
    return kind


def _join(title: str, detail: str, sep: str = ": ") -> str:
    title, detail = (title or "").strip(), (detail or "").strip()
    return f"{title}{sep}{detail}" if title and detail else title or detail


def to_event(row: Row, tz: tzinfo) -> LogEvent:
    kind = _kind(row)
    title, detail = row["title"] or "", row["detail"] or ""
    if kind in ("visit", "call"):
        summary = _join(title, detail, " → ") or KIND_LABELS[kind]
    elif kind == "note":
        summary = title
    elif kind == "followup_created":
        due = parse(detail).astimezone(tz) if detail else None
        summary = f"{title} (due {due:%Y-%m-%d %H:%M})" if due else title
    elif kind == "letter":
        summary = title
    elif kind == "email_sent":
        summary = _join(title, f"to {detail}" if detail else "", " ")
    else:
        summary = _join(title, detail)
    channel = row["channel"] or ""
    return LogEvent(
        at=parse(row["at"]).astimezone(tz),
        kind=kind,
        customer_id=row["customer_id"],
        customer_name=customer_name(row),
        channel=channel,
        staff=row["staff_name"] or "",
        summary=summary,
        issue_id=row["issue_id"],
        status=row["status"] or "",
        computer=row.get("computer") or "",
        ref=row.get("ref_id"),
    )
