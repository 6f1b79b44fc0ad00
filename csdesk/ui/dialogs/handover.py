"""The handover note: a lead writes it; the next person sees it at the top of the window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.services.clock import parse
from csdesk.services.handover import MAX_NOTE, HandoverNote


class HandoverDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoverDialog")
        self.setAccessibleName("Handover note")
        self.setWindowTitle("Handover note")
        self.resize(520, 340)
        intro = QLabel("What does the next shift need to know? They see this first when they "
                       "open csdesk.")
        intro.setWordWrap(True)
        self.body = QPlainTextEdit()
        self.body.setObjectName("handoverBody")
        self.body.setAccessibleName("Note for the next shift")
        self.body.setPlaceholderText("Till 2 sticks. Kofi's boots arrive tomorrow: call him.")
        self.shift = QLineEdit()
        self.shift.setObjectName("handoverShift")
        self.shift.setAccessibleName("For which shift")
        self.shift.setPlaceholderText("For (optional): late shift, Tuesday morning…")
        self.error = QLabel()
        self.error.setProperty("tone", "fieldError")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.setObjectName("handoverButtons")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.shift)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        text = self.body.toPlainText().strip()
        if not text:
            self.error.setText("Write something for the next shift first.")
            return
        if len(text) > MAX_NOTE:
            self.error.setText(f"Keep it under {MAX_NOTE} characters.")
            return
        self.accept()

    def value(self) -> tuple[str, str]:
        return self.body.toPlainText().strip(), self.shift.text().strip()

    @classmethod
    def ask(cls, parent: QWidget | None) -> tuple[str, str] | None:
        """(text, for which shift), or None when cancelled."""
        dialog = cls(parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


class HandoverBanner(QFrame):
    """Shown at the top of the window until someone presses "Got it"."""

    acknowledged = Signal(list)  # note ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoverBanner")
        self.setAccessibleName("Handover note from the last shift")
        self.setProperty("tone", "handover")
        self.notes: list[HandoverNote] = []
        self.title = QLabel()
        self.title.setObjectName("handoverTitle")
        self.title.setProperty("tone", "alert")
        self.text = QLabel()
        self.text.setObjectName("handoverText")
        self.text.setAccessibleName("Handover note text")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ok = QPushButton("Got it")
        self.ok.setObjectName("handoverAck")
        self.ok.setAccessibleName("Got it: hide the handover note")
        self.ok.clicked.connect(lambda: self.acknowledged.emit([n.id for n in self.notes]))
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.title)
        texts.addWidget(self.text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.addLayout(texts, 1)
        layout.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setStyleSheet(
            'QFrame#handoverBanner { background: #fff3dc; border: 1px solid #e0a84a;'
            " border-radius: 8px; }"
            "QLabel#handoverText { color: #3d2a00; font-size: 12pt; }"
        )

    def show_notes(self, notes: list[HandoverNote], tz: object = None) -> None:
        self.notes = notes
        if not notes:
            self.hide()
            return
        newest = notes[0]
        when = parse(newest.created_at).astimezone(tz).strftime("%a %H:%M")  # type: ignore[arg-type]
        shift = f" for the {newest.for_shift}" if newest.for_shift else ""
        more = f" (and {len(notes) - 1} earlier)" if len(notes) > 1 else ""
        self.title.setText(f"Handover from {newest.created_by}{shift}, {when}{more}")
        self.text.setText("\n\n".join(n.body for n in notes))
        self.show()
