"""Send a letter as an e-mail, after seeing it: to whom, the subject, the text part, and whether
the PDF goes along. Queued with the letter record in one transaction; the e-mail feature's Op
sends it (never the UI thread)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.render.qt import QtRenderer
from csdesk.services.outbox import EmailDraft
from csdesk.ui.dialogs.form_bits import named

if TYPE_CHECKING:
    from csdesk.services.desk import Desk


class EmailSendDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, template: str, customer_id: int,
                 *, issue: Mapping[str, Any] | None = None) -> None:
        super().__init__(parent)
        named(self, "emailSendDialog", "Send as e-mail")
        self.setWindowTitle("Send as e-mail")
        self._desk, self._template, self._customer_id, self._issue = desk, template, customer_id, issue
        self.outbox_id: int | None = None
        self.draft: EmailDraft | None = None
        self.to = named(QLabel(), "emailTo", "To")
        self.subject = named(QLabel(), "emailSubject", "Subject")
        self.note = named(QLabel(), "emailNote", "About this e-mail")
        self.note.setWordWrap(True)
        self.note.setProperty("tone", "muted")
        self.text = named(QPlainTextEdit(), "emailText", "The e-mail's plain-text part")
        self.text.setReadOnly(True)
        self.attach = named(QCheckBox("Attach the letter as a PDF"), "emailAttachPdf", "Attach PDF")
        self.problem = named(QLabel(), "emailProblem", "Why it cannot be sent")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(
            "QLabel { background: #fdecea; color: #8a1c12; padding: 8px; border-radius: 4px; }")
        self.problem.hide()
        self.send_button = named(QPushButton("&Queue e-mail"), "emailQueue", "Queue the e-mail")
        self.send_button.setDefault(True)
        cancel = named(QPushButton("Cancel"), "emailCancel", "Do not send")
        self.send_button.clicked.connect(self.queue)
        cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("To", self.to)
        form.addRow("Subject", self.subject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach)
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(QLabel("The plain-text part (the HTML part is the letter you saw):"))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.resize(640, 520)
        self._compose()

    def _compose(self) -> None:
        try:
            self._desk.outbox.sender()  # no sender set: say so before anything else
            self.draft = self._desk.outbox.compose(self._template, self._customer_id, issue=self._issue)
        except CsdeskError as exc:
            self._refuse(str(exc))
            return
        d = self.draft
        self.to.setText(f"{d.to_name} <{d.to_address}>" if d.to_name else d.to_address)
        self.subject.setText(d.subject)
        self.text.setPlainText(d.text)
        self.note.setText(
            "A marketing letter: it goes because they agreed to marketing e-mail, with a line "
            "saying how to stop them." if d.marketing else "A service letter: no consent needed.")
        self.send_button.setFocus()

    def _refuse(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.send_button.setEnabled(False)
        self.attach.setEnabled(False)

    def queue(self) -> int | None:
        if self.draft is None:
            return None
        try:
            draft = self.draft
            if self.attach.isChecked():  # drawn now, the moment it is wanted
                draft = self._desk.outbox.compose(self._template, self._customer_id, issue=self._issue,
                                                  renderer=QtRenderer(), attach_pdf=True)
            self.outbox_id = self._desk.outbox.queue([draft]).queued[0]
        except CsdeskError as exc:
            self._refuse(str(exc))
            return None
        self.accept()
        return self.outbox_id

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk, template: str, customer_id: int,
            *, issue: Mapping[str, Any] | None = None) -> int | None:
        """The outbox id of the queued e-mail, or None."""
        dialog = cls(parent, desk, template, customer_id, issue=issue)
        dialog.exec()
        return dialog.outbox_id
