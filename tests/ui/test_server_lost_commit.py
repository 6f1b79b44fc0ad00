"""A note saved in the window just as the connection is lost around its COMMIT (issue 16.4: a
write in flight is committed or reported as not saved, never half-done, never silently
dropped), with a real window on a real server behind a loopback proxy (tests/net_proxy.py) that
cuts the window's connection exactly there:
- the COMMIT reached the server and only its answer was lost: the dialog says it is finding
  out (not "not saved"), keeps the text and the draft, offers no second Save; the window
  reconnects by itself and the dialog then says it was saved, closes, and the note is there once;
- the COMMIT never reached the server: the dialog then says it was not saved, keeps the text,
  and Save saves it (once);
- a call found saved goes on as any logged call (the timer stops, "Call logged" is said);
- Cancel while it is not known: the window looks on, and drops the draft if it was saved
  (else the draft offered again would save it twice) or says the draft stays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.drafting import FINDING_OUT, NOT_SAVED, WAS_SAVED
from csdesk.ui.dialogs.note_dialog import NoteDialog
from csdesk.ui.dialogs.save_outcome import not_saved, saved_after_all
from csdesk.ui.dialogs.visit_dialog import VisitDialog
from csdesk.ui.features.live import LiveCounters
from csdesk.ui.features.visits import VisitsFeature
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme
from tests.net_proxy import NetProxy, proxied_database
from tests.pg_cluster import PgCluster

BODY = "Wants the winter tyres fitted before Friday"


@pytest.fixture
def window(qtbot: QtBot, pg_cluster: PgCluster) -> Iterator[tuple[MainWindow, Desk, NetProxy, int]]:
    """A window through the proxy, a Desk straight to the server, and Maria's id."""
    with proxied_database(pg_cluster) as (direct, via_proxy, proxy):
        other = Desk.open(direct, computer="Counter 2")
        maria = other.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_theme(app)
        desk = Desk.open(via_proxy, computer="Counter 1")
        win = MainWindow(desk)
        qtbot.addWidget(win)
        try:
            win.show()
            qtbot.waitExposed(win)
            live = win.feature(LiveCounters)
            qtbot.waitUntil(lambda: live.listener is not None and live.listener.listening,
                            timeout=10000)
            win.open_customer(maria.id)
            yield win, other, proxy, maria.id
        finally:
            proxy.resume()
            win.teardown()
            desk.close()
            other.close()


def _stored(other: Desk) -> int:
    return int(other.db.execute("SELECT count(*) FROM notes WHERE body = ?", [BODY]).fetchone()[0])


def _note_saved_across_a_cut(
    qtbot: QtBot, win: MainWindow, proxy: NetProxy, reached: bool
) -> NoteDialog:
    """A note typed for the open customer and saved while the proxy cuts the connection around
    its COMMIT: after the COMMIT's answer (reached) or instead of the COMMIT."""
    customer = win.customer_view.customer
    assert customer is not None
    note = NoteDialog(win, win.desk, customer)
    note.show()
    qtbot.keyClicks(note.body, BODY)
    marker = b"INSERT INTO notes"
    cut = proxy.lose_commit_reply(marker) if reached else proxy.lose_commit(marker)
    qtbot.mouseClick(note.save_button, Qt.MouseButton.LeftButton)
    assert cut.wait(5), note.error.text()
    return note


