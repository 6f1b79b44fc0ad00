"""The window's new connection after an outage is made on a thread of its own (LiveCounters
._reconnect) and only taken on the UI thread; a window closed while it was being made takes
nothing, and the connection made for it must not stay open on the server."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.services.desk import Desk
from csdesk.ui.features.live import LiveCounters
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme


def _backends(other: Desk, name: str) -> int:
    row = other.db.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", [name]
    ).fetchone()
    return int(row[0])


def _live_window(qtbot: QtBot, desk: Desk) -> tuple[MainWindow, LiveCounters]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    win = MainWindow(desk)
    qtbot.addWidget(win)
    live = win.find_feature(LiveCounters)
    assert live is not None
    return win, live


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_connection_made_for_a_window_closed_meanwhile_is_closed(
    qtbot: QtBot, db_target: str
) -> None:
    name = "csdesk-reconnect-test"
    target = f"{db_target}{'&' if '?' in db_target else '?'}application_name={name}"
    other = Desk.open(db_target)
    desk = Desk.open(target)
    win, live = _live_window(qtbot, desk)
    try:
        fresh = desk.prepare_connection()  # what the reconnect thread makes
        assert fresh is not None
        assert _backends(other, name) >= 2  # the window's own and the fresh one
        win.teardown()  # the window closes while the new connection is on its way
        live._adopt(fresh)  # and it arrives on the UI thread after that
        assert getattr(fresh, "closed", False), "the connection nobody took is still open"
        desk.close()
        qtbot.waitUntil(lambda: _backends(other, name) == 0, timeout=5000)
    finally:
        desk.close()
        other.close()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_an_unexpected_failure_while_reconnecting_tries_again(
    qtbot: QtBot, db_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong making the new connection (here: a bug, a plain RuntimeError), the
    reconnect thread ends with the window ready to try again, never stuck as 'reconnecting'."""
    desk = Desk.open(db_target)
    win, live = _live_window(qtbot, desk)
    try:
        tries: list[int] = []

        def broken() -> object:
            tries.append(1)
            raise RuntimeError("a bug while connecting")

        monkeypatch.setattr(desk, "prepare_connection", broken)
        live.down = True
        live._reconnect()
        qtbot.waitUntil(lambda: bool(tries) and not live._reconnecting, timeout=5000)
        # and a next try is made (by the window's own retry timer, or this call), not refused as
        # already under way: stuck, it would stay at one try for good
        live._reconnect()
        qtbot.waitUntil(lambda: len(tries) >= 2, timeout=5000)
    finally:
        win.teardown()
        desk.close()
