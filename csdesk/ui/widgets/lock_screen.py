"""What covers the window while it is locked: who are you, and your PIN. No customer data."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.services.auth import FRONT_DESK, SignInDelayed
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.admin_setup import pin_field


class LockScreen(QWidget):
    """Emits `signed_in(Staff)` after a right PIN, `front_desk()` for a shop without sign-in and
    `cancelled()` when a switch of user was abandoned."""

    signed_in = Signal(object)
    front_desk = Signal()
    cancelled = Signal()

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAccessibleName("Sign in")
        self._desk = desk
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_wait)

        self.title = QLabel("csdesk is locked")
        self.title.setObjectName("lockTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = QLabel("Choose your name and type your PIN.")
        self.subtitle.setProperty("tone", "muted")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.names = QListWidget()
        self.names.setObjectName("signInNames")
        self.names.setAccessibleName("Who is signing in")
        self.names.currentTextChanged.connect(self._name_chosen)
        self.pin = pin_field("signInPin", "PIN")
        self.pin.returnPressed.connect(self.submit)
        # No number and no name: whoever stands at a locked counter may not learn who calls.
        self.call_waiting = QLabel("A call is waiting: sign in to see the caller.")
        self.call_waiting.setObjectName("callWaitingLabel")
        self.call_waiting.setProperty("tone", "alert")
        self.call_waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.call_waiting.setWordWrap(True)
        self.call_waiting.hide()
        self.message = QLabel()
        self.message.setObjectName("signInMessage")
        self.message.setProperty("tone", "fieldError")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.front_desk_button = QPushButton(f"Continue as {FRONT_DESK}")
        self.front_desk_button.setObjectName("frontDeskButton")
        self.front_desk_button.setAccessibleName(f"Continue as {FRONT_DESK} without a PIN")
        self.front_desk_button.clicked.connect(self.front_desk)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelSwitchButton")
        self.cancel_button.setAccessibleName("Keep the current user")
        self.cancel_button.clicked.connect(self.cancelled)

        card = QFrame()
        card.setObjectName("lockCard")
        card.setMaximumWidth(420)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.call_waiting)
        inner.addWidget(self.subtitle)
        inner.addWidget(self.names)
        inner.addWidget(self.pin)
        inner.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.front_desk_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        inner.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def prepare(self, *, switching: bool, preferred: str | None = None) -> None:
        """Fill the names afresh (staff may have changed) and get ready for a PIN."""
        auth = self._desk.auth
        names = auth.sign_in_names()
        self.title.setText("Switch user" if switching else "csdesk is locked")
        self.names.blockSignals(True)
        self.names.clear()
        self.names.addItems(names)
        self.names.blockSignals(False)
        rows = max(1, min(len(names), 6))  # as tall as the names, up to six, then it scrolls
        row_height = max(self.names.sizeHintForRow(0), 24)
        self.names.setFixedHeight(rows * row_height + 2 * self.names.frameWidth() + 4)
        # Nobody continues as a deactivated Front desk: then everyone signs in.
        open_counter = (auth.needs_setup() or not auth.sign_in_required) and auth.front_desk_active()
        self.front_desk_button.setVisible(open_counter)
        self.cancel_button.setVisible(switching)
        has_names = bool(names)
        self.pin.setVisible(has_names)
        self.sign_in_button.setVisible(has_names)
        self.names.setVisible(has_names)
        self.subtitle.setText(
            "Choose your name and type your PIN." if has_names else "Nobody has a PIN yet."
        )
        self.message.clear()
        self.pin.clear()
        if has_names:
            row = names.index(preferred) if preferred in names else 0
            self.names.setCurrentRow(row)
            self._name_chosen(names[row])
            self.pin.setFocus()
        else:
            self.front_desk_button.setFocus()

    def set_call_waiting(self, waiting: bool) -> None:
        self.call_waiting.setVisible(waiting)

    def _name_chosen(self, _name: str) -> None:
        self.pin.clear()
        self.message.clear()
        self._update_wait()

    def _current(self) -> str | None:
        item = self.names.currentItem()
        return item.text() if item is not None else None

    def _update_wait(self) -> None:
        name = self._current()
        wait = self._desk.auth.wait_seconds(name) if name else 0
        self.sign_in_button.setEnabled(wait == 0)
        self.pin.setEnabled(wait == 0)
        if wait:
            self.message.setText(f"Too many wrong PINs. Try again in {_seconds(wait)}.")
            self._tick.start()
        else:
            if self._tick.isActive():
                self.message.clear()
                self.pin.setFocus()
            self._tick.stop()

    def submit(self) -> None:
        name = self._current()
        if not name or not self.sign_in_button.isEnabled():
            return
        try:
            staff = self._desk.auth.sign_in(name, self.pin.text())
        except SignInDelayed as exc:
            self.pin.clear()
            self.message.setText(str(exc))
            self._update_wait()
            return
        except CsdeskError as exc:
            self.pin.clear()
            self.message.setText(str(exc))
            self.pin.setFocus()
            return
        self.pin.clear()
        self.message.clear()
        self.signed_in.emit(staff)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.cancel_button.isVisible():
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


def _seconds(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
