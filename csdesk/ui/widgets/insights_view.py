"""The Insights view: a period's charts (QtCharts), each with its numbers one keystroke away.

Keys: Ctrl+PgUp/PgDn (or Ctrl+Tab) move between charts, T shows a chart's numbers as a table
and back, Enter on a table row (its column picks the count: Resolved, a score, a channel) or a
click on a bar, a line's point or a slice opens the list behind it (services/insight_lists.py),
Enter on a list row opens that customer. While open, the view follows the database: the dialog
(ui/features/insights.py) works the shown figures out again when a write reaches the change bus.
The figures are computed off the UI thread (ui/workers.py Op); the service decides whose
figures the person at the screen may see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCharts import QAbstractBarSeries, QBarSet, QChart, QChartView, QLineSeries, QPieSeries
from PySide6.QtCore import QDate, QModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.render.charts import BUILDERS, apply_theme
from csdesk.services.insight_data import Insights, Period, charted_staff
from csdesk.services.insight_lists import InsightLists, Listing
from csdesk.services.insight_tables import CHARTS, HEAT_CAPTION, table, tables
from csdesk.services.insights import PRESET_LABELS, PRESETS, InsightService
from csdesk.ui.dialogs.insight_list import ListDialog, table_view
from csdesk.ui.models.insight_models import InsightTableModel

# Short tab names, so every tab fits a 1280-pixel screen; the chart's own title says the rest.
TAB_NAMES = {"visits": "&Visits", "returning": "&Returning", "satisfaction": "S&atisfaction",
             "issues": "&Issues", "categories": "&Categories", "goodwill": "&Goodwill",
             "followups": "&Follow-ups",
             "staff": "S&taff"}


# What a list is: a question to the lists service, asked here or on a worker's Desk.
ListAsk = Callable[[InsightLists], "Listing | None"]


def is_dark(widget: QWidget) -> bool:
    return widget.palette().window().color().lightness() < 128


class ChartPage(QWidget):
    """One chart, its caption, and its numbers (a table) in the same place."""

    def __init__(self, key: str, title: str, caption: str, dark: bool) -> None:
        super().__init__()
        self.key = key
        self.setObjectName(f"insight_{key}")
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        self.caption = QLabel(caption + "  (T: numbers; click a bar for its list)")
        self.caption.setObjectName(f"caption_{key}")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.stack = QStackedWidget()
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setObjectName(f"chart_{key}")
        self.chart_view.setAccessibleName(f"{title} chart")
        self.chart_view.setAccessibleDescription(caption)
        self.model = InsightTableModel(self, dark=dark)
        self.table = table_view(f"table_{key}")
        self.table.setModel(self.model)
        self.stack.addWidget(self.chart_view)
        self.stack.addWidget(self.table)
        layout.addWidget(self.stack, 1)

    @property
    def showing_table(self) -> bool:
        return self.stack.currentWidget() is self.table

    def toggle(self) -> None:
        to_table = not self.showing_table
        self.stack.setCurrentWidget(self.table if to_table else self.chart_view)
        (self.table if to_table else self.chart_view).setFocus()


class InsightsView(QWidget):
    """Period picker, summary and the chart pages. `opened(kind, key)` asks for a list."""

    customer_requested = Signal(int)

    def __init__(
        self,
        service: InsightService,
        run: Callable[[Period, int | None], None] | None = None,
        parent: QWidget | None = None,
        run_list: Callable[[ListAsk], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("insightsView")
        self.service = service
        self._run = run
        self._run_list = run_list
        self.insights: Insights | None = None
        # what was last asked for (preset key or 'custom', period, member): what a refresh
        # after a change works out again, and whose lists a bar opens
        self.asked: tuple[str, Period, int | None] | None = None
        self.dark = is_dark(self)
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.period_box = QComboBox()
        self.period_box.setObjectName("insightsPeriod")
        self.period_box.setAccessibleName("Period")
        for key in (*PRESETS, "custom"):
            self.period_box.addItem(PRESET_LABELS[key], key)
        self.period_box.setCurrentIndex(1)  # last 4 weeks
        self.first = QDateEdit()
        self.last = QDateEdit()
        for edit, name in ((self.first, "insightsFrom"), (self.last, "insightsTo")):
            edit.setObjectName(name)
            edit.setAccessibleName("From" if name.endswith("From") else "To")
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.member_box = QComboBox()
        self.member_box.setObjectName("insightsMember")
        self.member_box.setAccessibleName("Staff member")
        self.refresh_button = QPushButton("S&how")
        self.refresh_button.setObjectName("insightsShow")
        self.pdf_button = QPushButton("Save P&DF…")
        self.pdf_button.setObjectName("insightsPdf")
        period_label = QLabel("&Period")
        period_label.setBuddy(self.period_box)
        for w in (period_label, self.period_box, self.first, QLabel("to"), self.last,
                  self.member_box, self.refresh_button, self.pdf_button):
            bar.addWidget(w)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.status = QLabel("")
        self.status.setObjectName("insightsStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.summary = InsightTableModel(self)
        self.summary_view = table_view("table_summary")
        self.summary_view.setModel(self.summary)
        self.summary_view.setAccessibleName("Summary, compared with the period before")
        self.summary_view.setFixedWidth(610)
        body = QHBoxLayout()
        body.addWidget(self.summary_view)
        layout.addLayout(body, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("insightsTabs")
        self.pages: dict[str, ChartPage] = {}
        for info in CHARTS:
            page = ChartPage(info.key, info.title, info.caption, self.dark)
            page.table.activated.connect(lambda i, k=info.key: self._table_row(k, i))
            self.pages[info.key] = page
            self.tabs.addTab(page, TAB_NAMES.get(info.key, info.title))
        self.heat_model = InsightTableModel(self, dark=self.dark)
        heat = QWidget()
        heat.setObjectName("insight_heat")
        heat_layout = QVBoxLayout(heat)
        caption = QLabel(HEAT_CAPTION + "  Enter on a cell lists its visits.")
        caption.setObjectName("caption_heat")
        heat_layout.addWidget(caption)
        self.heat_view = table_view("table_heat")
        self.heat_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.heat_view.setAlternatingRowColors(False)
        self.heat_view.setModel(self.heat_model)
        header = self.heat_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(30)  # all 24 hours in view, no scrolling sideways
        header.setMinimumSectionSize(24)
        self.heat_view.activated.connect(lambda i: self._table_row("heat", i))
        heat_layout.addWidget(self.heat_view, 1)
        self.tabs.addTab(heat, "&Busiest hours")
        body.addWidget(self.tabs, 1)

        self.period_box.currentIndexChanged.connect(self._period_changed)
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("T"), self, self.toggle_table)
        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self._step(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self._step(-1))
        self.summary_view.activated.connect(lambda i: self._table_row("summary", i))
        self.lists: list[ListDialog] = []
        self.fill_members()
        self._period_changed()

    # -- choosing ------------------------------------------------------------------------------
    def fill_members(self) -> None:
        self.member_box.clear()
        if self.service.sees_team:
            self.member_box.addItem("Everyone", None)
        for sid, name in self.service.members():
            self.member_box.addItem(name, sid)
        self.member_box.setEnabled(self.member_box.count() > 1)

    def _period_changed(self) -> None:
        key = self.period_box.currentData()
        custom = key == "custom"
        self.first.setEnabled(custom)
        self.last.setEnabled(custom)
        if not custom:
            p = self.service.preset(key)
            self.first.setDate(QDate(p.first.year, p.first.month, p.first.day))
            self.last.setDate(QDate(p.last.year, p.last.month, p.last.day))

    def period(self) -> Period:
        key = self.period_box.currentData()
        if key != "custom":
            return self.service.preset(key)
        a, b = self.first.date(), self.last.date()
        return self.service.custom(date(a.year(), a.month(), a.day()), date(b.year(), b.month(), b.day()))

    def staff_id(self) -> int | None:
        value = self.member_box.currentData()
        return int(value) if value is not None else None

    def refresh(self) -> None:
        """Work out what the pickers say (the Show button)."""
        try:
            period = self.period()
        except CsdeskError as exc:  # a UserError about the dates: say it where the dates are
            self.status.setText(str(exc))
            return
        self.asked = (self.period_box.currentData(), period, self.staff_id())
        self.status.setText(f"Working out {period.title}…")
        self._compute(period, self.staff_id())

    def refresh_shown(self) -> None:
        """Work the shown figures out again (the database changed): the same period and member
        whatever the pickers say now, a preset rolled to today; tab, rows and status stay."""
        if self.asked is None:
            return
        key, period, staff_id = self.asked
        if key != "custom":
            period = self.service.preset(key)
        self.asked = (key, period, staff_id)
        self._compute(period, staff_id)

    def _compute(self, period: Period, staff_id: int | None) -> None:
        if self._run is not None:
            self._run(period, staff_id)
        else:
            self.show_insights(self.service.compute(period, staff_id))

    # -- showing -------------------------------------------------------------------------------
    def show_insights(self, ins: Insights) -> None:
        # One repaint for the whole change, and every table keeps the row it was on, so a
        # refresh because someone wrote a visit does not flicker or lose the person's place.
        self.setUpdatesEnabled(False)
        try:
            self._show(ins)
        finally:
            self.setUpdatesEnabled(True)

    def _show(self, ins: Insights) -> None:
        self.insights = ins
        scope = f"{ins.only}'s own figures" if ins.only else "The whole shop"
        head = ins.headline
        few = " Satisfaction: too few answers for the average to say much." if head.few_answers else ""
        self.status.setText(
            f"{scope}, {ins.period.title}, compared with {ins.period.before().title}.{few}"
        )
        views = [self.summary_view, self.heat_view, *(p.table for p in self.pages.values())]
        places = [(v, v.currentIndex().row(), v.currentIndex().column()) for v in views]
        self.summary.set_table(table(ins, "summary"))
        by_key = {t.key: t for t in tables(ins)}
        for key, page in self.pages.items():
            chart = BUILDERS[key](ins)
            apply_theme(chart, self.dark)
            old = page.chart_view.chart()
            page.chart_view.setChart(chart)
            if old is not None:
                old.deleteLater()
            page.model.set_table(by_key[key])
            self._connect_clicks(key, chart)
        self.heat_model.set_table(by_key["heat"])
        self.heat_view.setColumnWidth(0, 48)
        for view, row, column in places:
            model = view.model()
            if 0 <= row < model.rowCount() and 0 <= column < model.columnCount():
                view.setCurrentIndex(model.index(row, column))

    def _connect_clicks(self, key: str, chart: QChart) -> None:
        """Every bar, line point and pie slice opens the list behind it, like its table row."""
        for series in chart.series():
            if isinstance(series, QAbstractBarSeries):
                series.clicked.connect(
                    lambda i, bars, k=key: self._bar_clicked(k, i, bars))
            elif isinstance(series, QLineSeries):
                name = series.name()
                series.clicked.connect(
                    lambda point, k=key, n=name: self._point_clicked(k, point, n))
            elif isinstance(series, QPieSeries):
                series.clicked.connect(lambda part, k=key: self.open_behind(k, 0, part.label()))

    def toggle_table(self) -> None:
        page = self.tabs.currentWidget()
        if isinstance(page, ChartPage):
            page.toggle()

    def _step(self, delta: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + delta) % self.tabs.count())

    # -- clicking through ----------------------------------------------------------------------
    def _bar_clicked(self, key: str, index: int, bars: QBarSet) -> None:
        ins = self.insights
        if ins is None:
            return
        row = index
        if key == "staff":  # the chart draws only who handled visits; the table has everyone
            charted = charted_staff(ins)
            if not 0 <= index < len(charted):
                return
            row = ins.staff.index(charted[index])
        self.open_behind(key, row, bars.label())

    def _point_clicked(self, key: str, point: QPointF, name: str) -> None:
        self.open_behind(key, round(point.x()), name)

    def _table_row(self, key: str, index: QModelIndex) -> None:
        model = index.model()
        column = model.headerData(index.column(), Qt.Orientation.Horizontal) if model else None
        self.open_behind(key, index.row(), str(column) if column is not None else None)

    def open_behind(self, key: str, row: int, column: str | None = None) -> ListDialog | None:
        """The list behind a place on a chart: its table's row and column (or bar set)."""
        ins = self.insights
        if ins is None:
            return None
        staff_id = self._list_staff()
        return self._ask(lambda lists: lists.behind(ins, key, row, column, staff_id=staff_id))

    def open_day(self, day: date) -> ListDialog | None:
        staff_id = self._list_staff()
        return self._ask(lambda lists: lists.visits_on(day, staff_id=staff_id))

    def open_overdue(self) -> ListDialog | None:
        """The 'Overdue now' bars of every category together: the summary's last row."""
        if self.insights is None:
            return None
        return self.open_behind("summary", len(table(self.insights, "summary").rows) - 1)

    def _list_staff(self) -> int | None:
        # whose figures are on screen, not what the member picker says now
        return self.asked[2] if self.asked is not None else self.staff_id()

    def _ask(self, ask: ListAsk) -> ListDialog | None:
        """Off the UI thread when the dialog gives a runner (a full page counts up to 10,000
        rows); then the list opens when it arrives (show_listing) and this returns None."""
        if self._run_list is not None:
            self._run_list(ask)
            return None
        try:
            return self.show_listing(ask(self.service.lists))
        except CsdeskError as exc:
            self.status.setText(str(exc))
            return None

    def show_listing(self, listing: Listing | None) -> ListDialog | None:
        return self._list(listing) if listing is not None else None

    def _list(self, listing: Listing) -> ListDialog:
        dialog = ListDialog(listing, self)
        dialog.customer_requested.connect(self.customer_requested)
        self.lists.append(dialog)
        dialog.show()
        return dialog
