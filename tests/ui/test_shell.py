"""The shell's feature API: features are found by type, overlays replace the content, and the
window owns its desk's lifetime (every feature timer stops before the database closes)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QToolBar
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer
from csdesk.services.desk import Desk
from csdesk.ui.features.backups import Backups
from csdesk.ui.features.issues import IssuesFeature
from csdesk.ui.features.security import Security
from csdesk.ui.main_window import MainWindow
from csdesk.ui.shell import Feature, Shell


def test_features_are_found_by_type(window: MainWindow) -> None:
    assert isinstance(window.feature(Security), Security)
    assert isinstance(window.feature(IssuesFeature), IssuesFeature)
    assert window.find_feature(Feature) is not None

    class NotInstalled(Feature):
        pass

    assert window.find_feature(NotInstalled) is None


def test_an_overlay_replaces_the_content_and_turns_the_actions_off(
    qtbot: QtBot, window: MainWindow
) -> None:
    bar = QToolBar("banner")
    window.add_toolbar(bar)
    qtbot.waitUntil(bar.isVisible, timeout=2000)
    cover = QLabel("cover")
    window.add_overlay(cover)
    window.show_overlay(cover)
    assert window.overlay is cover and not window.content.isVisible()
    assert not window.new_action.isEnabled() and window.quit_action.isEnabled()
    assert not bar.isVisible() and not window.menuBar().isEnabled()
    window.show_content()
    assert window.overlay is None and window.content.isVisible()
    assert window.new_action.isEnabled() and bar.isVisible()


def test_teardown_stops_every_feature_timer_before_the_desk_closes(
    qtbot: QtBot, db_path: Path, desk: Desk, known: dict[str, Customer]
) -> None:
    # Reproduces the flaky idle lock: a window whose idle timer outlived its test fired in the
    # next one, on a closed database.
    other = Desk.open(db_path, clock=desk.clock)
    win = MainWindow(other)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    guard = win.feature(Security)
    guard.set_idle_interval(60_000)
    win.feature(Backups).daily.start()
    named = {t.objectName() for t in win.findChildren(QTimer) if t.isActive()}
    assert {"idleTimer", "followUpsDueTimer", "dailyBackupTimer"} <= named
    guard.set_idle_interval(30)
    win.teardown()
    other.close()
    assert not [t.objectName() for t in win.findChildren(QTimer) if t.isActive() and t.objectName()]
    fired = QTimer()
    fired.setSingleShot(True)
    fired.start(120)  # four idle intervals: long enough for a live idle timer to fire
    qtbot.waitUntil(lambda: not fired.isActive(), timeout=3000)
    assert not guard.locked  # no timer fired on the closed desk
    win.teardown()  # twice is fine


def test_closing_the_window_tears_it_down(qtbot: QtBot, window: Shell) -> None:
    guard = window.feature(Security)
    guard.set_idle_interval(60_000)
    window.close()
    assert not guard.idle_timer.isActive()
