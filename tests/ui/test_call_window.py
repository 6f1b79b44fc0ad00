"""The window during a call (issue 13.14): one status text at a time, quitting asks first, no
literal backticks, and names in every script of the demo drawn with a real font."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from csdesk.domain import Channel, Customer, CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.caller import handle_request
from csdesk.ui.dialogs.first_run import FirstRunDialog
from csdesk.ui.dialogs.unlogged_call import CallChoice, UnloggedCall
from csdesk.ui.dialogs.visit_dialog import VisitDialog
from csdesk.ui.features.visits import VisitsFeature
from csdesk.ui.fonts import font_hint, missing_scripts
from csdesk.ui.main_window import MainWindow
from tests.ui.test_visits_feature import in_dialog

SHOTS = Path(os.environ.get("CSDESK_SHOTS", "/tmp/csdesk-shots"))


def feature(window: MainWindow) -> VisitsFeature:
    found = window.findChild(VisitsFeature, "visitsFeature")
    assert isinstance(found, VisitsFeature)
    return found


def test_one_status_text_at_a_time(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer]
) -> None:
    visits = feature(window)
    bar = window.statusBar()
    answer = handle_request(window, {"action": "call", "number": "+15550104477"})
    assert answer["shown"] == "customer"
    label = visits.call_label
    assert label.isVisible() and "on the phone with" in label.text()
    assert bar.currentMessage() == ""  # the timer names the caller; nothing drawn on top of it
    bar.showMessage("Backed up to csdesk-2026-11-30.db.", 60000)
    visits.calls.tick.timeout.emit()  # a second later the timer refreshes its text
    assert bar.currentMessage() and not label.isVisible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    bar.grab().save(str(SHOTS / "call_status_message.png"))
    bar.clearMessage()
    assert label.isVisible()
    visits.calls.tick.timeout.emit()
    assert label.isVisible()
    bar.grab().save(str(SHOTS / "call_status_timer.png"))


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """What UnloggedCall asked; the answer each test wants is put first in the list."""
    seen: list[dict[str, object]] = [{"answer": CallChoice.CANCEL}]

    def ask(cls: object, parent: object, **kwargs: object) -> CallChoice:
        seen.append(kwargs)
        answer = seen[0]["answer"]
        assert isinstance(answer, CallChoice)
        return answer

    monkeypatch.setattr(UnloggedCall, "ask", classmethod(ask))
    return seen


def quit_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.search.field, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_q_during_a_call_asks_and_cancel_keeps_the_window(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer], asked: list[dict[str, object]]
) -> None:
    window.guard_close = True  # as app.main sets it
    window.start_call(known["jose"].id)
    quit_by_keyboard(qtbot, window)
    assert len(asked) == 2 and asked[1]["can_log"] is True
    assert "Pepe" in str(asked[1]["who"])
    assert window.isVisible() and feature(window).calls.running
    window.guard_close = False  # so the test's teardown can close it


def test_discard_closes_and_stops_the_timer(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer], asked: list[dict[str, object]]
) -> None:
    window.guard_close = True
    asked[0]["answer"] = CallChoice.DISCARD
    window.start_call(known["jose"].id)
    quit_by_keyboard(qtbot, window)
    assert not window.isVisible() and not feature(window).calls.running


def test_log_the_call_logs_it_for_the_caller_then_closes(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    asked: list[dict[str, object]],
) -> None:
    window.guard_close = True
    asked[0]["answer"] = CallChoice.LOG
    window.start_call(known["jose"].id)
    window.open_customer(known["zoe"].id)  # someone else is open by the time they quit

    def log(dialog: VisitDialog) -> None:
        assert dialog.channel.currentData() == Channel.PHONE.value
        qtbot.keyClicks(dialog.purpose, "asked about opening hours")
        qtbot.keyClick(dialog.purpose, Qt.Key.Key_Return)

    errors = in_dialog(qtbot, log)
    window.close()
    assert not errors, errors
    call = desk.visits.last(known["jose"].id)
    assert call is not None and call.is_call and call.purpose == "asked about opening hours"
    assert not window.isVisible()


def test_log_then_cancel_the_visit_dialog_keeps_the_window(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer], asked: list[dict[str, object]]
) -> None:
    window.guard_close = True
    asked[0]["answer"] = CallChoice.LOG
    window.start_call(known["jose"].id)
    errors = in_dialog(qtbot, lambda dialog: dialog.reject())
    window.close()
    assert not errors and window.isVisible() and feature(window).calls.running
    window.guard_close = False  # so the test's teardown can close it


def test_the_question_itself(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real box: three answers, Esc keeps csdesk open; locked, it names nobody."""
    seen: list[QMessageBox] = []

    def answer_with(name: str) -> None:
        def run() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(20, run)
                return
            seen.append(box)
            SHOTS.mkdir(parents=True, exist_ok=True)
            box.grab().save(str(SHOTS / f"unlogged_call_{len(seen)}.png"))
            if name == "escape":
                qtbot.keyClick(box, Qt.Key.Key_Escape)
            else:
                button = box.findChild(QAbstractButton, name)
                assert button is not None, name
                button.click()

        QTimer.singleShot(0, run)

    answer_with("discardCallButton")
    got = UnloggedCall.ask(None, who="José García Márquez", length="02:15", can_log=True)
    assert got == CallChoice.DISCARD and "José García Márquez" in seen[0].text()
    answer_with("escape")
    assert UnloggedCall.ask(None, who="", length="00:10", can_log=False) == CallChoice.CANCEL
    assert seen[1].findChild(QAbstractButton, "logCallButton") is None
    answer_with("logCallButton")
    assert UnloggedCall.ask(None, who="x", length="00:01", can_log=True) == CallChoice.LOG


def test_the_welcome_shows_no_markdown(qtbot: QtBot, db_path: Path) -> None:
    dialog = FirstRunDialog(None, db_path)
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("csdesk demo" in t for t in texts)
    assert not any("`" in t for t in texts), texts


CJK = CustomerDraft(first_name="美咲", last_name="山田", phones=(("mobile", "+81 90 1234 5678"),))


def test_every_script_of_the_demo_has_a_font(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    assert missing_scripts() == []  # the set-up installs fonts-noto-cjk; see the Makefile
    customer = desk.customers.create(CJK)
    korean = desk.customers.create(CustomerDraft(first_name="지민", last_name="김"))
    window.open_customer(customer.id)
    qtbot.waitUntil(lambda: window.customer_view.customer is not None, timeout=3000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "cjk_customer.png"))
    window.open_customer(korean.id)
    window.grab().save(str(SHOTS / "korean_customer.png"))


def test_a_missing_script_is_named_in_one_line() -> None:
    assert font_hint([]) is None
    hint = font_hint(["Chinese", "Korean"])
    assert hint is not None and "Chinese, Korean" in hint and "fonts-noto-cjk" in hint