@pytest.mark.parametrize("reached", [True, False], ids=["answer-lost", "commit-lost"])
def test_a_save_cut_around_its_commit_is_told_truthfully(
    qtbot: QtBot, window: tuple[MainWindow, Desk, NetProxy, int], reached: bool
) -> None:
    win, other, proxy, maria = window
    desk = win.desk
    note = _note_saved_across_a_cut(qtbot, win, proxy, reached)
    try:
        # Not "not saved": it is not known yet, and nothing may be saved twice meanwhile.
        assert note.error.text() == FINDING_OUT and note.isVisible()
        assert not note.save_button.isEnabled()
        qtbot.keyClick(note.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert note.body.toPlainText() == BODY
        assert desk.drafts.get("note", maria) is not None  # kept until the outcome is known

        if reached:
            # the window reconnects by itself; the dialog learns it was saved and closes
            qtbot.waitUntil(lambda: not note.isVisible(), timeout=15000)
            assert note.result() == QDialog.DialogCode.Accepted
            # its result is the saved note, as after a normal save (NoteDialog.ask returns it)
            assert note.saved is not None and note.saved.body == BODY
            assert win.statusBar().currentMessage() == WAS_SAVED
            assert desk.drafts.get("note", maria) is None
            assert _stored(other) == 1
        else:
            qtbot.waitUntil(lambda: note.error.text() == NOT_SAVED, timeout=15000)
            assert note.isVisible() and note.save_button.isEnabled()
            assert note.body.toPlainText() == BODY
            assert _stored(other) == 0
            qtbot.mouseClick(note.save_button, Qt.MouseButton.LeftButton)  # now it saves
            assert note.saved is not None and note.saved.body == BODY
            assert _stored(other) == 1
        # the window's own connection works again, and its notes list shows the note
        assert any(n.body == BODY for n in desk.notes.for_customer(maria))
    finally:
        note.close()


PURPOSE = "Asked whether the boots come in a 46"


def _stop_if_stuck() -> None:
    """A dialog still open long after the server is back: closed, so the test fails, not hangs."""
    stuck = QApplication.activeModalWidget()
    if isinstance(stuck, VisitDialog):
        stuck.reject()


def test_a_call_found_saved_after_a_lost_answer_is_logged_as_any_call(
    qtbot: QtBot, window: tuple[MainWindow, Desk, NetProxy, int]
) -> None:
    win, other, proxy, maria = window
    visits = win.feature(VisitsFeature)
    win.start_call(maria)  # Maria rang: the timer runs
    assert visits.calls.running
    cut = proxy.lose_commit_reply(b"INSERT INTO visits")
    typed: list[bool] = []

    def log() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, VisitDialog) or not dialog.isActiveWindow():
            QTimer.singleShot(20, log)
            return
        qtbot.keyClicks(dialog.purpose, PURPOSE)
        qtbot.keyClick(dialog.purpose, Qt.Key.Key_Return)
        typed.append(dialog.outcome_pending)  # the answer was lost: not known yet
        QTimer.singleShot(20000, _stop_if_stuck)

    QTimer.singleShot(0, log)
    qtbot.keyClick(win.search.field, Qt.Key.Key_F7)  # log the call; back once the dialog closes
    assert typed == [True] and cut.is_set()
    # Saved after all: the same as after a normal save, not as a Cancel.
    assert not visits.calls.running
    assert win.statusBar().currentMessage().startswith("Call logged for Maria Lopez")
    found = other.db.execute("SELECT count(*) FROM visits WHERE purpose = ?", [PURPOSE])
    assert found.fetchone()[0] == 1


@pytest.mark.parametrize("reached", [True, False], ids=["answer-lost", "commit-lost"])
def test_cancel_while_the_outcome_is_unknown_leaves_the_looking_to_the_window(
    qtbot: QtBot, window: tuple[MainWindow, Desk, NetProxy, int], reached: bool
) -> None:
    win, other, proxy, maria = window
    desk = win.desk
    note = _note_saved_across_a_cut(qtbot, win, proxy, reached)
    try:
        assert note.outcome_pending
        # the window came forward as it lost the server; the person clicks back into the note
        note.activateWindow()
        qtbot.waitUntil(note.isActiveWindow, timeout=5000)
        qtbot.keyClick(note.body, Qt.Key.Key_Escape)  # Cancel before the outcome is known
        assert not note.isVisible()
        assert desk.drafts.get("note", maria) is not None  # all there is if it was not saved
        said = saved_after_all("note") if reached else not_saved("note")
        qtbot.waitUntil(lambda: win.statusBar().currentMessage() == said, timeout=15000)
        if reached:
            # saved: the kept draft goes, so it is never offered again and saved twice
            assert desk.drafts.get("note", maria) is None
            assert _stored(other) == 1
            model = win.customer_view.notes_model  # the views were told: the list shows it
            qtbot.waitUntil(lambda: any((n := model.note(r)) is not None and n.body == BODY
                                        for r in range(model.rowCount())), timeout=5000)
        else:
            draft = desk.drafts.get("note", maria)
            assert draft is not None and draft.fields["body"] == BODY
            assert _stored(other) == 0
    finally:
        note.close()
