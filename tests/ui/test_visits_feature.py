"""pytest-qt on the real window: log a visit by keyboard, time a call, walk-ins, drafts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from csdesk.domain import Channel, Customer, CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.customer_form import CustomerForm
from csdesk.ui.dialogs.restore_drafts import DraftChoice, RestoreDrafts
from csdesk.ui.dialogs.visit_dialog import VisitDialog
from csdesk.ui.features.visits import VisitsFeature
from csdesk.ui.main_window import MainWindow
from tests.ui.conftest import type_search


def feature(window: MainWindow) -> VisitsFeature:
    found = window.findChild(VisitsFeature, "visitsFeature")
    assert isinstance(found, VisitsFeature)
    return found


def in_dialog(qtbot: QtBot, act: Callable[[VisitDialog], None]) -> list[str]:
    """Run `act` on the visit dialog once it is up (it is modal: exec() does not return)."""
    errors: list[str] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, VisitDialog) or not dialog.isActiveWindow():
            QTimer.singleShot(20, run)
            return
        try:
            act(dialog)
        except Exception as exc:  # surfaced by the caller: an assert inside a modal loop
            errors.append(repr(exc))
            dialog.reject()

    QTimer.singleShot(0, run)
    return errors


class Keys:
    """Counts the keys a person presses besides the text they type."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.count = 0

    def press(self, widget: QWidget, key: Qt.Key,
              mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.count += 1
        self.qtbot.keyClick(widget, key, mod)


def test_keyboard_only_find_log_a_visit_and_back_in_few_keys(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    jose = known["jose"]
    keys = Keys(qtbot)
    type_search(qtbot, window, "pep")  # three letters of the name: typed text, not counted
    hits = [window.search.model.hit(r) for r in range(window.search.model.rowCount())]
    target = [h.customer_id for h in hits if h].index(jose.id)
    for _ in range(target):
        keys.press(window.search.field, Qt.Key.Key_Down)
    keys.press(window.search.field, Qt.Key.Key_Return)
    assert window.customer_view.customer is not None
    assert window.customer_view.customer.id == jose.id

    def log(dialog: VisitDialog) -> None:
        assert QApplication.focusWidget() is dialog.purpose  # ready to type
        assert dialog.channel.currentData() == Channel.IN_PERSON.value
        qtbot.keyClicks(dialog.purpose, "resoled hiking boots")
        keys.press(dialog.purpose, Qt.Key.Key_Return)

    errors = in_dialog(qtbot, log)
    keys.press(QApplication.focusWidget() or window, Qt.Key.Key_F5)
    assert not errors, errors
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)  # the window is back
    keys.press(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.field)
    assert window.search.field.text() == ""
    last = desk.visits.last(jose.id)
    assert last is not None and last.purpose == "resoled hiking boots"
    assert last.channel == Channel.IN_PERSON
    print(f"\nkeystrokes besides typed text: {keys.count} (limit 12)")
    assert keys.count <= 12


def test_f5_offers_the_shops_purposes_and_keeps_satisfaction(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    window.open_customer(known["zoe"].id)
    seen: list[list[str]] = []

    def log(dialog: VisitDialog) -> None:
        qtbot.keyClicks(dialog.purpose, "fitt")
        seen.append(dialog._suggestions.stringList())
        dialog.completer.popup().hide()  # type: ignore[union-attr]
        dialog.purpose.setText("fitted walking boots")
        qtbot.keyClicks(dialog.outcome, "happy with size 9")
        dialog.satisfaction.setFocus()
        qtbot.keyClick(dialog.satisfaction, Qt.Key.Key_5)
        qtbot.keyClick(dialog.outcome, Qt.Key.Key_Return)

    errors = in_dialog(qtbot, log)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F5)
    assert not errors, errors
    assert seen and "fitted walking boots" in seen[0]
    visit = desk.visits.last(known["zoe"].id)
    assert visit is not None
    assert (visit.purpose, visit.outcome, visit.satisfaction) == (
        "fitted walking boots", "happy with size 9", 5,
    )
    assert window.customer_view.timeline_model.entry(0).title.endswith("fitted walking boots")  # type: ignore[union-attr]


def test_a_call_from_caller_id_is_timed_and_logged_with_its_length(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    now = [1000.0]
    calls = feature(window).calls
    calls.clock = lambda: now[0]
    window.start_call(known["jose"].id)  # what the caller-ID feature calls
    label = feature(window).call_label
    assert window.customer_view.customer is not None
    assert label.isVisibleTo(window) and "00:00" in label.text() and "Pepe" in label.text()
    now[0] += 135
    calls.tick.timeout.emit()  # a second's tick, without waiting for it
    assert "02:15" in label.text()
    shown: list[str] = []

    def log(dialog: VisitDialog) -> None:
        assert dialog.channel.currentData() == Channel.PHONE.value
        assert dialog.direction.currentData() == "in"
        shown.append(dialog.timer_label.text())
        qtbot.keyClicks(dialog.purpose, "asked about a warranty")
        qtbot.keyClick(dialog.purpose, Qt.Key.Key_Return)

    errors = in_dialog(qtbot, log)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F5)  # F5 during a call: the phone channel
    assert not errors, errors
    assert "02:15" in shown[0]
    call = desk.visits.last(known["jose"].id)
    assert call is not None and call.is_call
    assert (call.duration_s, call.direction, call.purpose) == (135, "in", "asked about a warranty")
    assert not calls.running and not label.isVisibleTo(window)


def test_f6_times_an_outgoing_call_and_f7_logs_it(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    now = [50.0]
    calls = feature(window).calls
    calls.clock = lambda: now[0]
    window.open_customer(known["zoe"].id)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F6)
    assert calls.running and calls.direction == "out"
    now[0] += 42

    def log(dialog: VisitDialog) -> None:
        assert dialog.direction.currentData() == "out"
        qtbot.keyClick(dialog.purpose, Qt.Key.Key_Return)  # nothing to add: just the call

    errors = in_dialog(qtbot, log)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F7)
    assert not errors, errors
    call = desk.visits.last(known["zoe"].id)
    assert call is not None and (call.duration_s, call.direction) == (42, "out")
    # F6 twice stops a call without logging it
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F6)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F6)
    assert not calls.running and "stopped" in window.statusBar().currentMessage()


