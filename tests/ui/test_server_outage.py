"""The server goes away and comes back (issue 16.4), with a real window on a real server of
this test's own (it is killed here: `pg_ctl stop -m immediate`, as in a power cut) while another
counter keeps writing: the window says so within 5 s in one line, keeps what was typed, offers
no action that cannot work, says "not saved" for a save tried meanwhile; after the restart it
reconnects and shows what was written meanwhile without anyone touching it; no committed row is
lost."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft
from csdesk.errors import CsdeskError
from csdesk.services.desk import Desk
from csdesk.services.server import init_server
from csdesk.ui.dialogs.note_dialog import NoteDialog
from csdesk.ui.features.live import LiveCounters
from csdesk.ui.features.outage import LINE, Outage
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme
from csdesk.ui.workers import SEARCH_WAITS
from tests.pg_cluster import PgCluster


@pytest.fixture
def own_server() -> Iterator[tuple[PgCluster, str]]:
    """A server for this test alone (it is killed and started again); commits are durable to
    the OS (synchronous_commit on), so a crash loses no acknowledged commit."""
    cluster = PgCluster(settings={"synchronous_commit": "on"}).start()
    try:
        url = cluster.url(cluster.new_database())
        init_server(url)
        yield cluster, url
    finally:
        cluster.destroy()


class Writer(threading.Thread):
    """Another counter logging visits as fast as it can, on its own connection: what it was told
    was committed, and what it was told was not saved."""

    def __init__(self, url: str, customer_id: int) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.customer_id = customer_id
        self.committed: list[int] = []
        self.purposes: list[str] = []  # of the committed visits, in order
        self.refused: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        desk = Desk.open(self.url, computer="Counter 2")
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                try:
                    visit = desk.visits.log(self.customer_id, purpose=f"writer {n}")
                    self.committed.append(visit.id)
                    self.purposes.append(f"writer {n}")
                except CsdeskError as exc:
                    self.refused.append(str(exc))
                    time.sleep(0.2)
                    with contextlib.suppress(CsdeskError):
                        desk.reconnect()
                time.sleep(0.02)
        finally:
            with contextlib.suppress(Exception):  # a connection the server killed: gone anyway
                desk.close()


def _titles(win: MainWindow) -> list[str]:
    model = win.customer_view.timeline_model
    return [model.entry(r).title for r in range(model.rowCount())]  # type: ignore[union-attr]


def test_the_server_killed_during_writes_then_back(
    qtbot: QtBot, own_server: tuple[PgCluster, str]
) -> None:
    cluster, url = own_server
    seed = Desk.open(url)
    maria = seed.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
    seed.visits.log(maria.id, purpose="first visit")
    seed.close()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    desk = Desk.open(url, computer="Counter 1")
    win = MainWindow(desk)
    qtbot.addWidget(win)
    writer = Writer(url, maria.id)
    note: NoteDialog | None = None
    try:
        win.show()
        qtbot.waitExposed(win)
        live = win.feature(LiveCounters)
        outage = win.feature(Outage)
        qtbot.waitUntil(lambda: live.listener is not None and live.listener.listening, timeout=10000)
        win.open_customer(maria.id)
        assert maria.id == win.customer_view.customer.id  # type: ignore[union-attr]
        note = NoteDialog(win, desk, maria)
        note.show()
        qtbot.keyClicks(note.body, "Wants the winter tyres fitted before Friday")
        writer.start()
        qtbot.waitUntil(lambda: len(writer.committed) >= 5, timeout=15000)
        qtbot.keyClicks(win.search.field, "Lop")  # typed while the server goes away

        cluster.kill()
        killed_at = time.monotonic()
        qtbot.waitUntil(lambda: outage.showing, timeout=5000)
        assert time.monotonic() - killed_at < 5.0
        assert outage.line.text() == LINE and outage.line.isVisible()
        win.grab().save("/tmp/livepg-outage.png")  # to look at: one calm line, nothing covered
        assert win.search.field.text() == "Lop"  # nothing typed is lost
        assert note.body.toPlainText() == "Wants the winter tyres fitted before Friday"
        assert not win.new_action.isEnabled() and win.quit_action.isEnabled()
        qtbot.keyClicks(win.search.field, "ez")  # typing on: the list says it waits, briefly
        qtbot.waitUntil(lambda: win.search.status.text() == SEARCH_WAITS, timeout=10000)
        assert win.search.field.text() == "Lopez"
        qtbot.mouseClick(note.save_button, Qt.MouseButton.LeftButton)  # a save tried meanwhile
        assert "not saved" in note.error.text() and note.isVisible()
        assert note.body.toPlainText() == "Wants the winter tyres fitted before Friday"
        qtbot.waitUntil(lambda: bool(writer.refused), timeout=10000)
        during = len(writer.committed)

        cluster.start_again()
        qtbot.waitUntil(lambda: not outage.showing, timeout=30000)  # nobody touched anything
        assert win.new_action.isEnabled()
        qtbot.waitUntil(lambda: "found" in win.search.status.text(), timeout=10000)  # searching again
        qtbot.waitUntil(lambda: len(writer.committed) >= during + 3, timeout=15000)
        writer.stop.set()
        writer.join(10)
        newest, purpose = writer.committed[-1], writer.purposes[-1]
        # what the other counter wrote after the restart shows here by itself
        qtbot.waitUntil(lambda: any(t.endswith(purpose) for t in _titles(win)[:5]), timeout=5000)
        # the save tried during the outage works now, with the text it kept
        qtbot.mouseClick(note.save_button, Qt.MouseButton.LeftButton)
        assert note.saved is not None and "winter tyres" in note.saved.body
        for message in writer.refused:
            assert "not saved" in message or "Cannot reach the PostgreSQL server" in message, message
        check = Desk.open(url)
        try:
            stored = {int(r[0]) for r in check.db.execute(
                "SELECT id FROM visits WHERE customer_id = ?", [maria.id]).fetchall()}
        finally:
            check.close()
        assert set(writer.committed) <= stored  # no committed row lost
        assert newest in stored
    finally:
        writer.stop.set()
        if writer.is_alive():
            writer.join(10)
        if note is not None:
            note.close()
        win.teardown()
        desk.close()

