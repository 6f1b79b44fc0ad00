"""A database csdesk may not change shows so from the start: the window looked normal and the
user learned it only after typing a visit and pressing Enter. A file from a newer csdesk is the
read-only case a test can make as root (chmod does not stop root; the CLI tests use a read-only
mount); the window takes the reason from the store either way."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.main_window import MainWindow
from tests.ui.conftest import show_window, type_search


@pytest.fixture
def read_only_window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    path = tmp_path / "newer.db"
    made = Desk.open(path)
    made.customers.create(CustomerDraft(first_name="Ada", last_name="Lovelace", email="ada@example.com"))
    made.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA user_version = 999")  # written by a csdesk newer than this one
    conn.close()
    desk = Desk.open(path)
    assert desk.read_only is not None
    win = show_window(qtbot, desk)
    yield win
    win.teardown()
    desk.close()


def _action(win: MainWindow, name: str) -> QAction:
    found = [a for a in win.actions() if a.objectName() == name]
    assert len(found) == 1, name
    return found[0]


def test_a_read_only_database_says_why_before_anything_is_typed(
    qtbot: QtBot, read_only_window: MainWindow
) -> None:
    win = read_only_window
    reason = win.desk.read_only
    assert reason is not None and "newer csdesk" in reason
    assert win.windowTitle().endswith("(read-only)")
    banner = win.findChild(QLabel, "readOnlyBanner")
    assert banner is not None and banner.isVisible()
    assert reason in banner.text()  # why, and what to do ("update csdesk"), in the store's words
    for name in ("logVisitAction", "newCustomerAction", "addNoteAction", "importCustomersAction",
                 "logIssueAction", "settingsAction"):
        action = _action(win, name)
        assert not action.isEnabled(), name
        assert action.statusTip() == reason, name
    for name in ("findAction", "quitAction", "backupNowAction", "exportCustomersAction"):
        assert _action(win, name).isEnabled(), name  # reading, exports, backups still work

    # Opening a customer turns Edit and the note buttons on for a writable file: not here.
    type_search(qtbot, win, "Lovelace")
    qtbot.keyClick(win.search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.customer_view.customer is not None, timeout=5000)
    assert not _action(win, "editCustomerAction").isEnabled()
    assert not win.customer_view.card.edit_button.isEnabled()
    assert win.customer_view.card.edit_button.toolTip() == reason
    assert not win.customer_view.notes.add_button.isEnabled()

    # F5 opens no visit dialog to type into that could never be saved.
    qtbot.keyClick(win.customer_view, Qt.Key.Key_F5)
    qtbot.wait(100)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]

