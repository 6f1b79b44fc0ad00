"""Settings ▸ This computer: the counter's name (kept on this computer, written with every visit
from then on) and the database: engine and place shown, a real server tested, never a password."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft
from csdesk.services.computer import computer_name, host_name
from csdesk.services.desk import Desk
from csdesk.services.server import init_server
from csdesk.ui.dialogs.settings_dialog import SettingsDialog
from csdesk.ui.theme import apply_theme
from tests.pg_cluster import PgCluster
from tests.services.helpers_security import make_admin


def _dialog(qtbot: QtBot, desk: Desk) -> SettingsDialog:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    desk.actor = make_admin(desk)
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_computer_is_named_in_settings_and_its_next_visit_says_so(
    qtbot: QtBot, db_path: Path, clock: object
) -> None:
    desk = Desk.open(db_path)  # the name it would have: the host's, until someone names it
    dialog = _dialog(qtbot, desk)
    box = dialog.this_computer
    assert box.name.text() == host_name() == computer_name()
    box.name.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # an empty name is refused
    assert "Give this computer a name" in dialog.message.text() and not dialog.saved
    qtbot.keyClicks(box.name, "  Counter   7 ")
    dialog.shop_name.setText("Harbour Lane")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved
    assert computer_name() == "Counter 7" and desk.context.computer == "Counter 7"
    maria = desk.customers.create(CustomerDraft(first_name="Maria"))
    desk.visits.log(maria.id, purpose="tyres")
    assert desk.db.execute("SELECT computer FROM visits").fetchone() == ("Counter 7",)
    assert desk.db.execute(
        "SELECT computer FROM audit WHERE entity = 'visit'"
    ).fetchone() == ("Counter 7",)
    desk.close()


def test_the_database_part_shows_the_file_and_tests_a_real_server(
    qtbot: QtBot, desk: Desk, db_path: Path, pg_cluster: PgCluster
) -> None:
    dialog = _dialog(qtbot, desk)
    box = dialog.this_computer
    qtbot.keyClick(dialog.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.currentWidget() is box  # Ctrl+Tab: the second tab
    assert box.engine.text() == "SQLite file on this computer"
    assert box.location.text() == str(db_path)

    def test(url: str) -> str:
        box.server.setText(url)
        qtbot.keyClick(box.server, Qt.Key.Key_Return)  # keyboard first: Enter tests
        qtbot.waitUntil(lambda: box.result.text() != "Connecting…", timeout=15000)
        return box.result.text()

    empty = pg_cluster.new_database()
    said = test(pg_cluster.url(empty))
    assert said.startswith("Connected to database") and "not set up for csdesk yet" in said
    assert not box.switch_button.isEnabled()
    init_server(pg_cluster.url(empty))
    said = test(pg_cluster.url(empty))
    assert "csdesk's customer book is there" in said and "Use this server" in said
    assert box.switch_button.isEnabled()  # a good test: this computer may switch to it
    box.server.setText(box.server.text() + " ")  # anything typed since: test it again first
    assert not box.switch_button.isEnabled()
    test(pg_cluster.url(empty))
    assert box.switch_button.isEnabled()
    qtbot.wait(30)
    dialog.grab().save("/tmp/live-this-computer.png")
    # a wrong password: said in words, and the password itself never shown
    said = test(pg_cluster.tcp_url(empty, user="nobody", password="s3cret-pw"))
    assert "s3cret-pw" not in said and "PostgreSQL server" in said
    said = test("postgresql://anna@127.0.0.1:1/csdesk")
    assert said.startswith("Cannot reach the PostgreSQL server")
    assert box.result.property("tone") == "fieldError"
    said = test("not a server")
    assert said.startswith("That is not a server address")
