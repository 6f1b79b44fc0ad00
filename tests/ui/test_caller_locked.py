"""A call to a locked window (issue 13.4): it says so, shows nobody, and shows the caller after
sign-in. Real sockets, a real window, real `csdesk` processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtNetwork import QLocalServer
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer
from csdesk.services.desk import Desk
from csdesk.ui.caller import handle_request
from csdesk.ui.features.security import security
from csdesk.ui.main_window import MainWindow
from csdesk.ui.single_instance import InstanceServer, server_name
from tests.services.helpers_security import fast_scrypt, make_admin  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("fast_scrypt")
SHOTS = Path(os.environ.get("CSDESK_SHOTS", "/tmp/csdesk-shots"))


def on_screen(window: MainWindow) -> str:
    """Every text a person can read in the window now."""
    texts = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in window.findChildren(QLineEdit) if w.isVisible()]
    if window.statusBar().isVisible():
        texts.append(window.statusBar().currentMessage())
    return "\n".join(texts)


def serve(window: MainWindow, name: str) -> InstanceServer:
    server = InstanceServer(name, lambda request: handle_request(window, request), window)
    assert server.listen()
    return server


def run_cli(qtbot: QtBot, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "csdesk", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60000)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_a_call_to_a_locked_window_waits_behind_the_sign_in(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer], db_path: Path
) -> None:
    make_admin(desk)
    desk.act_as("Front desk")
    jose = known["jose"]
    guard = security(window)
    # a call was running when the counter walked away: its timer names the customer
    window.start_call(jose.id)
    window.statusBar().showMessage(f"Call from +1 555 010 4477: {jose.display_name}", 60000)
    guard.lock()
    assert "García" not in on_screen(window) and "José" not in on_screen(window)
    window.statusBar().showMessage(f"Visit logged for {jose.display_name}.", 60000)
    assert "García" not in on_screen(window)  # nor what a feature says while it is locked

    server = serve(window, server_name(db_path))
    try:
        result = run_cli(qtbot, ["--db", str(db_path), "call", "+15550104477"])
        assert result.returncode == 0, result.stderr
        assert "csdesk is locked: the caller is waiting behind the sign-in" in result.stdout
        scripted = run_cli(qtbot, ["--db", str(db_path), "call", "+15550104477", "--json"])
        assert json.loads(scripted.stdout)["shown"] == "locked"
    finally:
        server.close()
    assert window.customer_view.customer is None
    text = on_screen(window)
    assert "A call is waiting" in text and "García" not in text and "4477" not in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "caller_locked.png"))

    screen = guard.lock_screen
    names = [screen.names.item(i).text() for i in range(screen.names.count())]
    screen.names.setCurrentRow(names.index("Ada"))
    qtbot.keyClicks(screen.pin, "2468")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.customer_view.customer is not None, timeout=5000)
    assert window.customer_view.customer is not None
    assert window.customer_view.customer.id == jose.id
    visits = window.findChild(QObject, "visitsFeature")
    assert visits is not None and visits.calls.customer_id == jose.id  # type: ignore[attr-defined]
    assert not screen.call_waiting.isVisible()


def test_csdesk_call_starting_a_locked_csdesk_says_so(
    desk: Desk, db_path: Path, known: dict[str, Customer]
) -> None:
    make_admin(desk)
    desk.auth.set_sign_in_required(True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db_path), "call", "+15550104477", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
    )
    out = json.loads(result.stdout) if result.stdout.strip() else {}
    try:
        assert result.returncode == 0, (result.stdout, result.stderr)
        assert out["started"] is True and out["shown"] == "locked"
        text = subprocess.run(
            [sys.executable, "-m", "csdesk", "--db", str(db_path), "call", "+15550104477"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert text.returncode == 0, text.stderr
        assert "csdesk is locked: the caller is waiting behind the sign-in" in text.stdout
    finally:
        if isinstance(out.get("pid"), int):
            os.kill(out["pid"], signal.SIGTERM)
        QLocalServer.removeServer(server_name(db_path))  # a killed window leaves its socket file


def test_drafts_left_by_a_crash_are_offered_after_sign_in_not_over_the_lock(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from csdesk.ui.dialogs.restore_drafts import DraftChoice, RestoreDrafts
    from csdesk.ui.features.visits import VisitsFeature

    offered: list[list[str]] = []

    def ask(cls: object, parent: object, lines: list[str]) -> DraftChoice:
        offered.append(lines)
        return DraftChoice.LATER

    monkeypatch.setattr(RestoreDrafts, "ask", classmethod(ask))
    desk.drafts.save("visit", known["jose"].id, {"purpose": "fitted walking boots"})
    guard = security(window)
    guard.lock()
    feature = window.findChild(VisitsFeature, "visitsFeature")
    assert feature is not None
    feature.offer_drafts()  # what start does, one turn after the window is up
    assert offered == []  # nothing named over the lock screen
    guard.lock_screen.front_desk.emit()  # a shop without sign-in: Continue as Front desk
    qtbot.waitUntil(lambda: bool(offered), timeout=3000)
    assert "García" in offered[0][0]
