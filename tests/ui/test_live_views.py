"""Screens follow the database: a real window at counter 1, writes from a second connection (a
Desk at counter 2) or the CLI in-process. Each view the issue lists shows the write within 1 s,
keeps the chosen row and the scroll position, and leaves half-typed text alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.cli import main
from csdesk.domain import Channel, Customer, CustomerDraft, IssueDraft
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.daily_log import DailyLogDialog
from csdesk.ui.features.daily_log import DayFeature
from csdesk.ui.features.issues import IssuesFeature
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme
from tests.conftest import ENGINES, FakeClock

WITHIN_MS = 1000  # the issue's promise

pytestmark = pytest.mark.parametrize("engine", ENGINES, indirect=True)  # file and server


@pytest.fixture
def counters(
    qtbot: QtBot, db_target: Path | str, clock: FakeClock
) -> Iterator[tuple[MainWindow, Desk, Customer]]:
    """Counter 1's window and counter 2's Desk (another connection to the same file, or to the
    same server, where the window is told by NOTIFY)."""
    db_path = db_target
    setup = Desk.open(db_path, clock=clock)
    maria = setup.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
    for n in range(40):  # enough issues and events that the lists scroll
        other = setup.customers.create(CustomerDraft(first_name=f"Person{n:02d}", last_name="Ng"))
        setup.issues.log(IssueDraft(customer_id=other.id, title=f"parcel {n:02d}"))
        setup.visits.log(other.id, purpose=f"visit {n:02d}")
    setup.close()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    win = MainWindow(Desk.open(db_path, clock=clock, computer="Counter 1"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.search.shown_query is not None, timeout=5000)
    two = Desk.open(db_path, clock=clock, computer="Counter 2")
    yield win, two, maria
    win.teardown()
    win.desk.close()
    two.close()


def test_the_open_customers_tabs_and_the_due_count_follow_the_other_counter(
    qtbot: QtBot, counters: tuple[MainWindow, Desk, Customer], clock: FakeClock
) -> None:
    win, two, maria = counters
    win.open_customer(maria.id)
    issues = win.feature(IssuesFeature)
    sections = win.customer_view.sections
    assert sections.tabText(issues.tab_index) == "Issues"
    due_before = issues.due_button.text()
    two.issues.log(IssueDraft(customer_id=maria.id, title="wrong size boots"))
    qtbot.waitUntil(lambda: sections.tabText(issues.tab_index) == "Issues (1)", timeout=WITHIN_MS)
    assert "wrong size boots" in win.customer_view.banner.extra_text()  # the greeting says so
    two.notes.add(maria.id, "Prefers a call after 5")
    notes = win.customer_view.notes
    qtbot.waitUntil(
        lambda: any("after 5" in str(notes.list.model().index(r, 0).data())
                    for r in range(notes.list.model().rowCount())),
        timeout=WITHIN_MS,
    )
    two.followups.add(maria.id, "Call Maria back", clock() + timedelta(hours=1))
    qtbot.waitUntil(lambda: issues.due_button.text() != due_before, timeout=WITHIN_MS)
    assert issues.due_button.text().startswith("Follow-ups due today: 1")


def test_the_issue_list_follows_keeping_the_chosen_issue_and_the_scroll(
    qtbot: QtBot, counters: tuple[MainWindow, Desk, Customer]
) -> None:
    win, two, maria = counters
    qtbot.keyClick(win, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    issue_list = win.feature(IssuesFeature).list
    qtbot.waitUntil(issue_list.isVisible, timeout=2000)
    view, model = issue_list.view, issue_list.model
    total = model.total
    view.setFocus()
    for _ in range(25):  # down the list by keyboard, far enough to scroll
        qtbot.keyClick(view, Qt.Key.Key_Down)
    chosen = model.issue_row(view.currentIndex().row())
    assert chosen is not None
    scroll = view.verticalScrollBar().value()
    assert scroll > 0
    two.issues.log(IssueDraft(customer_id=maria.id, title="a new one at counter 2"))
    qtbot.waitUntil(lambda: model.total == total + 1, timeout=WITHIN_MS)
    now = model.issue_row(view.currentIndex().row())
    assert now is not None and now.issue.id == chosen.issue.id  # the same issue chosen
    assert abs(view.verticalScrollBar().value() - scroll) <= 1  # and no jump
    # the CLI in-process is an outside writer too
    try:
        main(["--db", str(win.desk.target), "issue", "new", "--customer", str(maria.id),
              "--title", "from the command line"])
    except SystemExit as exc:
        assert not exc.code
    qtbot.waitUntil(lambda: model.total == total + 2, timeout=WITHIN_MS)
    assert model.issue_row(view.currentIndex().row()).issue.id == chosen.issue.id  # type: ignore[union-attr]


def test_the_daily_log_follows_keeping_its_place_and_names_the_counter(
    qtbot: QtBot, counters: tuple[MainWindow, Desk, Customer]
) -> None:
    win, two, maria = counters
    qtbot.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialog = win.feature(DayFeature).dialog
    assert isinstance(dialog, DailyLogDialog)
    qtbot.waitExposed(dialog)
    table, model = dialog.table, dialog.model
    count = model.total
    table.setFocus()
    for _ in range(30):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    row = table.currentIndex().row()
    chosen = model.log_event(row)
    assert chosen is not None and row > 0
    scroll = table.verticalScrollBar().value()
    assert scroll > 0
    two.visits.log(maria.id, channel=Channel.PHONE, purpose="asked about the boots")
    qtbot.waitUntil(lambda: model.total == count + 1, timeout=WITHIN_MS)
    assert f"{count + 1} events" in dialog.heading.text()
    now = model.log_event(table.currentIndex().row())
    assert now is not None and (now.kind, now.ref) == (chosen.kind, chosen.ref)
    assert abs(table.verticalScrollBar().value() - scroll) <= 1
    last = model.log_event(model.rowCount() - 1)
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
    last = model.log_event(model.rowCount() - 1)
    assert last is not None and last.kind == "call"
    assert model.index(model.rowCount() - 1, 3).data() == "Front desk · Counter 2"
    dialog.grab().save("/tmp/live-daily-log.png")


def test_search_results_follow_without_losing_the_chosen_row_or_a_half_typed_visit(
    qtbot: QtBot, counters: tuple[MainWindow, Desk, Customer]
) -> None:
    from csdesk.ui.dialogs.visit_dialog import VisitDialog

    win, two, maria = counters
    qtbot.keyClicks(win.search.field, "Ng")
    qtbot.waitUntil(lambda: win.search.shown_query == "Ng", timeout=3000)
    results = win.search.results
    for _ in range(5):
        qtbot.keyClick(results, Qt.Key.Key_Down)
    chosen = win.search.model.hit(results.currentIndex().row())
    assert chosen is not None
    win.open_customer(maria.id)
    dialog = VisitDialog(win, win.desk, win.customer_view.customer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.purpose, "half typed at counter 1")
    renamed = two.customers.get(chosen.customer_id)
    two.customers.update(
        renamed.id, CustomerDraft(first_name="Renamed", last_name="Ng"), version=renamed.version
    )
    two.visits.log(maria.id, purpose="logged at counter 2")
    qtbot.waitUntil(
        lambda: (hit := win.search.model.hit(results.currentIndex().row())) is not None
        and hit.display_name.startswith("Renamed"),
        timeout=WITHIN_MS * 2,  # the search re-runs on its worker after the change arrives
    )
    assert win.search.model.hit(results.currentIndex().row()).customer_id == chosen.customer_id  # type: ignore[union-attr]
    assert dialog.isVisible() and dialog.purpose.text() == "half typed at counter 1"
