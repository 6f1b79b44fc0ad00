"""A save whose COMMIT's answer was lost waits for its outcome (DraftDialog.await_outcome). The
look (Desk.outcome) runs on the UI thread with the window's answer deadline: when the server is
slow to answer that look, the statement is cancelled, which says nothing about the save. The
dialog must go on waiting with Save disabled, not show "nothing was changed. Try again" with
Save enabled (the save may have gone through: saving again would save it twice)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft
from csdesk.errors import SaveUncertain
from csdesk.services.desk import Desk
from csdesk.store.server.sql import PendingWrite
from csdesk.ui.dialogs.drafting import FINDING_OUT, WAS_SAVED
from csdesk.ui.dialogs.note_dialog import NoteDialog

# The server's own pg_xact_status, made slow for this session only: a function of the same name
# in public, found first once public precedes pg_catalog on this connection's search_path.
SLOW_STATUS = (
    "CREATE FUNCTION public.pg_xact_status(xid8) RETURNS text LANGUAGE sql "
    "AS $$ SELECT 'committed' FROM pg_sleep(5) $$"
)


@pytest.mark.own_database
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_slow_look_at_a_lost_saves_outcome_keeps_waiting(qtbot: QtBot, db_target: str) -> None:
    desk = Desk.open(db_target)
    try:
        maria = desk.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
        # A transaction the server has committed, standing for the save whose answer was lost.
        xid = desk.db.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
        pid = desk.db.execute("SELECT pg_backend_pid()").fetchone()[0]
        ref = PendingWrite(str(xid), int(pid))
        desk.db.execute(SLOW_STATUS)
        desk.db.execute("SET search_path = public, pg_catalog")
        desk.expect_answers_within(0.3)  # the window's deadline, shorter for the test

        note = NoteDialog(None, desk, maria)
        qtbot.addWidget(note)
        note.show()
        qtbot.keyClicks(note.body, "Prefers morning calls")
        note.await_outcome(SaveUncertain("lost", ref=ref), note.save_button)
        assert note._outcome_timer is not None
        note._outcome_timer.stop()  # looked at by hand below, not by the clock

        note._check_outcome()  # the look is cancelled: the server took too long
        assert note.outcome_pending
        assert note.error.text() == FINDING_OUT
        assert not note.save_button.isEnabled()
        qtbot.keyClick(note.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert note.saved is None and note.isVisible()  # Ctrl+Enter saves nothing meanwhile

        desk.db.execute("RESET search_path")  # the server answers the next look in time
        note._check_outcome()
        assert not note.outcome_pending
        assert not note.isVisible()  # it was saved: the dialog closes
        assert note.error.text() == WAS_SAVED
    finally:
        desk.close()
