"""Write a letter to the open customer: choose a template, see it, print it or save a PDF.

The preview renders off the UI thread (an Op, ui/workers.py): a user's template may loop for the
sandbox's whole time limit (3 s), and the window must not freeze meanwhile. Each render is
numbered; choosing another template, Reload or Stop supersedes it (it is asked to stop, and its
answer, should it still come, is dropped), so the preview never shows a letter for older text."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.render.qt import QtPrintJob, QtRenderer, configure_printer, print_letters
from csdesk.services.letter_output import safe_file_part
from csdesk.services.letter_sandbox import RenderStopped
from csdesk.services.letters import PAGE_SIZES, Letter, Prepared, Rendered
from csdesk.services.rendering import PageSetup
from csdesk.ui.dialogs.save_as import ask_save_target
from csdesk.ui.workers import Op, Progress, run_op

if TYPE_CHECKING:
    from csdesk.services.desk import Desk


def _named(widget: Any, name: str, accessible: str) -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class LetterDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        desk: Desk,
        customer_id: int,
        *,
        issue: Mapping[str, Any] | None = None,
        template: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._desk = desk
        self._customer_id = customer_id
        self._issue = issue
        self._rendered: Rendered | None = None
        self._preview_op: Op | None = None  # the render whose answer the preview waits for
        self._preview_seq = 0
        self._focus_when_ready: QWidget | None = None
        # One recorded letter per (template, page size): Save then Print is one letter sent.
        self._produced: dict[tuple[str, str], Letter] = {}
        self.result_letter: Letter | None = None
        customer = desk.customers.get(customer_id)
        self.setWindowTitle(f"Letter to {customer.display_name}")
        self.setObjectName("letterDialog")
        self.resize(980, 720)

        self.templates = _named(QListWidget(), "letterTemplates", "Letter templates")
        self.templates.setMinimumWidth(230)
        self.templates.setSpacing(3)
        self.description = _named(QLabel(), "letterDescription", "About this template")
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: #555;")
        self.open_folder = _named(
            QPushButton("Open templates folder"), "openTemplatesFolder", "Open templates folder"
        )
        self.reload_button = _named(QPushButton("Reload"), "reloadTemplates", "Reload templates")
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Template</b>"))
        left.addWidget(self.templates, 1)
        left.addWidget(self.description)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.open_folder)
        folder_row.addWidget(self.reload_button)
        left.addLayout(folder_row)
        left_box = QWidget()
        left_box.setLayout(left)

        self.preview = _named(QTextBrowser(), "letterPreview", "Letter preview")
        self.preview.setOpenLinks(False)
        self.preview.document().setDocumentMargin(48)
        self.preview.setStyleSheet("QTextBrowser { background: white; border: 1px solid #ccc; }")
        self.error = _named(QLabel(), "letterError", "Problem with the template")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet(
            "QLabel { background: #fdecea; color: #8a1c12; padding: 8px; border-radius: 4px; }"
        )
        self.error.hide()
        self.rendering = _named(QLabel("Rendering the preview…"), "letterRendering",
                                "Rendering the preview")
        self.rendering.setProperty("tone", "muted")
        self.stop_button = _named(QPushButton("Stop"), "letterStopPreview", "Stop rendering")
        self.stop_button.setToolTip("Stop rendering this preview")
        self.stop_button.clicked.connect(self.stop_preview)
        keep = self.stop_button.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # "Preview stopped" must not shift the preview up
        self.stop_button.setSizePolicy(keep)
        rendering_row = QHBoxLayout()
        rendering_row.addWidget(self.rendering, 1)
        rendering_row.addWidget(self.stop_button)
        self.rendering_box = QWidget()
        self.rendering_box.setObjectName("letterRenderingRow")
        self.rendering_box.setLayout(rendering_row)
        self.rendering_box.hide()
        right = QVBoxLayout()
        right.addWidget(self.rendering_box)
        right.addWidget(self.error)
        right.addWidget(self.preview, 1)
        right_box = QWidget()
        right_box.setLayout(right)

        splitter = QSplitter()
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(1, 1)

        self.page_size = _named(QComboBox(), "letterPageSize", "Page size")
        self.page_size.addItems(list(PAGE_SIZES))
        self.page_size.setCurrentText(desk.letters.page_size())
        self.status = _named(QLabel(), "letterStatus", "Status")
        self.status.setWordWrap(True)  # "The folder … does not exist" names a whole path
        self.preview_button = _named(
            QPushButton("Print preview…"), "letterPrintPreview", "Print preview"
        )
        self.print_button = _named(QPushButton("Print…"), "letterPrint", "Print the letter")
        self.print_button.setToolTip("Print (Ctrl+P)")
        self.save_button = _named(QPushButton("Save PDF…"), "letterSavePdf", "Save as PDF")
        self.save_button.setToolTip("Save as PDF (Ctrl+S)")
        self.email_button = _named(QPushButton("Send as e-mail…"), "letterSendEmail", "Send as e-mail")
        self.email_button.setToolTip("Queue it as an e-mail to the customer (Ctrl+Shift+M)")
        self.email_button.clicked.connect(self.send_email)
        self.email_shortcut = QShortcut(QKeySequence("Ctrl+Shift+M"), self)
        self.email_shortcut.activated.connect(self.send_email)
        self.queued_email: int | None = None
        self.close_button = _named(QPushButton("Close"), "letterClose", "Close")
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Page size"))
        bottom.addWidget(self.page_size)
        bottom.addStretch(1)
        for button in (self.preview_button, self.print_button, self.save_button, self.email_button,
                       self.close_button):
            bottom.addWidget(button)
        self.print_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        # Its own row, the dialog's width: between the buttons a path-long error was squeezed
        # into a narrow column nine lines high.
        layout.addWidget(self.status)
        layout.addLayout(bottom)

        self.print_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        self.print_shortcut.activated.connect(self.print_letter)
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self.save_pdf)
        self.templates.currentItemChanged.connect(lambda *_: self.refresh())
        self.reload_button.clicked.connect(self.reload)
        self.open_folder.clicked.connect(self.open_templates_folder)
        self.print_button.clicked.connect(self.print_letter)
        self.save_button.clicked.connect(self.save_pdf)
        self.preview_button.clicked.connect(self.print_preview)
        self.close_button.clicked.connect(self.reject)
        self._fill_templates(template)

    # -- templates -----------------------------------------------------------------------------
    def _fill_templates(self, wanted: str | None = None) -> None:
        keep = wanted or self.current_template()
        self.templates.blockSignals(True)
        self.templates.clear()
        for info in self._desk.letters.templates():
            item = QListWidgetItem(info.title + ("  (yours)" if info.user else ""))
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            item.setData(Qt.ItemDataRole.UserRole + 1, info.description)
            item.setToolTip(info.description or info.name)
            self.templates.addItem(item)
            if keep and info.name in (keep, keep + ".html.j2"):
                self.templates.setCurrentItem(item)
        if self.templates.currentItem() is None and self.templates.count():
            self.templates.setCurrentRow(0)
        self.templates.blockSignals(False)
        self.refresh()

    def current_template(self) -> str | None:
        item = self.templates.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def select_template(self, name: str) -> None:
        for row in range(self.templates.count()):
            item = self.templates.item(row)
            if item.data(Qt.ItemDataRole.UserRole) in (name, name + ".html.j2"):
                self.templates.setCurrentRow(row)
                return
        raise KeyError(name)

    def reload(self) -> None:
        self._desk.letters.reload()
        self._fill_templates()
        self._say("Templates reloaded.")

    def open_templates_folder(self) -> None:
        try:
            folder = self._desk.letters.ensure_user_dir()
        except CsdeskError as exc:
            self._show_error(str(exc))
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self._say(f"Templates folder: {folder}")

    # -- preview -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Render the chosen template for the preview, off the UI thread; whatever was shown or
        on its way for the template before is gone at once (never a letter for older text)."""
        name = self.current_template()
        item = self.templates.currentItem()
        self.description.setText(str(item.data(Qt.ItemDataRole.UserRole + 1) or "") if item else "")
        self._supersede_preview()
        self.preview.clear()
        if name is None:
            self._show_error("No letter templates found. Open the templates folder to add one.")
            return
        customer_id, issue = self._customer_id, self._issue

        def render(desk: Desk, progress: Progress) -> Rendered | None:
            try:
                return desk.letters.render(name, customer_id, issue=issue,
                                           stop=lambda: progress.cancelled)
            except RenderStopped:
                return None  # the Op reports it as cancelled: nobody waits for this one

        seq = self._preview_seq
        op = run_op(self._desk, render, parent=self)
        op.succeeded.connect(lambda rendered: self._preview_rendered(seq, rendered))
        op.failed.connect(lambda message: self._preview_failed(seq, message))
        op.ended.connect(op.deleteLater)  # superseded ones too: one Op per keystroke adds up
        self._preview_op = op
        self._show_error(None)  # the buttons wait for the letter; the old problem is gone
        self.rendering.setText("Rendering the preview…")
        self.stop_button.show()
        self.rendering_box.show()
        op.start()

    @property
    def preview_op(self) -> Op | None:
        """The render the preview waits for, if any."""
        return self._preview_op

    @property
    def preview_pending(self) -> bool:
        """A render for the preview is on its way (tests and the output buttons wait for it)."""
        return self._preview_op is not None

    def _supersede_preview(self) -> None:
        """Ask the render on its way to stop and drop its answer; the preview shows nothing."""
        self._preview_seq += 1
        self._rendered = None
        if self._preview_op is not None:
            self._preview_op.cancel()
            self._preview_op = None
        self.rendering_box.hide()

    def stop_preview(self) -> None:
        """Stop: the person keeps the dialog and the other templates, without this letter."""
        if self._preview_op is None:
            return
        self._supersede_preview()
        self.rendering.setText("Preview stopped. Choose a template, or press Reload to render it again.")
        self.stop_button.hide()
        self.rendering_box.show()
        self._show_error(None)

    def _preview_rendered(self, seq: int, rendered: object) -> None:
        if seq != self._preview_seq or not isinstance(rendered, Rendered):
            return  # superseded: a newer template or Reload, or Stop
        self._preview_op = None
        self.rendering_box.hide()
        self._rendered = rendered
        self._show_error(None)
        self.preview.setHtml(rendered.html)
        if self._focus_when_ready is not None:
            self._focus_when_ready.setFocus()
            self._focus_when_ready = None

    def _preview_failed(self, seq: int, message: str) -> None:
        if seq != self._preview_seq:
            return
        self._preview_op = None
        self.rendering_box.hide()
        self._rendered = None
        self.preview.clear()
        self._show_error(message)

    def focus_when_ready(self, widget: QWidget) -> None:
        """Focus `widget` (Send as e-mail, say) once the preview is there: the output buttons
        are off until then, and a disabled button takes no focus."""
        if self._rendered is not None:
            widget.setFocus()
        else:
            self._focus_when_ready = widget

    def done(self, result: int) -> None:
        self._supersede_preview()  # a closed dialog waits for no letter: its render stops
        super().done(result)

    def _show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        if message:
            self._say("")  # "Saved …" next to a new problem read as if both were true
        ok = message is None and self._rendered is not None
        for button in (self.print_button, self.save_button, self.preview_button, self.email_button):
            button.setEnabled(ok)

    def _say(self, text: str, *, failed: bool = False) -> None:
        """The last output's outcome, one line replacing the one before: a failed Save PDF
        left the earlier "Saved Thanks.pdf; it is on the customer's timeline." on screen."""
        self.status.setText(text)
        self.status.setProperty("tone", "fieldError" if failed else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _output_failed(self, message: str) -> None:
        # The letter is fine, the file or printer was not: Save and Print stay on, for another
        # folder or another try (the template box, which turns them off, is for the letter).
        self._say(message, failed=True)

    def setup(self) -> PageSetup:
        return PageSetup(self.page_size.currentText(), self._desk.letters.margins_mm())

    def _key(self) -> tuple[str, str] | None:
        name = self.current_template()
        if name is None or self._rendered is None:
            return None
        return (name, self.page_size.currentText())

    def _sent(self, key: tuple[str, str], letter: Letter) -> Letter:
        """One recorded letter per (template, page size): Save then Print is one letter sent."""
        self._produced[key] = letter
        self.result_letter = letter
        return letter

    def _prepare(self, key: tuple[str, str]) -> Prepared | None:
        try:
            return self._desk.letters.prepare(
                key[0], self._customer_id, issue=self._issue, page_size=key[1]
            )
        except CsdeskError as exc:
            self._show_error(str(exc))
            return None

    # -- output: each records the letter only once the file or the print job exists -----------
    def save_pdf(self) -> Path | None:
        key = self._key()
        if key is None or self._rendered is None:
            return None
        customer = self._desk.customers.get(self._customer_id)
        suggested = Path.home() / (
            f"{self._rendered.template.removesuffix('.html.j2')}-"
            f"{safe_file_part(customer.display_name)}.pdf"
        )
        target = ask_save_target(
            self, "Save letter as PDF", suggested, "PDF files (*.pdf)", (".pdf",)
        )
        if target is None:
            return None
        path = target.path
        try:  # replaces a file only when the person confirmed this exact path (save_as.py)
            if key in self._produced:  # already printed: the same letter, not a second one
                self._desk.letter_output.reprint_pdf(
                    QtRenderer(), self._produced[key].id, path, overwrite=target.overwrite
                )
            else:
                self._sent(key, self._desk.letter_output.save_pdf(
                    QtRenderer(), key[0], self._customer_id, path,
                    issue=self._issue, page_size=key[1], overwrite=target.overwrite,
                ))
        except CsdeskError as exc:
            self._output_failed(str(exc))
            return None
        self.result_letter = self._produced[key]
        self._say(f"Saved {path.name}; it is on the customer's timeline.")
        return path

    def _printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        configure_printer(printer, self.setup())
        return printer

    def print_letter(self) -> bool:
        key = self._key()
        if key is None:
            return False
        printer = self._printer()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        try:
            if key in self._produced:
                QtPrintJob(printer).print_html([self._produced[key].html])
            else:
                prepared = self._prepare(key)
                if prepared is None:
                    return False
                self._sent(key, self._desk.letter_output.print_letter(
                    QtPrintJob(printer), prepared
                ))
        except CsdeskError as exc:
            self._output_failed(str(exc))
            return False
        self.result_letter = self._produced[key]
        self._say("Sent to the printer; it is on the customer's timeline.")
        return True

    def send_email(self) -> int | None:
        """The letter seen here, as an e-mail: its To, subject and text shown before it is queued."""
        from csdesk.ui.dialogs.email_send import EmailSendDialog

        name = self.current_template()
        if name is None or self._rendered is None:
            return None
        queued = EmailSendDialog.ask(self, self._desk, name, self._customer_id, issue=self._issue)
        if queued is not None:
            self.queued_email = queued
            self._say("Queued in the outbox; it is on the timeline once the server has it.")
        return queued

    def print_preview(self) -> None:
        """The letter exactly as it will be on paper; printing from there records it too."""
        key = self._key()
        if key is None:
            return
        prepared = None if key in self._produced else self._prepare(key)
        html = self._produced[key].html if prepared is None and key in self._produced else (
            prepared.html if prepared is not None else None
        )
        if html is None:
            return
        dialog = QPrintPreviewDialog(self._printer(), self)
        dialog.setObjectName("letterPrintPreviewDialog")
        dialog.paintRequested.connect(lambda printer: print_letters([html], printer))
        if dialog.exec() == QDialog.DialogCode.Accepted:  # the preview's Print button accepts
            try:
                if prepared is not None:  # printed from the preview: now it is a letter sent
                    self._sent(key, self._desk.letters.record(prepared))
            except CsdeskError as exc:
                self._output_failed(str(exc))
                return
            self.result_letter = self._produced[key]
            self._say("Printed; it is on the customer's timeline.")

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        desk: Desk,
        customer_id: int,
        *,
        issue: Mapping[str, Any] | None = None,
        template: str | None = None,
    ) -> Letter | None:
        """Show the dialog; the letter printed or saved (the last one, if several), else None."""
        dialog = cls(parent, desk, customer_id, issue=issue, template=template)
        dialog.exec()
        return dialog.result_letter


def ask(
    parent: QWidget | None,
    desk: Desk,
    customer_id: int,
    *,
    issue: Mapping[str, Any] | None = None,
    template: str | None = None,
) -> Letter | None:
    return LetterDialog.ask(parent, desk, customer_id, issue=issue, template=template)
