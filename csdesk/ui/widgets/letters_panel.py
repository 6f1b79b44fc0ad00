"""The customer's Letters tab: every letter sent, newest first, reprinted exactly as it was sent."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.ui.dialogs.save_as import ask_save_target
from csdesk.ui.models.letters_model import LettersModel

if TYPE_CHECKING:
    from csdesk.services.desk import Desk
    from csdesk.services.letters import Letter
    from csdesk.services.rendering import PageSetup

EMPTY_TEXT = "No letters yet. Write one with Ctrl+Shift+W; it will be kept here to reprint."


class LettersPanel(QWidget):
    write_requested = Signal()

    def __init__(self, desk: Desk, model: LettersModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lettersPanel")
        self._desk = desk
        self.model = model
        self.table = QTableView()
        self.table.setObjectName("lettersTable")
        self.table.setAccessibleName("Letters sent to this customer")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setStyleSheet("QTableView::item { padding: 0 10px; }")
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStyleSheet("QHeaderView::section { padding: 4px 10px; }")
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("lettersEmpty")
        self.empty.setProperty("tone", "muted")
        self.empty.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("lettersStatus")
        self.status.setAccessibleName("Letters status")
        self.status.setProperty("tone", "muted")
        self.reprint_button = QPushButton("Reprint…")
        self.reprint_button.setObjectName("letterReprint")
        self.reprint_button.setAccessibleName("Reprint the selected letter")
        self.reprint_button.setToolTip("Print this letter again, exactly as it was sent")
        self.save_button = QPushButton("Save PDF…")
        self.save_button.setObjectName("letterReprintPdf")
        self.save_button.setAccessibleName("Save the selected letter as PDF")
        self.save_button.setToolTip("Save this letter as a PDF, exactly as it was sent")
        self.write_button = QPushButton("Write a letter…")
        self.write_button.setObjectName("letterWrite")
        self.write_button.setAccessibleName("Write a letter to this customer")
        self.write_button.setToolTip("Write a letter (Ctrl+Shift+W)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self.spacer = QWidget()  # keeps the empty-state line at the top, not mid-page
        layout.addWidget(self.spacer, 1)
        layout.addLayout(buttons)

        self.write_button.clicked.connect(self.write_requested)
        self.reprint_button.clicked.connect(self.reprint)
        self.save_button.clicked.connect(self.save_pdf)
        self.table.doubleClicked.connect(lambda _i: self.reprint())
        model.modelReset.connect(self._after_reset)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._after_reset()

    def _after_reset(self) -> None:
        has = self.model.rowCount() > 0
        self.empty.setVisible(not has)
        self.spacer.setVisible(not has)
        self.table.setVisible(has)
        self.reprint_button.setVisible(has)
        self.save_button.setVisible(has)
        self.status.clear()
        if has:
            self.table.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.current_row() is not None
        self.reprint_button.setEnabled(chosen)
        self.save_button.setEnabled(chosen)

    def current_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def selected_letter(self) -> Letter | None:
        """The chosen letter with its HTML (the list holds titles only)."""
        row = self.current_row()
        listed = None if row is None else self.model.letter(row)
        if listed is None:
            return None
        try:
            return self._desk.letters.get(listed.id)
        except CsdeskError as exc:
            self.status.setText(str(exc))
            return None

    def _setup(self, letter: Letter) -> PageSetup:
        # The page size it was sent on, so the reprint matches the original page for page.
        from csdesk.services.rendering import PageSetup
        return PageSetup(letter.page_size, self._desk.letters.margins_mm())

    def reprint(self) -> None:
        from csdesk.render.qt import configure_printer, print_letters
        letter = self.selected_letter()
        if letter is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        configure_printer(printer, self._setup(letter))
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setObjectName("letterReprintPreview")
        dialog.setWindowTitle(f"Reprint: {letter.title}")
        html = letter.html
        dialog.paintRequested.connect(lambda device: print_letters([html], device))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.status.setText("Reprinted, exactly as it was sent.")

    def save_pdf(self) -> Path | None:
        from csdesk.render.qt import QtRenderer
        from csdesk.services.letter_output import safe_file_part
        letter = self.selected_letter()
        if letter is None:
            return None
        name = safe_file_part(self._desk.customers.get(letter.customer_id).display_name)
        day = letter.created_at[:10]
        suggested = Path.home() / f"{letter.template.removesuffix('.html.j2')}-{name}-{day}.pdf"
        target = ask_save_target(
            self, "Save letter as PDF", suggested, "PDF files (*.pdf)", (".pdf",)
        )
        if target is None:
            return None
        path = target.path
        try:  # replaces a file only when the person confirmed this exact path (save_as.py)
            self._desk.letter_output.reprint_pdf(
                QtRenderer(), letter.id, path, overwrite=target.overwrite
            )
        except CsdeskError as exc:
            self.status.setText(str(exc))
            return None
        self.status.setText(f"Saved {path.name}.")
        return path

    def focus_list(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
