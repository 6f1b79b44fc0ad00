"""Admin settings: when the window locks itself, whether everyone signs in, the shop's details,
the goodwill each role may give per issue, and this computer's own name and database
(ui.dialogs.this_computer). Saved through the one audited setter
(desk.shop.set_many), the same one `csdesk settings` uses; its checks are the dialog's."""

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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import Conflict, CsdeskError
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.this_computer import ThisComputer


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
        shop = desk.shop
        shown = shop.values()
        self.goodwill: dict[str, QLineEdit] = {}
        for role, label in (("staff", "Staff"), ("lead", "Shift lead"), ("admin", "Admin")):
            limit = shop.get(f"goodwill_limit_{role}")
            edit = QLineEdit("" if limit is None else shown[f"goodwill_limit_{role}"])
            edit.setObjectName(f"goodwillLimit_{role}")
            edit.setAccessibleName(f"Goodwill a {label.lower()} may give per issue")
            edit.setPlaceholderText("unlimited")
            edit.setMinimumWidth(112)
            self.goodwill[role] = edit
        self.shop_name = QLineEdit(str(shop.get("shop_name")))
        self.shop_name.setObjectName("shopName")
        self.shop_name.setAccessibleName("Shop name")
        self.shop_name.setMaxLength(80)
        self.shop_address = QPlainTextEdit(str(shop.get("shop_address")))
        self.shop_address.setObjectName("shopAddress")
        self.shop_address.setAccessibleName("Shop address")
        self.shop_address.setTabChangesFocus(True)
        self.shop_address.setFixedHeight(80)
        self.shop_phone = QLineEdit(str(shop.get("shop_phone")))
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
        limits = QHBoxLayout()
        for role, label in (("staff", "Staff"), ("lead", "Lead"), ("admin", "Admin")):
            limits.addWidget(QLabel(label))
            limits.addWidget(self.goodwill[role])
        limits.addStretch(1)
        form.addRow("Goodwill per issue", limits)
        limits_hint = QLabel("The most goodwill one issue may carry when each role gives it; empty: no limit")
        limits_hint.setWordWrap(True)
        limits_hint.setProperty("tone", "muted")
        form.addRow(limits_hint)

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
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        # Two tabs: the shop's settings (shared by every counter) and this computer's own.
        shop_page = QWidget()
        shop_layout = QVBoxLayout(shop_page)
        shop_layout.setContentsMargins(12, 14, 12, 8)
        shop_layout.addLayout(form)
        shop_layout.addStretch(1)
        self.this_computer = ThisComputer(desk, self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setUsesScrollButtons(False)  # two tabs always fit: never a half-hidden one
        self.tabs.addTab(shop_page, "&Shop")
        self.tabs.addTab(self.this_computer, "This &computer")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)  # its own row: a conflict's sentence is read whole
        layout.addLayout(buttons)
        self.resize(640, 560)
        # What was shown, and the versions it was read at: a save over someone else's newer
        # one is refused (services.shop_settings), and what was typed here stays.
        self._shown = self._typed()
        self._versions = shop.versions(self._shown)

    def _typed(self) -> dict[str, object]:
        values: dict[str, object] = {
            "shop_name": self.shop_name.text(),
            "shop_address": self.shop_address.toPlainText(),
            "shop_phone": self.shop_phone.text(),
            "idle_lock_minutes": self.idle.value(),
            "sign_in_required": self.sign_in.isChecked(),
        }
        values.update({f"goodwill_limit_{role}": edit.text() for role, edit in self.goodwill.items()})
        return values

    def _show(self, key: str, value: object) -> None:
        widgets: dict[str, QLineEdit] = {
            "shop_name": self.shop_name, "shop_phone": self.shop_phone,
            **{f"goodwill_limit_{role}": edit for role, edit in self.goodwill.items()},
        }  # fmt: skip
        if key in widgets:
            widgets[key].setText(str(value))
        elif key == "shop_address":
            self.shop_address.setPlainText(str(value))
        elif key == "idle_lock_minutes":
            self.idle.setValue(int(str(value)))
        elif key == "sign_in_required":
            self.sign_in.setChecked(bool(value))

    def _theirs(self) -> None:
        """After a refused save: what this person did not touch now shows what the other saved;
        what they typed stays; the next Save is made on the versions read now."""
        shop = self._desk.shop
        shown = shop.values()
        typed = self._typed()
        fresh: dict[str, object] = {}
        for key, value in typed.items():
            stored: object = shown[key]
            if key == "idle_lock_minutes":
                stored = int(shop.get(key))
            elif key == "sign_in_required":
                stored = bool(shop.get(key))
            elif key.startswith("goodwill_limit_") and shop.get(key) is None:
                stored = ""
            fresh[key] = stored
            if value == self._shown[key]:
                self._show(key, stored)
        self._shown = fresh
        self._versions = shop.versions(typed)

    def save(self) -> None:
        values = self._typed()
        try:
            self.this_computer.check_name()  # refused before anything is saved
            # One call: every value is checked first, so a refusal leaves everything as it was.
            self._desk.shop.set_many(values, versions=self._versions)
            self.this_computer.save_name()
        except Conflict as exc:
            self.message.setText(str(exc))
            self._theirs()
            return
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
