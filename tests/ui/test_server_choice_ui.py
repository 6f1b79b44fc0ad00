"""A counter switches to the shop's server from Settings ▸ This computer, starts on it, sees it in
About (never a password), is not locked out when it does not answer, and `csdesk call` reaches
the window on it. Against the throwaway cluster, with the real dialogs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.cli import main as cli_main
from csdesk.domain import CustomerDraft
from csdesk.paths import default_db_path
from csdesk.services import database_choice as choice
from csdesk.services.about import about
from csdesk.services.desk import Desk
from csdesk.ui.app import open_chosen
from csdesk.ui.dialogs.about_dialog import AboutDialog
from csdesk.ui.dialogs.server_unreachable import ServerUnreachableDialog
from csdesk.ui.dialogs.settings_dialog import SettingsDialog
from csdesk.ui.single_instance import send, server_name
from csdesk.ui.theme import apply_theme
from tests.pg_cluster import PgCluster
from tests.services.helpers_security import make_admin

ROOT = Path(__file__).resolve().parents[2]


def _settings(qtbot: QtBot, desk: Desk) -> SettingsDialog:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    desk.actor = make_admin(desk)
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_settings_switches_this_computer_to_the_server_and_back(
    qtbot: QtBot, desk: Desk, pg_csdesk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    dialog = _settings(qtbot, desk)
    box = dialog.this_computer
    qtbot.keyClick(dialog.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.currentWidget() is box and box.server.isVisible()
    assert not box.file_button.isVisible()  # no server chosen: nothing to go back from
    box.server.setText(pg_csdesk_url)
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(box.switch_button.isEnabled, timeout=15000)
    qtbot.mouseClick(box.switch_button, Qt.MouseButton.LeftButton)
    assert "Close csdesk and start it again" in box.result.text()
    assert stat.S_IMODE(choice.path().stat().st_mode) == 0o600
    assert json.loads(choice.path().read_text()) == {"engine": "postgresql", "target": pg_csdesk_url}
    assert box.file_button.isVisible() and not box.switch_button.isEnabled()
    # The next start (no --db, no CSDESK_DB) works on the server: a command finds it there.
    desk.customers.create(CustomerDraft(first_name="Olga", last_name="File"))
    server_desk = Desk.open(pg_csdesk_url)
    try:
        on_server = server_desk.customers.create(CustomerDraft(first_name="Olga", last_name="Pg"))
    finally:
        server_desk.close()
    capsys.readouterr()
    cli_main(["search", "Olga", "--json"])
    assert [hit["id"] for hit in json.loads(capsys.readouterr().out)] == [on_server.id]
    assert "Olga Pg" in json.dumps(on_server.display_name)
    cli_main(["paths", "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["server"]["database"] and shown["database"].startswith("postgresql://")
    # ... and back to the file, by keyboard focus + Space on the button
    box.file_button.setFocus()
    qtbot.keyClick(box.file_button, Qt.Key.Key_Space)
    assert choice.chosen() is None and not box.file_button.isVisible()
    assert "its own file again" in box.result.text()


def test_about_shows_the_server_without_its_password(qtbot: QtBot, pg_cluster: PgCluster) -> None:
    url = pg_cluster.tcp_url("shopbook", user="anna", password="s3cret-pw")
    dialog = AboutDialog(about(server=url))  # what ask() shows for a server Desk, without exec()
    qtbot.addWidget(dialog)
    shown = {key: label.text() for key, label in dialog.path_labels.items()}
    assert shown["Server"] == "PostgreSQL"
    assert shown["ServerHost"] == "127.0.0.1" and shown["ServerPort"] == str(pg_cluster.port)
    assert shown["ServerDatabase"] == "shopbook" and shown["ServerUser"] == "anna"
    assert "Database" not in dialog.open_buttons  # nothing on this computer to open for a server
    everything = " ".join(label.text() + label.accessibleName() for label in dialog.path_labels.values())
    assert "s3cret-pw" not in everything


def _answer_with(qtbot: QtBot, button: str, said: list[str]) -> None:
    """Click `button` of the unreachable-server question as soon as it is up (it is modal)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, ServerUnreachableDialog):
            QTimer.singleShot(20, click)
            return
        said.append(box.text() + "\n" + box.informativeText())
        target = getattr(box, button)
        target.setFocus()
        qtbot.keyClick(target, Qt.Key.Key_Space)

    QTimer.singleShot(0, click)


def test_a_chosen_server_that_does_not_answer_offers_the_file_not_a_lock_out(
    qtbot: QtBot, pg_csdesk_url: str
) -> None:
    down = "postgresql://anna:s3cret-pw@127.0.0.1:1/csdesk"  # nothing listens on port 1
    choice.choose(down)
    said: list[str] = []
    _answer_with(qtbot, "file_button", said)
    desk, opened = open_chosen(down, None, chosen=True)
    try:
        assert opened == default_db_path() and desk.path == default_db_path()
    finally:
        desk.close()
    assert "Cannot reach the PostgreSQL server" in said[0] and "s3cret-pw" not in said[0]
    assert choice.chosen() is not None  # this once: the next start tries the server again
    # "Always use this computer's file" forgets the server; "Try again" gets the server once up
    _answer_with(qtbot, "forget_button", said)
    desk, opened = open_chosen(down, None, chosen=True)
    desk.close()
    assert opened == default_db_path() and choice.chosen() is None
    tries: list[str] = []

    def ask(_parent: object, message: str, _where: str) -> object:
        from csdesk.ui.dialogs.server_unreachable import Answer

        tries.append(message)
        return Answer.RETRY if len(tries) < 2 else Answer.QUIT

    from csdesk.errors import CsdeskError

    with pytest.raises(CsdeskError):
        open_chosen(down, None, chosen=True, ask=ask)  # type: ignore[arg-type]
    assert len(tries) == 2  # tried again, then quit: the error goes out as before
    desk, opened = open_chosen(pg_csdesk_url, None, chosen=True)  # a server that answers: no question
    desk.close()
    assert opened == pg_csdesk_url


def test_csdesk_call_on_the_chosen_server_starts_then_reaches_its_window(
    qtbot: QtBot, pg_csdesk_url: str
) -> None:
    seed = Desk.open(pg_csdesk_url)
    try:
        kofi = seed.customers.create(
            CustomerDraft(first_name="Kofi", last_name="Owusu", phones=(("mobile", "+1 555 010 4477"),))
        )
    finally:
        seed.close()
    choice.choose(pg_csdesk_url)  # no --db: the window and the command read the choice
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("CSDESK_DB", None)

    def call(number: str) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-m", "csdesk", "call", number, "--json"],
            capture_output=True, text=True, env=env, timeout=90,
        )
        assert done.returncode == 0, (done.stdout, done.stderr)
        out = json.loads(done.stdout)
        assert isinstance(out, dict)
        return out

    first = call("+15550104477")
    assert first["started"] is True and first["shown"] in ("started", "locked")
    pid = first["pid"]
    assert isinstance(pid, int)
    name = server_name(pg_csdesk_url)  # the socket is the server's (a hash of its redacted URL)
    try:
        assert send(name, {"action": "ping"}, timeout_ms=3000) is not None
        second = call("tel:+1-555-010-4477")
        assert second["started"] is False and second["shown"] == "customer"
        # the window it started is on the server, not on a file, and its command line holds no URL
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        assert pg_csdesk_url not in cmdline and "--db" not in cmdline
        assert not default_db_path().exists()
        assert kofi.id > 0
    finally:
        os.kill(pid, 15)
        qtbot.waitUntil(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), timeout=30000)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
