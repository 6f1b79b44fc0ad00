"""A save while another counter holds the database's write lock: the window waited for SQLite's
busy timeout (5 s) on its UI thread, frozen. Now the save waits on a worker with the form off and
one calm line; nothing typed is lost, a save that failed says so, and one is never called done
before it committed. The lock is a real second connection on the real file (BEGIN IMMEDIATE)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.form_bits import WAITING
from csdesk.ui.dialogs.note_dialog import NoteDialog
from csdesk.ui.dialogs.visit_dialog import VisitDialog
from csdesk.ui.main_window import MainWindow

TYPED = "Prefers a call after four; her knee is worse in the mornings"


@pytest.fixture
def other_counter(desk: Desk) -> Iterator[sqlite3.Connection]:
    """Another program's connection to the same file, holding its write lock until released."""
    assert isinstance(desk.target, Path)
    conn = sqlite3.connect(desk.target, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def notes_in_file(desk: Desk, customer: Customer) -> list[str]:
    """What a third connection reads from the file: only what was committed."""
    assert isinstance(desk.target, Path)
    with sqlite3.connect(desk.target) as conn:
        rows = conn.execute("SELECT body FROM notes WHERE customer_id = ? AND deleted_at IS NULL",
                            (customer.id,)).fetchall()  # fmt: skip
    return [r[0] for r in rows]


def open_note(qtbot: QtBot, window: MainWindow, desk: Desk, customer: Customer) -> NoteDialog:
    dialog = NoteDialog(window, desk, customer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # Ctrl+Enter is a shortcut of the active window
    qtbot.keyClicks(dialog.body, TYPED)
    return dialog


def ctrl_enter(qtbot: QtBot, widget: object) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_a_save_waits_for_the_other_counter_without_freezing_and_then_saves_once(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer],
    other_counter: sqlite3.Connection,
) -> None:
    zoe = known["zoe"]
    dialog = open_note(qtbot, window, desk, zoe)
    ctrl_enter(qtbot, dialog.body)
    # The key came back at once: the save waits on a worker, and the dialog says so calmly.
    assert dialog.saving and dialog.isVisible()
    assert dialog.error.isVisible() and dialog.error.text() == WAITING
    assert dialog.error.property("tone") == "muted"
    assert not dialog.body.isEnabled() and not dialog.save_button.isEnabled()
    assert dialog.body.toPlainText() == TYPED
    # The window goes on handling events while the save waits for the lock.
    handled: list[bool] = []
    QTimer.singleShot(0, lambda: handled.append(dialog.saving))
    qtbot.waitUntil(lambda: bool(handled))
    assert handled == [True]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Cancel waits too: the save may still go through
    assert dialog.isVisible() and dialog.saving
    dialog.grab().save("/tmp/uithread_note_waiting.png")
    assert notes_in_file(desk, zoe) == []  # not called saved: it is not committed
    assert dialog.saved is None

    other_counter.execute("ROLLBACK")  # the other counter is done
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert dialog.saved is not None and dialog.saved.body == TYPED
    assert notes_in_file(desk, zoe) == [TYPED]  # once
    # The window's own views heard of it (the Op published its change on the window's Desk).
    window.open_customer(zoe.id)
    assert TYPED in [n.body for n in desk.notes.for_customer(zoe.id)]


def test_a_save_the_lock_outlasts_says_so_keeps_the_text_and_saves_on_the_next_try(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer],
    other_counter: sqlite3.Connection,
) -> None:
    zoe = known["zoe"]
    dialog = open_note(qtbot, window, desk, zoe)
    ctrl_enter(qtbot, dialog.body)
    assert dialog.saving
    qtbot.waitUntil(lambda: not dialog.saving, timeout=20_000)  # the worker's busy timeout ran out
    assert dialog.isVisible() and dialog.saved is None
    assert "busy" in dialog.error.text() and "nothing was lost" in dialog.error.text()
    assert dialog.error.property("tone") == "fieldError"
    assert dialog.body.isEnabled() and dialog.save_button.isEnabled()
    assert dialog.body.toPlainText() == TYPED  # nothing typed is lost
    assert dialog.focusWidget() is dialog.body  # not a focused Cancel that Enter would press
    assert notes_in_file(desk, zoe) == []
    dialog.grab().save("/tmp/uithread_note_busy.png")

    other_counter.execute("ROLLBACK")
    ctrl_enter(qtbot, dialog.body)  # free now: saved at once, as any save
    assert not dialog.isVisible() and dialog.saved is not None
    assert notes_in_file(desk, zoe) == [TYPED]


def test_a_visit_waits_for_the_lock_and_is_logged_once(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer],
    other_counter: sqlite3.Connection,
) -> None:
    zoe = known["zoe"]
    dialog = VisitDialog(window, desk, zoe)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.purpose, "Returned the boots")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saving and dialog.error.text() == WAITING
    assert not dialog.purpose.isEnabled()
    other_counter.execute("ROLLBACK")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    result = dialog.result_value
    assert result is not None and result.visit.purpose == "Returned the boots"
    assert isinstance(desk.target, Path)
    with sqlite3.connect(desk.target) as conn:
        logged = conn.execute("SELECT count(*) FROM visits WHERE customer_id = ? AND purpose = ?",
                              (zoe.id, "Returned the boots")).fetchone()[0]  # fmt: skip
    assert logged == 1


def test_a_new_customer_waits_for_the_lock_and_is_created_once(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer],
    other_counter: sqlite3.Connection,
) -> None:
    from csdesk.ui.dialogs.customer_form import CustomerForm

    form = CustomerForm(window, desk)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    qtbot.keyClicks(form.fields["first_name"], "Imogen")
    qtbot.keyClicks(form.fields["last_name"], "Waterhouse-Lindqvist")
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert form.saving and form.isVisible() and form.general_error.text() == WAITING
    assert not form.fields["first_name"].isEnabled()
    form.reject()  # Cancel waits too
    assert form.isVisible() and form.saved is None
    form.grab().save("/tmp/uithread_customer_waiting.png")
    other_counter.execute("ROLLBACK")
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    assert form.saved is not None and form.saved.last_name == "Waterhouse-Lindqvist"
    assert isinstance(desk.target, Path)
    with sqlite3.connect(desk.target) as conn:
        made = conn.execute("SELECT count(*) FROM customers WHERE last_name = ?",
                            ("Waterhouse-Lindqvist",)).fetchone()[0]  # fmt: skip
    assert made == 1
