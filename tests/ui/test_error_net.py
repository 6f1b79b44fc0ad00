"""The window's last net: an error raised in a slot (here a timer's, as a view's refresh is
called) is turned into a status-bar line; a lost server adds nothing to the outage line; anything
else leaves its traceback in errors.log. pytest-qt's own capture is off for these tests only, so
the exception reaches the hook the real app installs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from csdesk.errors import ServerUnavailable, UserError
from csdesk.ui import error_net
from csdesk.ui.main_window import MainWindow


@pytest.fixture
def netted(window: MainWindow) -> Iterator[MainWindow]:
    uninstall = error_net.install(window)
    yield window
    uninstall()


def _raise_in_a_slot(qtbot: QtBot, error: Exception) -> None:
    fired: list[bool] = []

    def slot() -> None:
        fired.append(True)
        raise error

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: bool(fired), timeout=5000)
    qtbot.wait(20)


def _status(window: MainWindow) -> Callable[[], str]:
    return lambda: window.statusBar().currentMessage()


@pytest.mark.qt_no_exception_capture
def test_one_of_csdesks_errors_is_said_in_the_status_bar(qtbot: QtBot, netted: MainWindow) -> None:
    _raise_in_a_slot(qtbot, UserError("The printer is off. Turn it on and try again."))
    assert _status(netted)() == "The printer is off. Turn it on and try again."
    assert not error_net.log_path().exists()


@pytest.mark.qt_no_exception_capture
def test_a_lost_server_adds_nothing(qtbot: QtBot, netted: MainWindow) -> None:
    netted.statusBar().showMessage("before")
    _raise_in_a_slot(qtbot, ServerUnavailable("The connection to the server was lost."))
    assert _status(netted)() == "before"


@pytest.mark.qt_no_exception_capture
def test_anything_else_is_logged_and_the_window_carries_on(
    qtbot: QtBot, netted: MainWindow, capsys: pytest.CaptureFixture[str]
) -> None:
    _raise_in_a_slot(qtbot, KeyError("refresh-bug-4711"))
    said = _status(netted)()
    assert said.startswith("Something went wrong (KeyError); csdesk carries on.")
    assert str(error_net.log_path()) in said
    logged = error_net.log_path().read_text(encoding="utf-8")
    assert "refresh-bug-4711" in logged and "Traceback" in logged and "in slot" in logged
    # the window still answers: a search typed now still runs
    qtbot.keyClicks(netted.search.field, "jo")
    qtbot.waitUntil(lambda: netted.search.shown_query == "jo", timeout=5000)


@pytest.mark.qt_no_exception_capture
def test_an_error_on_a_worker_thread_is_logged_and_touches_no_widget(
    qtbot: QtBot, netted: MainWindow
) -> None:
    import sys
    import threading

    netted.statusBar().showMessage("before")
    done = threading.Event()

    def worker() -> None:
        try:
            raise UserError("said on a worker")
        except UserError as exc:  # as Qt would hand a QThread slot's error to the hook
            sys.excepthook(type(exc), exc, exc.__traceback__)
        done.set()

    threading.Thread(target=worker).start()
    assert done.wait(5)
    qtbot.wait(20)
    assert _status(netted)() == "before"
    assert "said on a worker" in error_net.log_path().read_text(encoding="utf-8")
