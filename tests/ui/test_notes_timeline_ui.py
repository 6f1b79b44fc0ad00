"""Notes with read-before-serving in the banner, Ctrl+Z undo, the lazy Timeline, note matches."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer, SearchHit
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.note_dialog import NoteDialog
from csdesk.ui.main_window import MainWindow
from csdesk.ui.models.roles import SECONDARY_ROLE
from csdesk.ui.models.search_model import SearchResultsModel
from csdesk.ui.models.timeline_model import TimelineModel
from tests.benchmarks.bench_timeline import busy_customer


def in_note_dialog(act: Callable[[NoteDialog], None]) -> list[str]:
    errors: list[str] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, NoteDialog) or not dialog.isActiveWindow():
            QTimer.singleShot(20, run)
            return
        try:
            act(dialog)
        except Exception as exc:
            errors.append(repr(exc))
            dialog.reject()

    QTimer.singleShot(0, run)
    return errors


def test_a_read_before_serving_note_shows_in_the_banner_until_it_expires(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer], clock: object
) -> None:
    window.open_customer(known["zoe"].id)
    banner = window.customer_view.banner
    assert not banner.alerts.isVisibleTo(window)

    def write(d: NoteDialog) -> None:
        qtbot.keyClicks(d.body, "Hard of hearing: face her when you speak <b>")
        d.kind.setCurrentIndex(d.kind.findData("warning"))
        qtbot.keyClick(d.read_first, Qt.Key.Key_Space)
        qtbot.keyClicks(d.expires, "2026-12-05")
        qtbot.keyClick(d.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    errors = in_note_dialog(write)
    qtbot.keyClick(window.search.field, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not errors, errors
    assert banner.alerts.isVisibleTo(window)
    assert "Hard of hearing: face her when you speak <b>" in banner.alert_text.text()
    assert window.customer_view.sections.tabText(1) == "Notes (1)"
    clock.advance(days=6)  # type: ignore[attr-defined]
    window.open_customer(known["zoe"].id)
    assert not banner.alerts.isVisibleTo(window)  # expired on the 5th


def test_a_past_show_until_is_refused_before_saving(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    """It saved without a word and the warning never reached the greeting."""
    window.open_customer(known["zoe"].id)
    shown: list[str] = []

    def write(d: NoteDialog) -> None:
        qtbot.keyClicks(d.body, "Allergic to latex")
        qtbot.keyClick(d.read_first, Qt.Key.Key_Space)
        qtbot.keyClicks(d.expires, "2020-01-01")
        qtbot.keyClick(d.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        shown.append(d.error.text() if d.error.isVisibleTo(d) else "")
        assert d.isVisible() and d.expires.text() == "2020-01-01"  # nothing lost, still open
        d.expires.clear()
        d.save_button.click()

    errors = in_note_dialog(write)
    qtbot.keyClick(window.search.field, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not errors, errors
    assert "2020-01-01 has already passed" in shown[0]
    assert "Allergic to latex" in window.customer_view.banner.alert_text.text()


def test_a_bad_expiry_date_is_explained_and_nothing_is_lost(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    window.open_customer(known["zoe"].id)
    shown: list[str] = []

    def write(d: NoteDialog) -> None:
        qtbot.keyClicks(d.body, "Collects the order on Friday")
        d.read_first.setChecked(True)
        qtbot.keyClicks(d.expires, "2026-02-30")
        qtbot.keyClick(d.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        shown.append(d.error.text())
        assert d.isVisible() and d.body.toPlainText() == "Collects the order on Friday"
        d.expires.clear()
        d.save_button.click()

    errors = in_note_dialog(write)
    qtbot.keyClick(window.search.field, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not errors, errors
    assert "no day 2026-02-30" in shown[0]
    assert [n.body for n in desk.notes.for_customer(known["zoe"].id)] == [
        "Collects the order on Friday"
    ]


def test_delete_a_note_then_ctrl_z_brings_it_back(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    jose = known["jose"]
    window.open_customer(jose.id)
    view = window.customer_view
    view.sections.setCurrentWidget(view.notes)
    notes_list = view.notes.list
    notes_list.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is notes_list)
    first = view.notes.current_note()
    assert first is not None and "latex" in first.body
    qtbot.keyClick(notes_list, Qt.Key.Key_Delete)
    assert [n.id for n in desk.notes.for_customer(jose.id)] != [] and first.id not in [
        n.id for n in desk.notes.for_customer(jose.id)
    ]
    assert not view.banner.alerts.isVisibleTo(window)  # its warning went with it
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    notes_list.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is notes_list)
    qtbot.keyClick(notes_list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert first.id in [n.id for n in desk.notes.for_customer(jose.id)]
    assert view.banner.alerts.isVisibleTo(window)
    assert "Brought back" in window.statusBar().currentMessage()
    # P pins and unpins from the keyboard; the button says which it will do
    notes_list.setCurrentIndex(view.notes_model.index(1, 0))
    assert view.notes.pin_button.text() == "Pin"
    qtbot.keyClick(notes_list, Qt.Key.Key_P)
    assert all(n.pinned for n in desk.notes.for_customer(jose.id))
    assert view.notes.pin_button.text() == "Unpin"


def test_timeline_pages_lazily_through_ten_thousand_entries(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow, desk: Desk
) -> None:
    busy = busy_customer(desk, 10_000)
    checked = TimelineModel(desk, page=60)
    qtmodeltester.check(checked)
    checked.set_customer(busy)
    qtmodeltester.check(checked)

    window.open_customer(busy)
    model = window.customer_view.timeline_model
    assert model.rowCount() == 60  # only the first page
    ats = [model.entry(r).at for r in range(60)]  # type: ignore[union-attr]
    assert ats == sorted(ats, reverse=True)
    panel = window.customer_view.timeline
    qtbot.waitUntil(lambda: panel.list.isVisible())
    panel.list.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 60, timeout=3000)  # the view asked for more
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 10_000 and model.exhausted
    keys = {(e.kind, e.ref_id) for e in (model.entry(r) for r in range(10_000)) if e}
    assert len(keys) == 10_000  # no entry twice, none skipped at page edges

    panel.kind.setCurrentIndex(panel.kind.findText("Notes"))
    assert model.rowCount() == 60 and {model.entry(r).kind for r in range(60)} == {"note"}  # type: ignore[union-attr]
    panel.kind.setCurrentIndex(panel.kind.findText("Calls only"))
    assert all(model.entry(r).title.startswith("Call") for r in range(model.rowCount()))  # type: ignore[union-attr]
    window.open_customer(busy)  # the same customer again keeps the filter...
    assert panel.kind.currentText() == "Calls only"


def test_a_search_hit_found_in_a_note_says_so_with_the_snippet() -> None:
    model = SearchResultsModel("US")
    model.set_hits([
        SearchHit(customer_id=1, display_name="Maria Lopez", phones=(), email="m@example.com",
                  last_visit=None, matched="note", snippet="…allergic to <latex> gloves…"),
        SearchHit(customer_id=2, display_name="Ann Bee", phones=(), email="", last_visit=None,
                  matched="name"),
    ])
    assert model.data(model.index(0, 0), SECONDARY_ROLE) == (
        "matched in a note: “…allergic to <latex> gloves…”  ·  m@example.com"
    )
    assert "note" not in model.data(model.index(1, 0), SECONDARY_ROLE)


def test_enter_on_a_visit_corrects_it_and_delete_then_ctrl_z_restores_it(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    from csdesk.ui.dialogs.visit_dialog import VisitDialog
    from tests.ui.test_visits_feature import in_dialog

    jose = known["jose"]
    window.open_customer(jose.id)
    model = window.customer_view.timeline_model
    timeline = window.customer_view.timeline.list
    row = next(r for r in range(model.rowCount())
               if model.entry(r).title == "In person: fitted walking boots")  # type: ignore[union-attr]
    visit_id = model.entry(row).ref_id  # type: ignore[union-attr]
    timeline.setFocus()
    timeline.setCurrentIndex(model.index(row, 0))
    qtbot.waitUntil(lambda: QApplication.focusWidget() is timeline)

    def correct(d: VisitDialog) -> None:
        assert d.purpose.text() == "fitted walking boots" and d.new_customer_button is None
        d.purpose.selectAll()
        qtbot.keyClicks(d.purpose, "fitted trail shoes")
        qtbot.keyClick(d.purpose, Qt.Key.Key_Return)

    errors = in_dialog(qtbot, correct)
    qtbot.keyClick(timeline, Qt.Key.Key_Return)
    assert not errors, errors
    fixed = desk.visits.get(visit_id)
    assert fixed.purpose == "fitted trail shoes" and fixed.updated_by == desk.actor.id
    assert desk.visits.count(jose.id) == 2  # corrected, not logged twice

    row = next(r for r in range(model.rowCount()) if model.entry(r).ref_id == visit_id)  # type: ignore[union-attr]
    timeline.setCurrentIndex(model.index(row, 0))
    qtbot.waitUntil(window.isActiveWindow)
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_Delete)
    assert desk.visits.count(jose.id) == 1
    assert visit_id not in [model.entry(r).ref_id for r in range(model.rowCount())]  # type: ignore[union-attr]
    qtbot.keyClick(timeline, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert desk.visits.count(jose.id) == 2


def test_ctrl_z_from_the_search_field_undoes_the_delete_not_the_typing(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    jose = known["jose"]
    qtbot.keyClicks(window.search.field, "jos")  # the field now has typing to undo
    window.open_customer(jose.id)
    view = window.customer_view
    view.sections.setCurrentWidget(view.notes)
    notes_list = view.notes.list
    notes_list.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is notes_list)
    first = view.notes.current_note()
    assert first is not None
    qtbot.keyClick(notes_list, Qt.Key.Key_Delete)
    assert first.id not in [n.id for n in desk.notes.for_customer(jose.id)]
    window.search.focus_search()  # where the cursor goes back to after every action
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.field)
    qtbot.keyClick(window.search.field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert first.id in [n.id for n in desk.notes.for_customer(jose.id)]
    assert window.search.field.text() == "jos"  # the search text was left alone
    # New typing is the field's own to undo again.
    qtbot.keyClicks(window.search.field, "e")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.search.field.text() == "jos"