def test_a_walk_in_is_logged_then_becomes_a_customer(
    qtbot: QtBot, window: MainWindow, desk: Desk, monkeypatch: object
) -> None:
    assert window.customer_view.customer is None
    made: list[int] = []

    def fake_form(cls: object, parent: object, d: Desk, *a: object, **k: object) -> Customer:
        created = d.customers.create(CustomerDraft(first_name="Wanda", last_name="Walkin"))
        made.append(created.id)
        return created

    monkeypatch.setattr(CustomerForm, "ask", classmethod(fake_form))  # type: ignore[attr-defined]

    def log(dialog: VisitDialog) -> None:
        assert "walk-in" in dialog.heading.text()
        qtbot.keyClicks(dialog.purpose, "asked for directions <script>")
        qtbot.keyClick(dialog.purpose, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)

    errors = in_dialog(qtbot, log)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F5)
    assert not errors, errors
    assert made
    visit = desk.visits.last(made[0])
    assert visit is not None and visit.purpose == "asked for directions <script>"
    assert window.customer_view.customer is not None
    assert window.customer_view.customer.id == made[0]


def test_a_half_typed_visit_comes_back_after_a_restart(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer], monkeypatch: object
) -> None:
    window.open_customer(known["jose"].id)

    def type_then_crash(d: VisitDialog) -> None:
        qtbot.keyClicks(d.purpose, "returns a torn jacket")
        qtbot.waitUntil(lambda: d.draft.saves > 0, timeout=3000)  # the debounce fired
        QDialog.done(d, 0)  # gone without Save or Cancel, as in a power cut

    errors = in_dialog(qtbot, type_then_crash)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F5)
    assert not errors, errors
    assert [d.fields["purpose"] for d in desk.drafts.pending()] == ["returns a torn jacket"]

    asked: list[list[str]] = []
    monkeypatch.setattr(  # type: ignore[attr-defined]
        RestoreDrafts, "ask",
        classmethod(lambda cls, parent, lines: asked.append(lines) or DraftChoice.RESTORE),
    )
    restored: list[str] = []

    def finish(d: VisitDialog) -> None:
        restored.append(d.purpose.text())
        qtbot.keyClick(d.purpose, Qt.Key.Key_Return)

    errors = in_dialog(qtbot, finish)
    window.close()
    assert desk.path is not None
    desk2 = Desk.open(desk.path, clock=desk.clock)  # the next start
    again = MainWindow(desk2)
    qtbot.waitUntil(lambda: bool(restored), timeout=5000)
    assert not errors, errors
    assert asked and "a visit for José García Márquez" in asked[0][0]
    assert restored == ["returns a torn jacket"]
    last = desk.visits.last(known["jose"].id)
    assert last is not None and last.purpose == "returns a torn jacket"
    assert desk.drafts.pending() == []  # saved: the safety copy is gone
    again.teardown()
    again.close()
    again.deleteLater()
    qtbot.waitUntil(lambda: not desk2.drafts.pending())
    qtbot.wait(50)  # the deferred delete, while desk2 is still open
    desk2.close()


def test_background_checkpoints_run_with_the_window_and_stop_on_close(
    window: MainWindow, desk: Desk
) -> None:
    assert desk._checkpointer is not None
    window.close()
    assert desk._checkpointer is None


def test_enter_saves_even_while_suggestions_are_open(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    window.open_customer(known["zoe"].id)
    popup_seen: list[bool] = []

    def log(dialog: VisitDialog) -> None:
        qtbot.keyClicks(dialog.purpose, "fitted")
        popup = dialog.completer.popup()
        popup_seen.append(popup is not None and popup.isVisible())
        qtbot.keyClick(popup or dialog.purpose, Qt.Key.Key_Return)  # keys go to the open popup
        if dialog.isVisible():
            popup_seen.append(False)
            dialog.reject()

    errors = in_dialog(qtbot, log)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F5)
    assert not errors, errors
    assert popup_seen == [True]  # the popup was open, and one Enter saved
    visit = desk.visits.last(known["zoe"].id)
    assert visit is not None and visit.purpose == "fitted"  # what was typed, not a guess


def test_down_then_enter_takes_a_suggestion_and_enter_again_saves(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    window.open_customer(known["zoe"].id)

    def log(dialog: VisitDialog) -> None:
        qtbot.keyClicks(dialog.purpose, "walk")
        popup = dialog.completer.popup()
        assert popup is not None and popup.isVisible()
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
        assert dialog.purpose.text() == "fitted walking boots"  # a later word matched
        qtbot.keyClick(dialog.purpose, Qt.Key.Key_Return)

    errors = in_dialog(qtbot, log)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F5)
    assert not errors, errors
    visit = desk.visits.last(known["zoe"].id)
    assert visit is not None and visit.purpose == "fitted walking boots"
