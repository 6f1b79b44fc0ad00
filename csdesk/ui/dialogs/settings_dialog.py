"""Admin settings: when the window locks itself, whether everyone signs in, the shop's details."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.services.desk import Desk


class SettingsDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setAccessibleName("Settings")
        self.setWindowTitle("Settings")
        self._desk = desk
        self.saved = False
        auth = desk.auth

        self.idle = QSpinBox()
        self.idle.setObjectName("idleLockMinutes")
        self.idle.setAccessibleName("Lock after this many idle minutes, 0 for never")
        self.idle.setRange(0, 240)
        self.idle.setSuffix(" min")
        self.idle.setSpecialValueText("Never")
        self.idle.setValue(auth.idle_lock_minutes)
        self.idle.setMaximumWidth(140)
        self.sign_in = QCheckBox("Everyone signs in with their own PIN")
        self.sign_in.setObjectName("signInRequiredSetting")
        self.sign_in.setAccessibleName("Everyone signs in with their own PIN")
        self.sign_in.setChecked(auth.sign_in_required)
        self.shop_name = QLineEdit(str(desk.setting("shop_name", "") or ""))
        self.shop_name.setObjectName("shopName")
        self.shop_name.setAccessibleName("Shop name")
        self.shop_name.setMaxLength(80)
        self.shop_address = QPlainTextEdit(str(desk.setting("shop_address", "") or ""))
        self.shop_address.setObjectName("shopAddress")
        self.shop_address.setAccessibleName("Shop address")
        self.shop_address.setTabChangesFocus(True)
        self.shop_address.setFixedHeight(80)
        self.shop_phone = QLineEdit(str(desk.setting("shop_phone", "") or ""))
        self.shop_phone.setObjectName("shopPhone")
        self.shop_phone.setAccessibleName("Shop phone")
        self.shop_phone.setMaxLength(40)
        self.message = QLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setProperty("tone", "fieldError")
        self.message.setWordWrap(True)
        hint = QLabel(
            "Without sign-in, anyone at the counter works as “Front desk”; a PIN is still "
            "needed for lead and admin work. The lock hides customers either way."
        )
        hint.setWordWrap(True)
        hint.setProperty("tone", "muted")

        form = QFormLayout()
        form.addRow("Lock when idle for", self.idle)
        form.addRow("", self.sign_in)
        form.addRow(hint)
        form.addRow("Shop name", self.shop_name)
        form.addRow("Address", self.shop_address)
        form.addRow("Phone", self.shop_phone)

        cancel = QPushButton("Cancel")
        cancel.setObjectName("cancelSettingsButton")
        cancel.setAccessibleName("Cancel")
        cancel.clicked.connect(self.reject)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveSettingsButton")
        self.save_button.setAccessibleName("Save the settings")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(560, 460)

    def save(self) -> None:
        auth = self._desk.auth
        try:
            # shop details first: they validate lengths, so a refusal leaves everything as it was
            auth.set_shop_details(
                shop_name=self.shop_name.text(),
                shop_address=self.shop_address.toPlainText(),
                shop_phone=self.shop_phone.text(),
            )
            if self.idle.value() != auth.idle_lock_minutes:
                auth.set_idle_lock_minutes(self.idle.value())
            auth.set_sign_in_required(self.sign_in.isChecked())
        except CsdeskError as exc:
            self.message.setText(str(exc))
            return
        self.saved = True
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk) -> bool:
        dialog = cls(desk, parent)
        dialog.exec()
        return dialog.saved
