"""The outbox: every e-mail queued, sending, sent, failed or cancelled, with Retry and Cancel,
and Send now. The sending itself runs in the e-mail feature's Op, never here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.ui.dialogs.form_bits import combo, named
from csdesk.ui.models.outbox_model import OutboxModel

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

FILTERS: list[tuple[str, object]] = [
    ("Everything", None),
    ("Waiting to go (queued, sending)", ["queued", "sending"]),
    ("Failed", ["failed"]),
    ("Sent", ["sent"]),
    ("Cancelled", ["cancelled"]),
]


class OutboxDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None,
                 *, send_now: Callable[[], object] | None = None) -> None:
        super().__init__(parent)
        named(self, "outboxDialog", "Outbox")
        self.setWindowTitle("Outbox")
        self._desk = desk
        self.model = OutboxModel(desk, self)
        self.which = combo("outboxFilter", "Which e-mail", FILTERS)
        self.which.currentIndexChanged.connect(lambda _i: self.refresh())
        self.summary = named(QLabel(), "outboxSummary", "Outbox summary")
        self.summary.setProperty("tone", "muted")
        self.view = named(QTableView(), "outboxTable", "E-mail in the outbox")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setWordWrap(False)
        self.detail = named(QLabel(), "outboxDetail", "What happened to the chosen e-mail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(self.detail.textInteractionFlags()
                                            | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = named(QLabel(), "outboxProblem", "Problem")
        self.problem.setWordWrap(True)
        self.problem.setProperty("tone", "error")
        self.problem.hide()
        self.retry_button = named(QPushButton("&Retry"), "outboxRetry", "Retry the e-mail")
        self.cancel_button = named(QPushButton("Ca&ncel e-mail"), "outboxCancel", "Cancel the e-mail")
        self.send_button = named(QPushButton("&Send now"), "outboxSendNow", "Send what is due now")
        close = named(QPushButton("Close"), "outboxClose", "Close the outbox")
        self.retry_button.clicked.connect(self.retry)
        self.cancel_button.clicked.connect(self.cancel_mail)
        self.send_button.clicked.connect(lambda: send_now() if send_now else None)
        self.send_button.setEnabled(send_now is not None)
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+R"), self).activated.connect(self.retry)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        top = QHBoxLayout()
        top.addWidget(self.which)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        buttons = QHBoxLayout()
        for button in (self.retry_button, self.cancel_button, self.send_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.resize(980, 480)
        self.refresh()

    def refresh(self) -> None:
        current = self.current_id()
        states = self.which.currentData()
        self.model.set_states(list(states) if states else None)
        counts = self._desk.outbox.counts()
        parts = [f"{counts[s]} {s}" for s in ("queued", "sending", "failed") if counts[s]]
        self.summary.setText(", ".join(parts) if parts else "Nothing waiting to go.")
        row = next((r for r in range(self.model.rowCount())
                    if (x := self.model.row(r)) is not None and x["id"] == current), 0)
        if self.model.rowCount():
            self.view.selectRow(row)
        self.view.resizeColumnsToContents()
        self._update_buttons()

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        row = self.model.row(index.row()) if index.isValid() else None
        return None if row is None else int(row["id"])

    def _update_buttons(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row(index.row()) if index.isValid() else None
        state = row["state"] if row else ""
        # The server's words in full: the column cuts them.
        self.detail.setText(f"#{row['id']} to {row['to_address']}: {row['last_error']}"
                            if row and row["last_error"] and state != "sent" else "")
        self.retry_button.setEnabled(state == "failed")
        self.cancel_button.setEnabled(state in ("queued", "failed"))

    def _act(self, act: Callable[[int], None]) -> None:
        outbox_id = self.current_id()
        if outbox_id is None:
            return
        try:
            act(outbox_id)
        except CsdeskError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.problem.hide()
        self.refresh()

    def retry(self) -> None:
        self._act(self._desk.outbox.retry)

    def cancel_mail(self) -> None:
        self._act(self._desk.outbox.cancel)

    def show_outbox(self) -> None:
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()
        self.view.setFocus()
