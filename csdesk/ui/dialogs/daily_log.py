"""The daily log: pick a day or a shift, see the summary and every event, open a customer, export.

Not modal: a lead keeps it open beside the main window while opening the customers it lists.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QModelIndex, QStandardPaths, Qt, QTime, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.services.auth import Permission, allowed
from csdesk.services.desk import Desk
from csdesk.services.file_names import FormatMismatch, SaveTarget, format_for
from csdesk.services.letters import format_money
from csdesk.services.report_export import FORMATS, ExportResult
from csdesk.services.reports import ReportRange, Summary
from csdesk.ui.dialogs.save_as import confirm_target
from csdesk.ui.models.daily_log_model import CUSTOMER_ID_ROLE, DailyLogModel
from csdesk.ui.widgets.keep_place import keep_place
from csdesk.ui.workers import Op, Progress, run_op

if TYPE_CHECKING:
    from csdesk.ui.shell import Shell

FILTERS = {"csv": "CSV (*.csv)", "pdf": "PDF (*.pdf)", "xlsx": "Excel workbook (*.xlsx)"}


def ask_export_path(parent: QWidget, suggested: Path, fmt: str) -> SaveTarget | None:
    """Where to save (the extension added as save_as.py says, never a file replaced unasked).

    FormatMismatch when the typed name is another format's (day.csv from the Excel button): the
    same rule as `csdesk export daily` (file_names.format_for), never xlsx under a .csv name.
    """
    chosen, _ = QFileDialog.getSaveFileName(parent, "Export the daily log", str(suggested),
                                            FILTERS[fmt])
    if not chosen:
        return None
    format_for(chosen, fmt, FORMATS, default=fmt)
    return confirm_target(parent, chosen, (f".{fmt}",))


def export_folder() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs else Path.home()


def run_export(
    desk: Desk, rng: ReportRange, fmt: str, path: Path, progress: Progress, *, overwrite: bool
) -> Any:
    """The worker's job; the same functions the command line calls, so the same file.

    overwrite: the person confirmed replacing this exact file (save_as.py).
    """
    if fmt == "csv":
        return desk.report_exports.export_csv(rng, path, progress=progress, overwrite=overwrite)
    if fmt == "xlsx":
        return desk.report_exports.export_xlsx(rng, path, progress=progress, overwrite=overwrite)
    from csdesk.render.qt import QtRenderer

    return desk.report_exports.export_pdf(rng, path, QtRenderer(), progress=progress,
                                          overwrite=overwrite)


TILE_CHANNELS = 2  # channels named on the visits tile; the others are counted


class _Tile(QFrame):
    def __init__(self, name: str, caption: str) -> None:
        super().__init__()
        self.setObjectName(f"{name}Tile")
        self.setProperty("tone", "tile")
        self.figure = QLabel("0")
        self.figure.setObjectName(f"{name}Figure")
        self.figure.setAccessibleName(caption)
        self.figure.setProperty("tone", "figure")
        self.caption = QLabel(caption)
        self.caption.setProperty("tone", "muted")
        self.detail = QLabel("")
        self.detail.setObjectName(f"{name}Detail")
        self.detail.setProperty("tone", "muted")
        self.detail.setWordWrap(True)
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 8)
        box.setSpacing(0)
        box.addWidget(self.figure)
        box.addWidget(self.caption)
        box.addWidget(self.detail)
        box.addStretch(1)  # figures line up at the top whether or not a tile has a detail

    def show_figure(self, figure: str, detail: str = "", caption: str | None = None) -> None:
        if caption is not None:  # "1 follow-up done", not "1 follow-ups done"
            self.caption.setText(caption)
            self.figure.setAccessibleName(caption)
        self.figure.setText(figure)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))


class LogTable(QTableView):
    activated_customer = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        customer_id = index.siblingAtColumn(0).data(CUSTOMER_ID_ROLE)
        if customer_id is not None:
            self.activated_customer.emit(int(customer_id))


class DailyLogDialog(QDialog):
    exported = Signal(object)  # ExportResult

    def __init__(self, window: Shell) -> None:
        super().__init__(window)
        self._window = window
        self.desk = window.desk
        self._task: Op | None = None
        self.setObjectName("dailyLogDialog")
        self.setAccessibleName("Daily log")
        self.setWindowTitle("Daily log")
        self.resize(1100, 720)
        self.setStyleSheet(
            'QFrame[tone="tile"] { background: palette(alternate-base); border-radius: 8px; }'
            'QLabel[tone="figure"] { font-size: 18pt; font-weight: 600; }'
        )

        today = self.desk.reports.today()
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setObjectName("logDate")
        self.date_edit.setAccessibleName("Day")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.today_button = QPushButton("Today")
        self.today_button.setObjectName("logToday")
        self.today_button.setAccessibleName("Show today")
        self.today_button.setAutoDefault(False)
        self.shift_box = QCheckBox("Only a shift:")
        self.shift_box.setObjectName("logShift")
        self.shift_box.setAccessibleName("Only a shift")
        self.from_edit = QTimeEdit(QTime(8, 0))
        self.from_edit.setObjectName("logFrom")
        self.from_edit.setAccessibleName("Shift starts")
        self.to_edit = QTimeEdit(QTime(16, 0))
        self.to_edit.setObjectName("logTo")
        self.to_edit.setAccessibleName("Shift ends")
        for edit in (self.from_edit, self.to_edit):
            edit.setDisplayFormat("HH:mm")
            edit.setEnabled(False)
        picker = QHBoxLayout()
        picker.addWidget(QLabel("Day:"))
        picker.addWidget(self.date_edit)
        picker.addWidget(self.today_button)
        picker.addSpacing(18)
        picker.addWidget(self.shift_box)
        picker.addWidget(self.from_edit)
        picker.addWidget(QLabel("to"))
        picker.addWidget(self.to_edit)
        picker.addStretch(1)
        self.heading = QLabel()
        self.heading.setObjectName("logHeading")
        self.heading.setProperty("tone", "sectionTitle")

        self.tiles = {
            "visits": _Tile("visits", "visits and calls"),
            "customers": _Tile("customers", "new customers"),
            "issues": _Tile("issues", "issues opened / resolved"),
            "followups": _Tile("followups", "follow-ups done"),
            "satisfaction": _Tile("satisfaction", "average satisfaction"),
            "goodwill": _Tile("goodwill", "goodwill given"),
        }
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for col, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, 0, col)
        self.staff_label = QLabel()
        self.staff_label.setObjectName("logByStaff")
        self.staff_label.setAccessibleName("By staff member")
        self.staff_label.setTextFormat(Qt.TextFormat.RichText)

        self.model = DailyLogModel(self.desk, self)
        self.table = LogTable()
        self.table.setObjectName("logTable")
        self.table.setAccessibleName("What happened")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for col, width in enumerate((70, 120, 220, 160, 0, 100)):
            if width:
                self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.table._open)
        self.table.activated_customer.connect(self.open_customer)
        self.empty = QLabel("Nothing logged in this time yet.")
        self.empty.setObjectName("logEmpty")
        self.empty.setProperty("tone", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for fmt, text in (("csv", "Export CSV…"), ("pdf", "Export PDF…"), ("xlsx", "Export Excel…")):
            button = QPushButton(text)
            button.setObjectName(f"export{fmt.upper()}")
            button.setAccessibleName(f"Export the log as {fmt.upper()}")
            button.setAutoDefault(False)  # Enter belongs to the table: it opens the customer
            button.clicked.connect(lambda _=False, f=fmt: self.export(f))
            self.buttons[fmt] = button
            actions.addWidget(button)
        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setAccessibleName("Export progress")
        self.progress.hide()
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.setObjectName("exportCancel")
        self.cancel_button.setAccessibleName("Stop the export")
        self.cancel_button.hide()
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_export)
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.status.setProperty("tone", "muted")
        self.status.setWordWrap(True)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.status, 2)
        close = QPushButton("Close")
        close.setObjectName("logClose")
        close.setAccessibleName("Close the daily log")
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        actions.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addLayout(picker)
        layout.addWidget(self.heading)
        layout.addLayout(tiles)
        layout.addWidget(self.staff_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(actions)

        self.date_edit.dateChanged.connect(lambda _d: self.refresh())
        self.from_edit.timeChanged.connect(lambda _t: self.refresh())
        self.to_edit.timeChanged.connect(lambda _t: self.refresh())
        self.shift_box.toggled.connect(self._shift_toggled)
        self.today_button.clicked.connect(self.show_today)
        self.today_shortcut = QShortcut(QKeySequence("Ctrl+T"), self)
        self.today_shortcut.activated.connect(self.show_today)
        self.refresh()
        self.table.setFocus()

    # -- what is shown -------------------------------------------------------------------------
    def selected_range(self) -> ReportRange:
        qd = self.date_edit.date()
        day = date(qd.year(), qd.month(), qd.day())
        if not self.shift_box.isChecked():
            return self.desk.reports.day(day)
        start, end = self.from_edit.time(), self.to_edit.time()
        begin = datetime.combine(day, time(start.hour(), start.minute()))
        finish = datetime.combine(day, time(end.hour(), end.minute()))
        if finish <= begin:  # a night shift ends the next morning
            finish = datetime.combine(day.fromordinal(day.toordinal() + 1), finish.time())
        return self.desk.reports.span(begin, finish)

    def _shift_toggled(self, on: bool) -> None:
        self.from_edit.setEnabled(on)
        self.to_edit.setEnabled(on)
        self.refresh()

    def show_today(self) -> None:
        today = self.desk.reports.today()
        self.date_edit.setDate(QDate(today.year, today.month, today.day))

    def follow(self) -> None:
        """Something was written (here or at another counter): the same day or shift again,
        keeping the chosen event and the scroll position (the user is reading it)."""
        restore = keep_place(self.table, self._event_key)
        self.refresh(select_first=False)
        restore()

    def _event_key(self, row: int) -> tuple[str, int | None] | None:
        event = self.model.log_event(row)
        return None if event is None else (event.kind, event.ref)

    def refresh(self, *, select_first: bool = True) -> None:
        if self._task is None:
            self._busy(False)  # who is acting may have changed since the last look
        try:
            rng = self.selected_range()
        except CsdeskError as exc:
            self.status.setText(str(exc))
            return
        self.model.set_range(rng)
        self.show_summary(self.desk.reports.summary(rng))
        count = self.model.total
        noun = "event" if count == 1 else "events"
        self.heading.setText(f"{rng.title} · {count} {noun}")
        self.table.setVisible(count > 0)
        self.empty.setVisible(count == 0)
        if count and select_first:
            self.table.selectRow(0)

    def show_summary(self, summary: Summary) -> None:
        t = summary.total
        symbol = str(self.desk.setting("currency_symbol", "$"))
        from csdesk.domain import Channel

        parts = [
            f"{_channel(Channel, k)} {n}"
            for k, n in sorted(t.visits_by_channel.items(), key=lambda kv: -kv[1])
        ]
        # one channel a line, the two biggest named and the rest counted (all in the tooltip):
        # "In person 40 · Phone 3 · Chat 1 ..." wrapped mid-pair in a narrow tile
        shown = parts if len(parts) <= TILE_CHANNELS + 1 else [
            *parts[:TILE_CHANNELS], f"{len(parts) - TILE_CHANNELS} more"
        ]
        self.tiles["visits"].show_figure(
            str(t.visits), "\n".join(shown), "visit or call" if t.visits == 1 else "visits and calls"
        )
        self.tiles["visits"].detail.setToolTip("\n".join(parts) if shown != parts else "")
        self.tiles["customers"].show_figure(
            str(t.new_customers), "", "new customer" if t.new_customers == 1 else "new customers"
        )
        self.tiles["issues"].show_figure(
            f"{t.issues_opened} / {t.issues_resolved}", f"{t.issues_overdue} overdue"
        )
        self.tiles["followups"].show_figure(
            str(t.followups_done),
            f"{t.followups_due} still due",
            "follow-up done" if t.followups_done == 1 else "follow-ups done",
        )
        avg = t.average_satisfaction
        self.tiles["satisfaction"].show_figure(f"{avg:.1f}" if avg is not None else "–",
                                               "from 1 to 5" if avg is not None else "")
        self.tiles["goodwill"].show_figure(format_money(t.goodwill_cents, symbol))
        if not summary.by_staff:
            self.staff_label.hide()
            return
        cells = "".join(
            f"<tr><td style='padding-right:14px'><b>{_esc(name)}</b></td>"
            f"<td align=right style='padding-right:14px'>{_n(s.visits, 'visit')}</td>"
            f"<td align=right style='padding-right:14px'>{s.issues_opened} opened, "
            f"{s.issues_resolved} resolved</td>"
            f"<td align=right style='padding-right:14px'>"
            f"{_n(s.followups_done, 'follow-up')} done</td>"
            f"<td align=right>{format_money(s.goodwill_cents, symbol)} goodwill</td></tr>"
            for name, s in summary.by_staff.items()
        )
        self.staff_label.setText(f"<table cellspacing=0 cellpadding=2>{cells}</table>")
        self.staff_label.show()

    # -- opening customers ---------------------------------------------------------------------
    def open_customer(self, customer_id: int) -> None:
        self._window.open_customer(customer_id)
        self._window.raise_()
        self._window.activateWindow()

    # -- exporting -----------------------------------------------------------------------------
    def export(self, fmt: str) -> None:
        if self._task is not None:
            return
        rng = self.selected_range()
        try:
            target = ask_export_path(self, export_folder() / f"{rng.file_stem()}.{fmt}", fmt)
        except FormatMismatch as exc:
            self.status.setText(f"{exc} Or use the {exc.extension.upper()} button.")
            return
        if target is None:
            return
        path = target.path
        task = run_op(
            self.desk,
            lambda d, progress: run_export(d, rng, fmt, path, progress, overwrite=target.overwrite),
            parent=self,
        )
        task.progress.connect(self._progress)
        task.succeeded.connect(self._finished)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        self._task = task
        self._busy(True)
        self.status.setText(f"Exporting to {path.name}…")
        task.start()

    def cancel_export(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setRange(0, 0)
        can = allowed(self.desk.actor, Permission.EXPORT)
        for button in self.buttons.values():
            button.setEnabled(not busy and can)
            button.setToolTip("" if can else "Exports are for shift leads and admins.")

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _finished(self, result: object) -> None:
        self._task = None
        self._busy(False)
        if isinstance(result, ExportResult):
            if result.cancelled or result.path is None:
                self.status.setText("Export stopped; no file was written.")
                return
            self.status.setText(f"Saved {result.rows} events to {result.path}.")
            self.exported.emit(result)

    def _failed(self, message: str) -> None:
        self._task = None
        self._busy(False)
        self.status.setText(message)

    def _cancelled(self, _result: object = None) -> None:
        self._task = None
        self._busy(False)
        self.status.setText("Export stopped; no file was written.")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self._task is not None:
                self.cancel_export()
                return
            self.close()
            self._window.back_to_search()
            return
        super().keyPressEvent(event)


def _channel(channel_type: Any, key: str) -> str:
    try:
        return str(channel_type(key).label)
    except ValueError:
        return key


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
