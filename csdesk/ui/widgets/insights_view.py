"""The Insights view: a period's charts (QtCharts), each with its numbers one keystroke away.

Keys: Ctrl+PgUp/PgDn (or Ctrl+Tab) move between charts, T shows a chart's numbers as a table
and back, Enter on a table row (or a click on a bar) opens the list behind it, Enter on a list
row opens that customer. The figures are computed off the UI thread (ui/workers.py Op); the
service decides whose figures the person at the screen may see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCharts import QBarSet, QChartView
from PySide6.QtCore import QDate, QModelIndex, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.render.charts import BUILDERS, apply_theme
from csdesk.services.insight_data import Insights, Period
from csdesk.services.insight_tables import CHARTS, HEAT_CAPTION, table, tables
from csdesk.services.insights import PRESET_LABELS, PRESETS, InsightService, VisitItem
from csdesk.ui.models.insight_models import InsightTableModel, VisitListModel

# Short tab names, so every tab fits a 1280-pixel screen; the chart's own title says the rest.
TAB_NAMES = {"visits": "&Visits", "returning": "&Returning", "satisfaction": "S&atisfaction",
             "issues": "&Issues", "categories": "&Categories", "followups": "&Follow-ups",
             "staff": "S&taff"}


def is_dark(widget: QWidget) -> bool:
    return widget.palette().window().color().lightness() < 128


def _table_view(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


class ChartPage(QWidget):
    """One chart, its caption, and its numbers (a table) in the same place."""

    def __init__(self, key: str, title: str, caption: str, dark: bool) -> None:
        super().__init__()
        self.key = key
        self.setObjectName(f"insight_{key}")
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        self.caption = QLabel(caption + "  (T: numbers)")
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
        self.table = _table_view(f"table_{key}")
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
    ) -> None:
        super().__init__(parent)
        self.setObjectName("insightsView")
        self.service = service
        self._run = run
        self.insights: Insights | None = None
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
        self.summary_view = _table_view("table_summary")
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
        self.heat_view = _table_view("table_heat")
        self.heat_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.heat_view.setAlternatingRowColors(False)
        self.heat_view.setModel(self.heat_model)
        header = self.heat_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(30)  # all 24 hours in view, no scrolling sideways
        header.setMinimumSectionSize(24)
        self.heat_view.activated.connect(self._heat_cell)
        heat_layout.addWidget(self.heat_view, 1)
        self.tabs.addTab(heat, "&Busiest hours")
        body.addWidget(self.tabs, 1)

        self.period_box.currentIndexChanged.connect(self._period_changed)
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("T"), self, self.toggle_table)
        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self._step(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self._step(-1))
        self.lists: list[VisitListDialog] = []
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
        try:
            period = self.period()
        except CsdeskError as exc:  # a UserError about the dates: say it where the dates are
            self.status.setText(str(exc))
            return
        self.status.setText(f"Working out {period.title}…")
        if self._run is not None:
            self._run(period, self.staff_id())
        else:
            self.show_insights(self.service.compute(period, self.staff_id()))

    # -- showing -------------------------------------------------------------------------------
    def show_insights(self, ins: Insights) -> None:
        self.insights = ins
        scope = f"{ins.only}'s own figures" if ins.only else "The whole shop"
        head = ins.headline
        few = " Satisfaction: too few answers for the average to say much." if head.few_answers else ""
        self.status.setText(
            f"{scope}, {ins.period.title}, compared with {ins.period.before().title}.{few}"
        )
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

    def _connect_clicks(self, key: str, chart: object) -> None:
        for series in chart.series():  # type: ignore[attr-defined]
            clicked = getattr(series, "clicked", None)
            if clicked is None or not hasattr(series, "barSets"):
                continue
            clicked.connect(lambda i, bars, k=key: self._bar_clicked(k, i, bars))

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
        if key == "visits" and 0 <= index < len(ins.days):
            self.open_day(ins.days[index].day)
        elif key == "categories" and bars.label() == "Overdue now":
            self.open_overdue()

    def _table_row(self, key: str, index: QModelIndex) -> None:
        ins = self.insights
        if ins is None:
            return
        if key == "visits" and index.row() < len(ins.days):
            self.open_day(ins.days[index.row()].day)
        elif key in ("categories", "issues"):
            self.open_overdue()

    def _heat_cell(self, index: QModelIndex) -> None:
        if self.insights is None or index.column() == 0:
            return
        weekday, hour = index.row(), index.column() - 1
        items = self.service.visits_at(self.insights.period, weekday, hour, staff_id=self.staff_id())
        names = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
        self._list(f"Visits on {names[weekday]}, {hour:02d}:00–{hour + 1:02d}:00", items)

    def open_day(self, day: date) -> VisitListDialog:
        items = self.service.visits_on(day, staff_id=self.staff_id())
        return self._list(f"Visits and calls on {day:%A %d %B %Y}", items, with_day=False)

    def open_overdue(self) -> VisitListDialog:
        items = self.service.overdue_issues(staff_id=self.staff_id())
        return self._list("Issues overdue now", items)

    def _list(self, title: str, items: list[VisitItem], *, with_day: bool = True) -> VisitListDialog:
        dialog = VisitListDialog(title, items, self, with_day=with_day)
        dialog.customer_requested.connect(self.customer_requested)
        self.lists.append(dialog)
        dialog.show()
        return dialog


class VisitListDialog(QDialog):
    """The list behind a bar or a cell. Enter opens the customer; Esc goes back to the chart."""

    customer_requested = Signal(int)

    def __init__(self, title: str, items: list[VisitItem], parent: QWidget | None = None,
                 *, with_day: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("insightList")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        shown = f"{len(items)}" if len(items) < 500 else "the first 500"
        label = QLabel(f"{title}: {shown}. Enter opens the customer." if items
                       else f"{title}: none.")
        label.setWordWrap(True)
        layout.addWidget(label)
        self.model = VisitListModel(items, self, with_day=with_day)
        self.view = _table_view("insightListTable")
        self.view.setModel(self.model)
        self.view.activated.connect(self._open)
        layout.addWidget(self.view)
        self.resize(720, 420)
        if items:
            self.view.setCurrentIndex(self.model.index(0, 0))
        self.view.setFocus()

    def _open(self, index: QModelIndex) -> None:
        customer = self.model.item(index.row()).customer_id
        if customer is not None:
            self.customer_requested.emit(customer)
            self.accept()
