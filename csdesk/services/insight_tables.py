"""The numbers behind every Insights chart as tables: the window's table views (one keystroke from
each chart, and what a screen reader reads), the PDF's tables and the CSV all come from here.
Qt-free."""

from __future__ import annotations

from dataclasses import dataclass

from csdesk.services.insight_data import (
    MIN_ANSWERS,
    WEEKDAYS,
    Breakdown,
    Headline,
    Insights,
    change,
    channel_label,
)

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    key: str  # the chart's key (render/charts.py CHARTS), 'summary' or 'heat'
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


@dataclass(frozen=True)
class ChartInfo:
    key: str
    title: str
    caption: str  # one sentence: what the chart shows


CHARTS: tuple[ChartInfo, ...] = (
    ChartInfo("visits", "Visits and calls", "Visits and calls per day, stacked by channel."),
    ChartInfo("returning", "Returning customers",
              "New customers per week (bars) and the share of visits by customers seen before "
              "(line)."),
    ChartInfo("satisfaction", "Satisfaction",
              "Answers per week by score (bars) and their average (line); * marks a week with "
              f"fewer than {MIN_ANSWERS} answers."),
    ChartInfo("issues", "Issues", "Issues opened and resolved per week."),
    ChartInfo("categories", "Issues by category",
              "Issues opened and resolved in the period, and open past their due time now, by "
              "category."),
    ChartInfo("goodwill", "Goodwill",
              "Goodwill given in the period (amount) by the approver's role and kind."),
    ChartInfo("followups", "Follow-ups",
              "Follow-ups due in the period: done on time, done late, still not done."),
    ChartInfo("staff", "Staff", "Visits and calls each staff member handled in the period."),
)
HEAT_CAPTION = "Visits and calls by weekday and hour (shop time); the stronger the colour, the busier."


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 1)


def _r(x: float | None, n: int = 2) -> float | None:
    return None if x is None else round(x, n)


def _summary_rows(now: Headline, before: Headline, overdue: int) -> list[tuple[Cell, ...]]:
    def row(name: str, a: float | None, b: float | None) -> tuple[Cell, ...]:
        delta = change(a, b)
        return (name, a, b, _pct(delta))

    return [
        row("Visits and calls", now.visits, before.visits),
        row("Returning customers (% of visits)", _pct(now.returning_share), _pct(before.returning_share)),
        row("New customers", now.new_customers, before.new_customers),
        row("Average satisfaction (1–5)", _r(now.average), _r(before.average)),
        row("Satisfaction answers", now.rated, before.rated),
        row("Issues opened", now.opened, before.opened),
        row("Issues resolved", now.resolved, before.resolved),
        row("Median hours to resolve", _r(now.median_hours, 1), _r(before.median_hours, 1)),
        row("Median hours promised (SLA)", _r(now.median_sla_hours, 1), _r(before.median_sla_hours, 1)),
        row("Resolved within the SLA (%)", _pct(now.in_sla_share), _pct(before.in_sla_share)),
        row("Follow-ups done on time (%)", _pct(now.followups.on_time_share),
            _pct(before.followups.on_time_share)),
        ("Issues overdue now", overdue, None, None),
    ]


def _breakdown(key: str, name: str, rows: list[Breakdown]) -> Table:
    return Table(key, f"Issues by {name.lower()}", (name, "Opened", "Resolved", "Overdue now"),
                 [(c.name, c.opened, c.resolved, c.overdue) for c in rows])


def tables(ins: Insights) -> list[Table]:
    channels = ins.channels
    out = [
        Table("summary", "Summary", ("Figure", "This period", "Before", "Change %"),
              _summary_rows(ins.headline, ins.previous, ins.overdue)),
        Table(
            "visits", "Visits and calls per day",
            ("Day", *(channel_label(c) for c in channels), "Total"),
            [(d.day.isoformat(), *(d.by_channel.get(c, 0) for c in channels), d.total)
             for d in ins.days],
        ),
        Table(
            "returning", "Returning customers per week",
            ("Week of", "Visits", "By returning customers", "Returning (%)", "New customers"),
            [(w.monday.isoformat(), w.visits, w.known, _pct(w.returning_share), w.new_customers)
             for w in ins.weeks],
        ),
        Table(
            "satisfaction", "Satisfaction per week",
            ("Week of", "Answers", "Average", f"Fewer than {MIN_ANSWERS} answers",
             "1", "2", "3", "4", "5"),
            [(w.monday.isoformat(), w.rated, _r(w.average), "yes" if w.few_answers else "",
              *w.distribution) for w in ins.weeks],
        ),
        Table(
            "issues", "Issues per week",
            ("Week of", "Opened", "Resolved"),
            [(w.monday.isoformat(), w.opened, w.resolved) for w in ins.issue_weeks],
        ),
        _breakdown("categories", "Category", ins.by_category),
        _breakdown("priorities", "Priority", ins.by_priority),
        Table(
            "goodwill", "Goodwill by approver's role and kind",
            ("Role", "Kind", "Times", "Amount (cents)"),
            [(g.role, g.kind, g.count, g.cents) for g in ins.goodwill],
        ),
        Table(
            "followups", "Follow-ups due in the period",
            ("Done on time", "Done late", "Still due"),
            [(ins.followups.on_time, ins.followups.late, ins.followups.due)],
        ),
        Table(
            "heat", "Visits and calls by weekday and hour",
            ("Day", *(f"{h:02d}" for h in range(24))),
            [(WEEKDAYS[d], *ins.heat[d]) for d in range(7)],
        ),
        Table(
            "staff", "Per staff member",
            ("Staff", "Visits handled", "Answers", "Average satisfaction", "Issues resolved",
             "Follow-ups on time", "Follow-ups late", "Follow-ups still due"),
            [(s.name, s.visits, s.rated, _r(s.average), s.issues_resolved, s.followups.on_time,
              s.followups.late, s.followups.due) for s in ins.staff],
        ),
    ]
    return out


def table(ins: Insights, key: str) -> Table:
    for t in tables(ins):
        if t.key == key:
            return t
    raise KeyError(key)


def cell_text(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
