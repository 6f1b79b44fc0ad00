"""Settings ▸ This computer: its name at the counter, and the database it works on.

Both belong to this computer, not the shop (services.computer, services.database_choice: files
in the user's config folder), so they sit apart from the shop's settings above them. The
database part shows the engine and where it is (never a password), tests a server the way
csdesk would connect to it, off the UI thread, and keeps a switch for the next start.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.services import database_choice as choice
from csdesk.services.computer import MAX_NAME, clean_name, computer_name, set_computer_name
from csdesk.services.desk import Desk
from csdesk.ui.workers import Op, Progress, run_op


class ThisComputer(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thisComputer")
        self.setAccessibleName("This computer")
        self._desk = desk
        self._test: Op | None = None
        self._tested: str | None = None  # the URL Test connection found usable

        self.name = QLineEdit(computer_name())
        self.name.setObjectName("computerName")
        self.name.setAccessibleName("This computer's name at the counter")
        self.name.setMaxLength(MAX_NAME)
        self.name.setPlaceholderText("Counter 2")
        name_hint = _muted("Shown in the audit and daily logs, and to the other counters "
                           "(“Anna has Maria open at Counter 2”).")

        current = choice.of(desk.target if desk.target is not None else "")
        self.engine = QLabel(current.engine_label)
        self.engine.setObjectName("databaseEngine")
        self.engine.setAccessibleName("Database engine")
        self.location = QLabel(current.where or "(in memory)")
        self.location.setObjectName("databaseLocation")
        self.location.setAccessibleName("Where the database is")
        self.location.setWordWrap(True)
        self.server = QLineEdit()
        self.server.setObjectName("serverUrl")
        self.server.setAccessibleName("Server address to test")
        self.server.setPlaceholderText("postgresql://anna@till:5432/csdesk")
        self.server.textChanged.connect(self._typed)
        self.server.returnPressed.connect(self.test)
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.setAccessibleName("Test the connection to this server")
        self.test_button.clicked.connect(self.test)
        self.switch_button = QPushButton("Use this server")
        self.switch_button.setObjectName("useServerButton")
        self.switch_button.setAccessibleName("Work on this server from the next start")
        self.switch_button.setEnabled(False)
        self.switch_button.clicked.connect(self.switch)
        # Back from a server to this computer's own file (from the next start): shown while a
        # server is this computer's choice, so a counter is never stuck on one.
        self.file_button = QPushButton("Use this computer's file")
        self.file_button.setObjectName("useFileButton")
        self.file_button.setAccessibleName("Work on this computer's own file from the next start")
        self.file_button.clicked.connect(self.use_file)
        kept = choice.chosen()
        self.file_button.setVisible(kept is not None and kept.engine == "postgresql")
        self.result = QLabel()
        self.result.setObjectName("connectionResult")
        self.result.setAccessibleName("What the connection test found")
        self.result.setWordWrap(True)
        self.result.hide()
        server_hint = _muted(
            "The password belongs in ~/.pgpass (or PGPASSFILE), not in the address. "
            "A switch takes effect when csdesk starts again on this computer."
        )

        test_row = QHBoxLayout()
        test_row.addWidget(self.server, 1)
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.switch_button)
        form = QFormLayout(self)
        form.setContentsMargins(12, 14, 12, 8)
        form.addRow("&Name", self.name)
        form.addRow(name_hint)
        form.addRow("Database", self.engine)
        form.addRow("", self.location)
        form.addRow("", self.file_button)
        server_label = QLabel("Ser&ver")
        server_label.setBuddy(self.server)  # Alt+V: a label beside a row of widgets needs its buddy
        form.addRow(server_label, test_row)
        form.addRow("", self.result)
        form.addRow(server_hint)

    # -- the name --------------------------------------------------------------------------------
    def name_changed(self) -> bool:
        return " ".join(self.name.text().split()) != computer_name()

    def check_name(self) -> str:
        """The name as it will be kept, or UserError (said before any setting is saved)."""
        return clean_name(self.name.text())

    def save_name(self) -> None:
        """Keep the name and write under it from now on (the next heartbeat tells the others)."""
        if self.name_changed():
            self._desk.context.set_computer(set_computer_name(self.name.text()))

    # -- the database ----------------------------------------------------------------------------
    def _typed(self) -> None:
        self._tested = None
        self.switch_button.setEnabled(False)

    def _say(self, text: str, tone: str) -> None:
        self.result.setText(text)
        self.result.setProperty("tone", tone)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.result.show()

    def test(self) -> Op | None:
        url = self.server.text().strip()
        if not url:
            self._say("Type the server's address first.", "fieldError")
            self.server.setFocus()
            return None
        if self._test is not None and self._test.running:
            return self._test
        self.test_button.setEnabled(False)
        self._say("Connecting…", "muted")

        def check(_desk: Desk, _progress: Progress) -> choice.ConnectionCheck:
            return choice.test_connection(url)

        try:
            op = run_op(self._desk, check, parent=self)
        except CsdeskError as exc:  # a database without a file (tests, a demo in memory)
            self.test_button.setEnabled(True)
            self._say(str(exc), "fieldError")
            return None
        op.succeeded.connect(lambda found: self._tested_ok(url, found))
        op.failed.connect(lambda message: self._say(message, "fieldError"))
        op.ended.connect(lambda: self.test_button.setEnabled(True))
        self._test = op
        op.start()
        return op

    def _tested_ok(self, url: str, found: choice.ConnectionCheck) -> None:
        said = found.said
        if found.usable and not choice.SERVER_WINDOW_READY:
            said += (" This csdesk still opens its window on the file; switching to the server "
                     "comes with the next update.")
        elif found.usable:
            said += " Use this server to work on it from the next start."
        self._say(said, "" if found.usable else "fieldError")
        if found.usable and choice.SERVER_WINDOW_READY and url == self.server.text().strip():
            self._tested = url
            self.switch_button.setEnabled(True)

    def switch(self) -> None:
        if self._tested is None:
            return
        try:
            kept = choice.choose(self._tested)
        except CsdeskError as exc:
            self._say(str(exc), "fieldError")
            return
        self.switch_button.setEnabled(False)
        self.file_button.show()
        self._say(f"Kept for this computer: {kept.where}. Close csdesk and start it again to "
                  "work on the server; until then this window stays where it is.", "")

    def use_file(self) -> None:
        try:
            choice.forget()
        except CsdeskError as exc:
            self._say(str(exc), "fieldError")
            return
        self.file_button.hide()
        self._say("This computer works on its own file again from the next start: close csdesk "
                  "and start it again.", "")


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("tone", "muted")
    return label
