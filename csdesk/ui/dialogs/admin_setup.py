"""First run: the shop's admin chooses a name and a PIN, and whether everyone signs in."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Staff
from csdesk.errors import CsdeskError
from csdesk.services.desk import Desk


def pin_field(name: str, accessible: str) -> QLineEdit:
    """A masked field that only takes 4 to 8 ASCII digits."""
    field = QLineEdit()
    field.setObjectName(name)
    field.setAccessibleName(accessible)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(8)
    field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,8}"), field))
    field.setPlaceholderText("4 to 8 digits")
    return field


class AdminSetupDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminSetupDialog")
        self.setAccessibleName("Set up the admin")
        self.setWindowTitle("Welcome to csdesk")
        self._desk = desk
        self.admin: Staff | None = None

        title = QLabel("First, who looks after this computer?")
        title.setProperty("tone", "sectionTitle")
        body = QLabel(
            "The admin adds staff, changes settings and restores backups. "
            "Choose a PIN only you know."
        )
        body.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setObjectName("adminName")
        self.name.setAccessibleName("Admin name")
        self.name.setMaxLength(60)
        self.name.setPlaceholderText("e.g. Sam")
        self.pin = pin_field("adminPin", "Admin PIN")
        self.pin_again = pin_field("adminPinAgain", "Admin PIN again")
        self.sign_in = QCheckBox("Everyone signs in with their own PIN on this computer")
        self.sign_in.setObjectName("signInRequired")
        self.sign_in.setAccessibleName("Everyone signs in with their own PIN")
        self.sign_in.setChecked(True)
        hint = QLabel(
            "Untick it if you work alone or trust everyone at the counter: then anyone can look "
            "up customers and log visits as “Front desk”, and the PIN is only asked for admin work."
        )
        hint.setWordWrap(True)
        hint.setProperty("tone", "muted")
        self.message = QLabel()
        self.message.setObjectName("setupMessage")
        self.message.setProperty("tone", "fieldError")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Your name", self.name)
        form.addRow("PIN", self.pin)
        form.addRow("PIN again", self.pin_again)

        self.later = QPushButton("Not now")
        self.later.setObjectName("setupLaterButton")
        self.later.setAccessibleName("Set up the admin later")
        self.create_button = QPushButton("Create admin")
        self.create_button.setObjectName("createAdminButton")
        self.create_button.setAccessibleName("Create the admin")
        self.create_button.setDefault(True)
        self.later.clicked.connect(self.reject)
        self.create_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.later)
        buttons.addWidget(self.create_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addLayout(form)
        layout.addWidget(self.sign_in)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(560, 420)

    def submit(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self._fail("The two PINs differ. Type the same PIN twice.", self.pin_again)
            return
        try:
            self.admin = self._desk.auth.setup_admin(self.name.text(), self.pin.text())
            if not self.sign_in.isChecked():
                self._desk.auth.set_sign_in_required(False)
        except CsdeskError as exc:
            field = getattr(exc, "field", None)
            self._fail(str(exc), self.name if field == "name" else self.pin)
            return
        self.accept()

    def _fail(self, text: str, focus: QLineEdit) -> None:
        self.message.setText(text)
        focus.setFocus()
        focus.selectAll()

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk) -> Staff | None:
        """The new admin (now signed in), or None when the person chose "Not now"."""
        dialog = cls(desk, parent)
        dialog.exec()
        return dialog.admin
