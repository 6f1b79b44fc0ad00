"""The Insights charts, built with QtCharts from services/insight_data.py's plain data.

One builder per chart, shared by the window (ui/features/insights.py puts them in QChartViews)
and the PDF (render/insight_pdf.py draws them into images). QtCharts does the drawing; this module
only says which numbers go in which series. The weekday x hour heat map is not a chart type
QtCharts has: it is a table with coloured cells (ui model / HTML table), see heat_colour.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCharts import (
    QAbstractSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QHorizontalBarSeries,
    QLineSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from csdesk.services.insight_data import Insights, channel_label, charted_staff
from csdesk.services.insight_export import CHART_HEIGHT, CHART_WIDTH

SCALE = 3  # image pixels per CSS px: 288 dpi on paper, sharp when printed

# Colours that stay apart in both palettes and for the common colour blindnesses (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
SAT_COLOURS = ("#D55E00", "#E69F00", "#BBBBBB", "#56B4E9", "#0072B2")  # 1 (bad) .. 5 (good)


def _day_axis(ins: Insights) -> QCategoryAxis:
    """Days as positions 0..n-1, labelled where a label fits: every day ("Mon 19") for a week,
    every day's number for two weeks, else each Monday ("9 Nov"). A category axis would need a
    (cramped, elided) label per bar."""
    days = ins.period.days
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setRange(-0.5, len(days) - 0.5)
    mondays = 0
    for i, d in enumerate(days):
        if len(days) <= 7:
            axis.append(f"{d:%a} {d.day}", i)
        elif len(days) <= 14:  # "Mon 19" no longer fits under a bar: the day's number does
            axis.append(f"{d.day}", i)
        elif d.weekday() == 0:
            # every other Monday past two months: a label needs about two weeks of bars
            if len(days) <= 62 or mondays % 2 == 0:
                axis.append(f"{d.day} {d:%b}", i)
            mondays += 1
    axis.setGridLineVisible(False)
    return axis


def _week_labels(ins: Insights) -> list[str]:
    return [f"{w.monday.day} {w.monday:%b}" for w in ins.weeks]


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setPointSizeF(11)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    return chart


def _axes(
    chart: QChart, labels: list[str], series: QAbstractSeries, *, top: float | None = None
) -> QValueAxis:
    x = QBarCategoryAxis()
    x.append(labels)
    if len(labels) > 7:
        x.setLabelsAngle(-90)
    y = QValueAxis()
    y.setLabelFormat("%d")
    y.setMin(0)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    if top is not None:
        _count_axis(y, top)
    return y


def _count_axis(axis: QValueAxis, top: float) -> None:
    """Whole numbers only: small counts get one tick per unit, larger ones nice steps."""
    top = max(top, 1)
    if top <= 6:
        axis.setRange(0, top)
        axis.setTickCount(int(top) + 1)
    else:
        axis.setRange(0, top)
        axis.applyNiceNumbers()


def _bar_set(name: str, values: list[float], colour: str) -> QBarSet:
    bars = QBarSet(name)
    bars.append(values)
    bars.setColor(QColor(colour))
    bars.setBorderColor(QColor(colour))
    return bars


def visits_chart(ins: Insights) -> QChart:
    chart = _chart("Visits and calls per day")
    series = QStackedBarSeries()
    for i, channel in enumerate(ins.channels):
        series.append(
            _bar_set(channel_label(channel), [d.by_channel.get(channel, 0) for d in ins.days],
                     PALETTE[i % len(PALETTE)])
        )
    series.setBarWidth(0.8)
    chart.addSeries(series)
    x = _day_axis(ins)
    y = QValueAxis()
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    _count_axis(y, max((d.total for d in ins.days), default=0))
    return chart


def returning_chart(ins: Insights) -> QChart:
    chart = _chart("Returning customers")
    bars = QBarSeries()
    bars.append(_bar_set("New customers", [w.new_customers for w in ins.weeks], PALETTE[1]))
    chart.addSeries(bars)
    _axes(chart, _week_labels(ins), bars, top=max((w.new_customers for w in ins.weeks), default=0))
    points = [None if w.returning_share is None else round(100 * w.returning_share, 1)
              for w in ins.weeks]
    _right_line(chart, "Visits by returning customers (%)", PALETTE[0], points, (0, 100), "%d%%")
    return chart


def _right_line(
    chart: QChart, name: str, colour: str, points: list[float | None],
    span: tuple[float, float], fmt: str, ticks: int | None = None,
) -> None:
    """A line over the bars, on its own axis on the right (a share, an average)."""
    line = QLineSeries()
    line.setName(name)
    line.setColor(QColor(colour))
    line.setPointsVisible(True)
    for i, y in enumerate(points):
        if y is not None:
            line.append(i, y)
    chart.addSeries(line)
    axis = QValueAxis()
    axis.setRange(*span)
    if ticks is not None:
        axis.setTickCount(ticks)
    axis.setLabelFormat(fmt)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignRight)
    line.attachAxis(axis)
    line.attachAxis(chart.axes(Qt.Orientation.Horizontal)[0])


def satisfaction_chart(ins: Insights) -> QChart:
    chart = _chart("Satisfaction")
    series = QStackedBarSeries()
    for n in range(5):
        series.append(
            _bar_set(f"{n + 1}", [w.distribution[n] for w in ins.weeks], SAT_COLOURS[n])
        )
    chart.addSeries(series)
    labels = [
        f"{label} *" if w.few_answers else label
        for label, w in zip(_week_labels(ins), ins.weeks, strict=True)
    ]
    _axes(chart, labels, series, top=max((w.rated for w in ins.weeks), default=0))
    points = [None if w.average is None else round(w.average, 2) for w in ins.weeks]
    _right_line(chart, "Average (1–5)", "#1f2933", points, (1, 5), "%.0f", ticks=5)
    return chart


def issues_chart(ins: Insights) -> QChart:
    chart = _chart("Issues opened and resolved per week")
    series = QBarSeries()
    series.append(_bar_set("Opened", [w.opened for w in ins.issue_weeks], PALETTE[5]))
    series.append(_bar_set("Resolved", [w.resolved for w in ins.issue_weeks], PALETTE[2]))
    chart.addSeries(series)
    top = max((max(w.opened, w.resolved) for w in ins.issue_weeks), default=0)
    _axes(chart, _week_labels(ins), series, top=top)
    return chart


def breakdown_chart(ins: Insights) -> QChart:
    chart = _chart("Issues by category")
    series = QHorizontalBarSeries()
    rows = ins.by_category[:8]
    series.append(_bar_set("Opened", [c.opened for c in rows], PALETTE[5]))
    series.append(_bar_set("Resolved", [c.resolved for c in rows], PALETTE[2]))
    series.append(_bar_set("Overdue now", [c.overdue for c in rows], PALETTE[3]))
    top = max((max(c.opened, c.resolved, c.overdue) for c in rows), default=0)
    _horizontal(chart, series, [c.name for c in rows] or ["(none)"], top)
    return chart


def _horizontal(chart: QChart, series: QHorizontalBarSeries, names: list[str], top: float) -> None:
    """Bars across: names down the left, counts along the bottom."""
    chart.addSeries(series)
    y = QBarCategoryAxis()
    y.append(names)
    x = QValueAxis()
    x.setLabelFormat("%d")
    _count_axis(x, top)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    series.attachAxis(y)


def goodwill_chart(ins: Insights) -> QChart:
    chart = _chart("Goodwill given, by approver's role and kind")
    series = QHorizontalBarSeries()
    rows = ins.goodwill[:8]
    series.append(_bar_set("Amount", [g.cents / 100 for g in rows], PALETTE[3]))
    _horizontal(chart, series, [f"{g.role} · {g.kind}" for g in rows] or ["(none)"],
                max((g.cents / 100 for g in rows), default=0))
    chart.legend().hide()
    return chart


def followups_chart(ins: Insights) -> QChart:
    chart = _chart("Follow-ups due in the period")
    pie = QPieSeries()
    f = ins.followups
    for label, n, colour in (
        ("Done on time", f.on_time, PALETTE[2]),
        ("Done late", f.late, PALETTE[1]),
        ("Still due", f.due, PALETTE[5]),
    ):
        part = pie.append(f"{label}: {n}", n)
        part.setColor(QColor(colour))
        part.setLabelVisible(bool(n))
    chart.addSeries(pie)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    return chart


def staff_chart(ins: Insights) -> QChart:
    chart = _chart("Visits handled per staff member")
    series = QHorizontalBarSeries()
    rows = charted_staff(ins)
    series.append(_bar_set("Visits", [s.visits for s in rows], PALETTE[0]))
    _horizontal(chart, series, [s.name for s in rows] or ["(nobody)"],
                max((s.visits for s in rows), default=0))
    chart.legend().hide()
    return chart


BUILDERS: dict[str, Callable[[Insights], QChart]] = {
    "visits": visits_chart,
    "returning": returning_chart,
    "satisfaction": satisfaction_chart,
    "issues": issues_chart,
    "categories": breakdown_chart,
    "goodwill": goodwill_chart,
    "followups": followups_chart,
    "staff": staff_chart,
}


def apply_theme(chart: QChart, dark: bool) -> None:
    """Light or dark, keeping our series colours (a theme change resets them)."""
    colours = []
    for series in chart.series():
        if isinstance(series, QBarSeries | QStackedBarSeries | QHorizontalBarSeries):
            colours.append([b.color() for b in series.barSets()])
        elif isinstance(series, QLineSeries):
            colours.append([series.color()])
        elif isinstance(series, QPieSeries):
            colours.append([s.color() for s in series.slices()])
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
    for series, saved in zip(chart.series(), colours, strict=False):
        if isinstance(series, QBarSeries | QStackedBarSeries | QHorizontalBarSeries):
            for b, c in zip(series.barSets(), saved, strict=False):
                b.setColor(c)
                b.setBorderColor(c)
        elif isinstance(series, QLineSeries):
            colour = QColor("#f5f5f5") if dark and series.name().startswith("Average") else saved[0]
            series.setColor(colour)
        elif isinstance(series, QPieSeries):
            for s, c in zip(series.slices(), saved, strict=False):
                s.setColor(c)
    font = QFont(chart.titleFont())
    font.setPointSizeF(11)
    font.setBold(True)
    chart.setTitleFont(font)


def chart_image(insights: Insights, key: str, *, dark: bool = False,
                width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> QImage:
    """One chart as a picture, for paper (needs a QApplication: render.qt.ensure_gui_app)."""
    chart = BUILDERS[key](insights)
    apply_theme(chart, dark)
    scene = QGraphicsScene()
    scene.addItem(chart)
    chart.resize(QSizeF(width, height))
    image = QImage(width * SCALE, height * SCALE, QImage.Format.Format_ARGB32)
    image.fill(QColor("#000000" if dark else "#ffffff"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, width * SCALE, height * SCALE), QRectF(0, 0, width, height))
    painter.end()
    scene.removeItem(chart)
    return image
