"""Import customers: preview what each row would do, import in the background, undo it whole.

Steps: the format (detected, or chosen), for any other CSV which column holds what, a preview
of new / updated / skipped rows with reasons, then Import with progress and Cancel, then a
summary with "Undo this import". Reading, planning, importing and undoing all run on worker
threads (ui.workers.Op) acting as the window's staff member; the Op tells the window's views
what each step wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.services.auth import Permission, allowed
from csdesk.services.desk import Desk
from csdesk.services.importing import ImportResult, Plan, UndoResult
from csdesk.services.importing.plan import FIRST_PAGE_ROWS
from csdesk.ui.dialogs.column_mapping import ColumnMappingDialog, sample
from csdesk.ui.models.import_preview_model import ImportPreviewModel
from csdesk.ui.workers import Op, OpFn, Progress, run_op

FORMAT_CHOICES: tuple[tuple[str, str], ...] = (
    ("auto", "Detect automatically"),
    ("square", "Square customer export"),
    ("shopify", "Shopify customer export or template"),
    ("google", "Google Contacts CSV"),
    ("vcard", "vCard (.vcf)"),
    ("csv", "Any other CSV (choose the columns)"),
    ("csdesk", "csdesk export"),
)
FORMAT_NAMES = dict(FORMAT_CHOICES)
FILTERS: tuple[tuple[str | None, str], ...] = (
    (None, "All rows"),
    ("create", "New customers"),
    ("update", "Updates"),
    ("skip", "Skipped"),
    ("unchanged", "Already up to date"),
)
NEEDS_LEAD = "Importing needs a shift lead or an admin. Sign in as one to import; you can still preview."


def counts_text(plan: Plan) -> str:
    s = plan.summary()
    parts = [f"<b>{s['created']:,}</b> new", f"<b>{s['updated']:,}</b> to update"]
    if s["unchanged"]:
        parts.append(f"<b>{s['unchanged']:,}</b> already up to date")
    parts.append(f"<b>{s['skipped']:,}</b> skipped")
    return " · ".join(parts) + f" &nbsp;<span style='color:#666'>({s['rows']:,} rows)</span>"


class ImportDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, path: Path) -> None:
        super().__init__(parent)
        if desk.target is None:
            raise CsdeskError("Importing needs a database file.")
        self.setObjectName("importDialog")
        self.setAccessibleName("Import customers")
        self.setWindowTitle(f"Import customers from {path.name}")
        self._desk = desk
        self._path = path
        self._mapping: dict[str, str] | None = None
        self._asked_mapping = False
        self._task: Op | None = None
        self.plan: Plan | None = None
        self.result_value: ImportResult | None = None
        self.undo_value: UndoResult | None = None
        self.error_text = ""
        self.may_import = allowed(desk.actor, Permission.IMPORT)

        self.file_label = QLabel(f"<b>{path.name}</b>")
        self.file_label.setObjectName("importFileLabel")
        self.format = QComboBox()
        self.format.setObjectName("importFormat")
        self.format.setAccessibleName("File format")
        for value, text in FORMAT_CHOICES:
            self.format.addItem(text, value)
        self.columns_button = QPushButton("Columns…")
        self.columns_button.setObjectName("importColumnsButton")
        self.columns_button.setAccessibleName("Choose which column holds what")
        self.columns_button.hide()
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(QLabel("Format:"))
        top.addWidget(self.format)
        top.addWidget(self.columns_button)

        self.counts = QLabel("Reading the file…")
        self.counts.setObjectName("importCounts")
        self.counts.setAccessibleName("What the import would do")
        self.filter = QComboBox()
        self.filter.setObjectName("importFilter")
        self.filter.setAccessibleName("Show rows")
        for action, text in FILTERS:
            self.filter.addItem(text, action)
        middle = QHBoxLayout()
        middle.addWidget(self.counts, 1)
        middle.addWidget(self.filter)

        self.model = ImportPreviewModel(self)
        self.table = QTableView()
        self.table.setObjectName("importPreview")
        self.table.setAccessibleName("Preview of the import, row by row")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(2, 220)

        self.status = QLabel()
        self.status.setObjectName("importStatus")
        self.status.setAccessibleName("Import status")
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("importProgress")
        self.bar.setAccessibleName("Progress")
        self.bar.hide()

        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("importButton")
        self.import_button.setAccessibleName("Import these customers")
        self.import_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("importCancelButton")
        self.cancel_button.setAccessibleName("Cancel")
        self.undo_button = QPushButton("Undo this import")
        self.undo_button.setObjectName("undoImportButton")
        self.undo_button.setAccessibleName("Undo this import")
        self.undo_button.hide()
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("importCloseButton")
        self.close_button.setAccessibleName("Close")
        self.close_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(middle)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        self.resize(860, 560)

        self.format.currentIndexChanged.connect(self._format_changed)
        self.columns_button.clicked.connect(self.choose_columns)
        self.filter.currentIndexChanged.connect(lambda _i: self.model.set_filter(self.filter.currentData()))
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel)
        self.undo_button.clicked.connect(self.undo)
        self.close_button.clicked.connect(self.accept)
        self.preview()

    # -- running work --------------------------------------------------------------------------
    def _run(
        self, fn: OpFn, done: Callable[[Any], None], shared: Callable[[Any], None] | None = None
    ) -> None:
        task = run_op(self._desk, fn, parent=self)
        task.progress.connect(self._progress)
        if shared is not None:
            task.shared.connect(lambda value: shared(value) if self._task is task else None)
        task.succeeded.connect(lambda result: self._ended(done, result))
        task.failed.connect(self._failed)
        # an import stopped part-way returns what it wrote (result.cancelled); others, nothing
        task.cancelled.connect(
            lambda result: self._ended(done, result)
            if result is not None
            else self._failed("Stopped; nothing was changed.")
        )
        self._task = task
        self.bar.setRange(0, 0)  # busy until the first figures arrive
        self.bar.show()
        self.format.setEnabled(False)
        self.import_button.setEnabled(False)
        task.start()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _ended(self, done: Callable[[Any], None], result: Any) -> None:
        self._task = None
        self.bar.hide()
        self.format.setEnabled(self.result_value is None)
        done(result)

    def _failed(self, message: str) -> None:
        self._task = None
        self.bar.hide()
        if self.plan is None:  # a preview that stopped: its first page goes too
            self.model.set_plan(None)
        self.error_text = message
        self.format.setEnabled(self.result_value is None)
        self.status.setText(message)
        if self.plan is None and self.format.currentData() in ("auto", "csv") and "--map" in message:
            # csdesk could not tell the columns apart: ask, once, instead of showing the CLI hint
            if not self._asked_mapping:
                self._asked_mapping = True
                self.choose_columns()
                return
            self.status.setText("Choose which column holds what (Columns…), then csdesk previews again.")
            self.columns_button.show()
        self._update_buttons()

    # -- preview -------------------------------------------------------------------------------
    def preview(self) -> None:
        fmt = str(self.format.currentData())
        mapping = self._mapping if fmt in ("csv", "auto") else None
        path = self._path
        self.plan = None
        self.model.set_plan(None)
        self.counts.setText("Reading the file…")
        self.status.setText("")

        def work(desk: Desk, progress: Progress) -> Plan:
            return desk.imports.preview(
                path, fmt=fmt, mapping=mapping, progress=progress, first_page=progress.share
            )

        self._run(work, self._show_plan, self._show_first_page)

    def _show_first_page(self, plan: object) -> None:
        """The file's first rows while the rest is planned (a big file takes a while): what
        they would do, read-only; Import waits for the whole plan."""
        if not isinstance(plan, Plan) or self.plan is not None:
            return
        if plan.fmt == "csv" and self._mapping is None and not self._asked_mapping:
            return  # the column step comes first (_show_plan): these rows may be guessed wrong
        self.model.set_plan(plan, limit=FIRST_PAGE_ROWS)
        self.counts.setText(
            f"The first {FIRST_PAGE_ROWS:,} rows; the rest of the file is being read…"
        )

    def _show_plan(self, plan: Plan) -> None:
        if plan.fmt == "csv" and self._mapping is None and not self._asked_mapping:
            # Any other CSV: the column step comes first, prefilled with csdesk's guesses; if the
            # person closes it, the guessed preview below still shows.
            self._asked_mapping = True
            self.choose_columns()
            if self._mapping is not None:
                return  # a new preview with their columns is on its way
        self.plan = plan
        self.model.set_plan(plan)
        self.counts.setText(counts_text(plan))
        detected = FORMAT_NAMES.get(plan.fmt, plan.fmt)
        shown = [f"Read as: {detected}."]
        if not self.may_import:
            shown.append(NEEDS_LEAD)
        elif plan.count("create") + plan.count("update") == 0:
            shown.append("Nothing to import: every row is skipped or already up to date.")
        else:
            shown.append("Nothing is written until you press Import.")
        self.status.setText(" ".join(shown))
        self.columns_button.setVisible(plan.fmt == "csv")
        self._update_buttons()
        self.import_button.setFocus()

    def _format_changed(self, _index: int) -> None:
        if self.format.currentData() == "csv" and self._mapping is None:
            self.choose_columns()
            return
        self.preview()

    def choose_columns(self) -> None:
        try:
            header, rows = sample(self._path)
        except CsdeskError as exc:
            self.status.setText(str(exc))
            return
        mapping = ColumnMappingDialog.ask(self, header, rows, self._mapping)
        if mapping is None:
            if self.plan is None:
                self.status.setText("Choose which column holds what (Columns…) to preview this file.")
                self.columns_button.show()
            return
        self._mapping = mapping
        self.columns_button.show()
        self.preview()

    # -- import, cancel, undo ------------------------------------------------------------------
    def _update_buttons(self) -> None:
        plan = self.plan
        can = (
            plan is not None
            and self.result_value is None
            and self.may_import
            and plan.count("create") + plan.count("update") > 0
        )
        self.import_button.setEnabled(bool(can) and not self.busy)
        self.import_button.setToolTip("" if self.may_import else NEEDS_LEAD)

    def start_import(self) -> None:
        plan = self.plan
        if plan is None or self.busy or self.result_value is not None:
            return
        self.status.setText(f"Importing {len(plan.items):,} rows…")
        self.filter.setEnabled(False)

        def work(desk: Desk, progress: Progress) -> ImportResult:
            return desk.imports.apply(plan, progress)

        self._run(work, self._imported)

    def _imported(self, result: ImportResult) -> None:
        self.result_value = result
        stopped = " You stopped it part-way; the rows before that are in." if result.cancelled else ""
        self.status.setText(
            f"<b>Imported:</b> {result.created:,} new, {result.updated:,} updated, "
            f"{result.skipped:,} skipped.{stopped} Changed your mind? Undo this import takes all of it back."
        )
        self.import_button.hide()
        self.cancel_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.undo_button.show()
        self.filter.setEnabled(True)
        self.format.setEnabled(False)
        self.close_button.setFocus()

    def cancel(self) -> None:
        """While working: stop at the next batch. Otherwise: close without importing."""
        if self._task is not None:
            self._task.cancel()
            self.status.setText("Stopping after the current batch…")
            return
        self.reject()

    def undo(self) -> None:
        result = self.result_value
        if result is None or self.busy:
            return
        batch_id = result.batch_id
        self.undo_button.setEnabled(False)

        def work(desk: Desk, _progress: Progress) -> UndoResult:
            return desk.imports.undo(batch_id)

        self._run(work, self._undone)

    def _undone(self, result: UndoResult) -> None:
        self.undo_value = result
        kept = f" {len(result.kept)} kept: they have visits or notes since the import." if result.kept else ""
        self.status.setText(
            f"<b>Import undone:</b> {result.removed:,} removed, {result.restored:,} put back as before.{kept}"
        )
        self.undo_button.hide()

    def reject(self) -> None:
        if self.busy:  # Esc while importing means stop, not walk away from a running import
            self.cancel()
            return
        super().reject()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        desk: Desk,
        path: Path,
    ) -> ImportResult | None:
        """The import's result (also when undone afterwards), or None if nothing was imported."""
        dialog = cls(parent, desk, path)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.exec()
        return dialog.result_value
