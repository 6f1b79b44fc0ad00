"""The audit log for shift leads and admins: filter, scroll, export as CSV. Nothing edits it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csdesk.services.audit import AuditFilter
from csdesk.services.clock import iso
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.save_as import ask_save_target
from csdesk.ui.models.audit_model import AuditModel
from csdesk.ui.workers import Op, run_op

NO_DATE = QDate(2000, 1, 1)  # the date edits' minimum, shown as "Any"


def _date_edit(name: str, accessible: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("Any")
    edit.setDate(NO_DATE)
    return edit


class AuditDialog(QDialog):
    def __init__(
        self, desk: Desk, parent: QWidget | None = None, *, model: AuditModel | None = None
    ) -> None:
        # the model first: for someone without the right it raises before any window exists
        model = model or AuditModel(desk)
        super().__init__(parent)
        self.setObjectName("auditDialog")
        self.setAccessibleName("Audit log")
        self.setWindowTitle("Audit log")
        self._desk = desk
        self._task: Op | None = None
        self.model = model
        model.setParent(self)

        self.staff = QComboBox()
        self.staff.setObjectName("auditStaffFilter")
        self.staff.setAccessibleName("Only this staff member")
        self.staff.addItem("Everyone", None)
        for entry in desk.auth.list_staff():
            self.staff.addItem(entry.name, entry.id)
        self.action = QLineEdit()
        self.action.setObjectName("auditActionFilter")
        self.action.setAccessibleName("Only this action")
        self.action.setPlaceholderText("Action, e.g. erase")
        self.entity = QLineEdit()
        self.entity.setObjectName("auditEntityFilter")
        self.entity.setAccessibleName("Only this kind of record")
        self.entity.setPlaceholderText("Record, e.g. customer")
        self.since = _date_edit("auditSince", "From date")
        self.until = _date_edit("auditUntil", "To date")
        for signal in (
            self.staff.currentIndexChanged,
            self.action.editingFinished,
            self.entity.editingFinished,
            self.since.dateChanged,
            self.until.dateChanged,
        ):
            signal.connect(self.apply_filters)

        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setAccessibleName("Audit entries, newest first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 200), (1, 140), (2, 130), (3, 130), (5, 60)):
            self.table.setColumnWidth(column, width)

        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")
        self.count_label.setProperty("tone", "muted")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportAuditButton")
        self.export_button.setAccessibleName("Export the shown entries as CSV")
        self.export_button.clicked.connect(self.export)
        close = QPushButton("Close")
        close.setObjectName("closeAuditButton")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)

        filters = QHBoxLayout()
        filters.addWidget(self.staff)
        filters.addWidget(self.action)
        filters.addWidget(self.entity)
        filters.addWidget(QLabel("From"))
        filters.addWidget(self.since)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.until)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(1100, 640)
        self._show_count()

    def current_filters(self) -> AuditFilter:
        def day(edit: QDateEdit, plus: int = 0) -> str | None:
            if edit.date() == NO_DATE:
                return None
            d = edit.date().addDays(plus)
            local = datetime(d.year(), d.month(), d.day(), tzinfo=self._desk.tz)
            return iso(local)

        return AuditFilter(
            staff_id=self.staff.currentData(),
            action=self.action.text().strip().replace(" ", "_") or None,
            entity=self.entity.text().strip() or None,
            since=day(self.since),
            until=day(self.until, plus=1),  # "to" includes that whole day
        )

    def apply_filters(self) -> None:
        filters = self.current_filters()
        if filters != self.model.filters:
            self.model.set_filters(filters)
            self._show_count()

    def _show_count(self) -> None:
        total = self.model.total
        self.count_label.setText(f"{total:,} entr{'y' if total == 1 else 'ies'}")

    def export(self) -> None:
        target = ask_save_target(
            self, "Export the audit log", Path.home() / "csdesk-audit.csv", "CSV (*.csv)", (".csv",)
        )
        if target is not None:
            self.export_to(target.path, overwrite=target.overwrite)

    def export_to(self, target: Path, *, overwrite: bool = False) -> Op:
        """overwrite: the person confirmed replacing this exact file (save_as.py)."""
        self.export_button.setEnabled(False)
        self.count_label.setText("Exporting…")
        filters: AuditFilter = self.model.filters
        task = run_op(
            self._desk,
            lambda d, _p: d.audit.export_csv(target, filters, overwrite=overwrite),
            parent=self,
        )
        task.succeeded.connect(lambda n: self._exported(target, n))
        task.failed.connect(self._export_failed)
        self._task = task.start()
        return task

    def _exported(self, target: Path, rows: object) -> None:
        self.export_button.setEnabled(True)
        self._show_count()
        self.count_label.setText(f"{self.count_label.text()} · exported {rows} to {target.name}")

    def _export_failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.count_label.setText(f"Could not export: {message}")

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk) -> None:
        cls(desk, parent).exec()
