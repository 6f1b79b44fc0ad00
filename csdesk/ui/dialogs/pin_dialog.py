"""A new PIN, typed twice: for changing your own or, as an admin, resetting someone's."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import UserError
from csdesk.services.auth import check_pin_format
from csdesk.ui.dialogs.admin_setup import pin_field


class PinDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.setAccessibleName(f"New PIN for {name}")
        self.setWindowTitle("New PIN")
        self.pin_value: str | None = None
        title = QLabel(f"A new PIN for {name}")
        title.setProperty("tone", "sectionTitle")
        self.pin = pin_field("newPin", "New PIN")
        self.pin_again = pin_field("newPinAgain", "New PIN again")
        self.pin_again.returnPressed.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("pinMessage")
        self.message.setProperty("tone", "fieldError")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("PIN", self.pin)
        form.addRow("PIN again", self.pin_again)
        cancel = QPushButton("Cancel")
        cancel.setObjectName("cancelPinButton")
        cancel.setAccessibleName("Cancel")
        cancel.clicked.connect(self.reject)
        save = QPushButton("Set PIN")
        save.setObjectName("setPinButton")
        save.setAccessibleName("Set the new PIN")
        save.setDefault(True)
        save.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 18)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(420, 240)

    def submit(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.message.setText("The two PINs differ. Type the same PIN twice.")
            return
        try:
            check_pin_format(self.pin.text())
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.pin_value = self.pin.text()
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, name: str) -> str | None:
        dialog = cls(name, parent)
        dialog.exec()
        return dialog.pin_value
