"""What the Insights view and report show, as plain data: the charts, the tables behind them and
the PDF all draw these. Qt-free, no SQL (services/insights.py fills them)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from csdesk.domain import Channel

# An average of fewer answers than this is shown, but flagged: two people are not "the customers".
MIN_ANSWERS = 5
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHANNELS = tuple(c.value for c in Channel)
PRIORITIES = ("urgent", "high", "normal", "low")


def channel_label(key: str) -> str:
    try:
        return Channel(key).label
    except ValueError:
        return key


@dataclass(frozen=True)
class Period:
    """Local days first <= day < end (end exclusive) in the shop's zone."""

    first: date
    end: date
    tz: tzinfo
    label: str = ""

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=self.tz).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return datetime.combine(self.end, time(0), tzinfo=self.tz).astimezone(UTC)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.end - self.first).days)]

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def weeks(self) -> list[date]:
        """The Mondays of the weeks the period touches (a week is labelled by its Monday)."""
        monday = self.first - timedelta(days=self.first.weekday())
        out = []
        while monday < self.end:
            out.append(monday)
            monday += timedelta(days=7)
        return out

    def before(self) -> Period:
        """The period of the same length just before this one."""
        length = self.end - self.first
        return Period(self.first - length, self.first, self.tz, "the period before")

    @property
    def title(self) -> str:
        return f"{self.first:%d %b %Y} – {self.last:%d %b %Y}"


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class DayVisits:
    day: date
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


@dataclass
class Rated:
    """Visits, how many were by returning customers, and the satisfaction answers among them."""

    visits: int = 0
    known: int = 0  # visits by customers already in csdesk
    new_customers: int = 0
    rated: int = 0
    sat_sum: int = 0

    @property
    def returning_share(self) -> float | None:
        return self.known / self.visits if self.visits else None

    @property
    def average(self) -> float | None:
        return self.sat_sum / self.rated if self.rated else None

    @property
    def few_answers(self) -> bool:
        return 0 < self.rated < MIN_ANSWERS


@dataclass(kw_only=True)
class Week(Rated):
    """One week's customers and satisfaction."""

    monday: date
    distribution: list[int] = field(default_factory=lambda: [0] * 5)  # answers 1..5


@dataclass
class IssueWeek:
    monday: date
    opened: int = 0
    resolved: int = 0


@dataclass
class Breakdown:
    """Issues per category or per priority."""

    name: str
    opened: int = 0
    resolved: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class Goodwill:
    role: str
    kind: str
    count: int
    cents: int


@dataclass
class FollowUps:
    on_time: int = 0
    late: int = 0
    due: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.due

    @property
    def on_time_share(self) -> float | None:
        done = self.on_time + self.late + self.due
        return self.on_time / done if done else None


@dataclass
class StaffRow:
    staff_id: int
    name: str
    visits: int = 0
    rated: int = 0
    sat_sum: int = 0
    issues_resolved: int = 0
    followups: FollowUps = field(default_factory=FollowUps)

    @property
    def average(self) -> float | None:
        return self.sat_sum / self.rated if self.rated else None


@dataclass
class Headline(Rated):
    """The period's figures in one line each, compared with the period before."""

    opened: int = 0
    resolved: int = 0
    in_sla: int = 0
    hours: list[float] = field(default_factory=list)  # time to resolve, each issue resolved
    sla_hours: list[float] = field(default_factory=list)
    followups: FollowUps = field(default_factory=FollowUps)

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours) if self.hours else None

    @property
    def median_sla_hours(self) -> float | None:
        return statistics.median(self.sla_hours) if self.sla_hours else None

    @property
    def in_sla_share(self) -> float | None:
        return self.in_sla / self.resolved if self.resolved else None


@dataclass
class Insights:
    period: Period
    previous: Headline
    headline: Headline
    days: list[DayVisits]
    weeks: list[Week]
    issue_weeks: list[IssueWeek]
    by_category: list[Breakdown]
    by_priority: list[Breakdown]
    overdue: int
    goodwill: list[Goodwill]
    followups: FollowUps
    heat: list[list[int]]  # [weekday 0=Mon][hour 0..23]
    staff: list[StaffRow]
    as_of: datetime
    only: str | None = None  # the member's name when these are one member's own figures

    @property
    def channels(self) -> list[str]:
        """Channels that had visits, in the fixed channel order (so colours stay put)."""
        seen = {c for d in self.days for c, n in d.by_channel.items() if n}
        return [c for c in CHANNELS if c in seen] + sorted(seen - set(CHANNELS))

    @property
    def heat_max(self) -> int:
        return max((n for row in self.heat for n in row), default=0)


def charted_staff(ins: Insights) -> list[StaffRow]:
    """The members the staff chart draws (who handled visits, the first dozen): its bars."""
    return [s for s in ins.staff if s.visits][:12]


def change(now: float | None, before: float | None) -> float | None:
    """Relative change, or None when there is nothing to compare with."""
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before


def heat_colour(n: int, top: int, *, dark: bool = False) -> str:
    """The cell colour for n of top visits: from the background to a strong blue."""
    if top <= 0 or n <= 0:
        return "#2b2b2b" if dark else "#ffffff"
    t = 0.15 + 0.85 * n / top
    base = (43, 43, 43) if dark else (255, 255, 255)
    strong = (86, 180, 233) if dark else (0, 114, 178)
    rgb = tuple(round(b + (s - b) * t) for b, s in zip(base, strong, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def heat_ink(n: int, top: int, *, dark: bool = False) -> str:
    strong = top > 0 and n / top > 0.55
    if dark:
        return "#111111" if strong else "#eeeeee"
    return "#ffffff" if strong else "#1f2933"
