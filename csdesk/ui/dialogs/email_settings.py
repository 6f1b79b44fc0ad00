"""Settings ▸ E-mail (admins): the shop's mail server, the sender, the password (into the OS
keychain, never the database) and "Send test e-mail" (in an Op: the window never waits)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.services import mail_secret
from csdesk.services.setting_registry import SMTP_SECURITY
from csdesk.ui.dialogs.form_bits import combo, named, select_data
from csdesk.ui.workers import Op, Progress, run_op

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

_TEXT_KEYS = ("smtp_host", "smtp_user", "mail_from_name", "mail_from_address", "mail_reply_to")
_SECURITY_LABELS = {"starttls": "STARTTLS (port 587, usual)", "ssl": "SSL/TLS (port 465)",
                    "none": "None (a server on this computer only)"}


class EmailSettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk) -> None:
        super().__init__(parent)
        named(self, "emailSettingsDialog", "E-mail settings")
        self.setWindowTitle("Settings ▸ E-mail")
        self._desk = desk
        self.saved = False
        self._op: Op | None = None
        shop = desk.shop
        labels = {"smtp_host": "Mail &server", "smtp_user": "&User name",
                  "mail_from_name": "Sender &name", "mail_from_address": "Sender &address",
                  "mail_reply_to": "&Replies go to"}
        self.fields: dict[str, QLineEdit] = {}
        for key in _TEXT_KEYS:
            edit = named(QLineEdit(str(shop.get(key))), f"email_{key}", labels[key].replace("&", ""))
            self.fields[key] = edit
        self.fields["smtp_host"].setPlaceholderText("from your provider's SMTP settings page")
        self.fields["mail_from_name"].setPlaceholderText(str(shop.get("shop_name")) or "the shop name")
        self.port = named(QSpinBox(), "email_smtp_port", "Port, 0 for the usual one")
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("usual")
        self.port.setValue(int(shop.get("smtp_port")))
        self.security = combo("email_smtp_security", "Security",
                              [(_SECURITY_LABELS[s], s) for s in SMTP_SECURITY])
        select_data(self.security, shop.get("smtp_security"))
        self.password = named(QLineEdit(), "email_password", "Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.keychain = named(QLabel(), "emailKeychain", "Where the password is kept")
        self.keychain.setWordWrap(True)
        self.keychain.setProperty("tone", "muted")
        self.keychain.setMinimumHeight(self.keychain.fontMetrics().lineSpacing() * 3)
        self._show_keychain()
        self.test_to = named(QLineEdit(), "emailTestTo", "Send the test e-mail to")
        self.test_to.setPlaceholderText("the sender address")
        self.message = named(QLabel(), "emailSettingsMessage", "What happened")
        self.message.setWordWrap(True)
        self.save_button = named(QPushButton("&Save"), "emailSettingsSave", "Save")
        self.save_button.setDefault(True)
        self.test_button = named(QPushButton("Send &test e-mail"), "emailSendTest", "Send test e-mail")
        close = named(QPushButton("Close"), "emailSettingsClose", "Close")
        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.send_test)
        close.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(labels["smtp_host"], self.fields["smtp_host"])
        form.addRow("&Port", self.port)
        form.addRow("S&ecurity", self.security)
        form.addRow(labels["smtp_user"], self.fields["smtp_user"])
        form.addRow("Pass&word", self.password)
        form.addRow("", self.keychain)
        form.addRow(labels["mail_from_name"], self.fields["mail_from_name"])
        form.addRow(labels["mail_from_address"], self.fields["mail_from_address"])
        form.addRow(labels["mail_reply_to"], self.fields["mail_reply_to"])
        form.addRow("Test e-mail &to", self.test_to)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        hint = QLabel("Your provider's page on SMTP settings has these. Most use port 587 with "
                      "STARTTLS; with two-step sign-in, make an app password for csdesk.")
        hint.setWordWrap(True)
        hint.setProperty("tone", "muted")
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(600, 600)

    def _show_keychain(self) -> None:
        config = self._desk.outbox.smtp_config(with_password=False)
        try:
            name = mail_secret.keychain_name()
        except Exception:  # keyring itself failed to start: same as having none
            name = ""
        if not name:
            self.keychain.setText(mail_secret.NO_KEYCHAIN.format(reason="keyring found none"))
            return
        stored = config.host and config.user and mail_secret.is_stored(config.host, config.user)
        self.keychain.setText(f"Kept in this computer's keychain ({name})"
                              + ("; one is stored (leave empty to keep it)." if stored else "."))

    def save(self) -> bool:
        values: dict[str, object] = {key: edit.text() for key, edit in self.fields.items()}
        values.update(smtp_port=self.port.value(), smtp_security=self.security.currentData())
        try:
            self._desk.shop.set_many(values)
            if self.password.text():
                self._desk.outbox.set_password(self.password.text())
        except CsdeskError as exc:
            self._say(str(exc), error=True)
            return False
        self.password.clear()
        self.saved = True
        self._show_keychain()
        self._say("Saved.")
        return True

    def send_test(self) -> Op | None:
        if not self.save():
            return None
        to = self.test_to.text().strip() or None

        def work(desk: Desk, progress: Progress) -> str:
            return desk.mail_sender.send_test(to)

        self.test_button.setEnabled(False)
        self._say("Sending a test e-mail…")
        op = self._op = run_op(self._desk, work, parent=self)
        op.succeeded.connect(lambda answer: self._tested(f"The test e-mail went; the server said {answer}."))
        op.failed.connect(lambda message: self._tested(message, error=True))
        return op.start()

    def _tested(self, text: str, *, error: bool = False) -> None:
        self._op = None
        self.test_button.setEnabled(True)
        self._say(text, error=error)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #8a1c12;" if error else "")

    def reject(self) -> None:
        if self._op is not None:
            self._op.wait()
        super().reject()

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk) -> bool:
        dialog = cls(parent, desk)
        dialog.exec()
        return dialog.saved
