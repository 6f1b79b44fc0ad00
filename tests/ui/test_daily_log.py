"""pytest-qt drives the Day menu on the real main window: the daily log, exports, handover."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.daily_log import DailyLogDialog
from csdesk.ui.dialogs.handover import HandoverDialog
from csdesk.ui.features.daily_log import DayFeature
from csdesk.ui.main_window import MainWindow
from csdesk.ui.models.daily_log_model import CUSTOMER_ID_ROLE, DailyLogModel
from tests.services.reports_helpers import add_staff


def open_log(qtbot: QtBot, window: MainWindow) -> DailyLogDialog:
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialog = window.feature(DayFeature).dialog
    assert isinstance(dialog, DailyLogDialog) and dialog.isVisible()
    qtbot.waitExposed(dialog)
    return dialog


def test_ctrl_l_shows_the_day_and_enter_opens_the_customer(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer], qtmodeltester: ModelTester
) -> None:
    dialog = open_log(qtbot, window)
    model = dialog.model
    qtmodeltester.check(model)
    assert model.total > 0 and model.rowCount() > 0
    assert "events" in dialog.heading.text()
    assert dialog.tiles["visits"].figure.text() != "0"
    rows = [model.index(r, 0).data(CUSTOMER_ID_ROLE) for r in range(model.rowCount())]
    jose_row = rows.index(known["jose"].id)
    assert model.index(jose_row, 1).data() in ("Call", "Note", "Visit")
    dialog.table.setFocus()
    dialog.table.selectRow(jose_row)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert window.customer_view.customer is not None
    assert window.customer_view.customer.id == known["jose"].id


def test_the_model_pages_lazily(qtmodeltester: ModelTester, desk: Desk, known: object) -> None:
    model = DailyLogModel(desk, page=3)
    qtmodeltester.check(model)
    model.set_range(desk.reports.day())
    assert model.total > 3 and model.rowCount() == 3
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == model.total
    assert [model.log_event(r) for r in range(model.rowCount())] == desk.reports.rows(
        desk.reports.day()
    )
    qtmodeltester.check(model)


def test_an_empty_day_says_so(qtbot: QtBot, window: MainWindow) -> None:
    dialog = open_log(qtbot, window)
    dialog.date_edit.setDate(dialog.date_edit.date().addYears(-3))
    assert dialog.model.total == 0
    assert dialog.empty.isVisible() and not dialog.table.isVisible()


def test_staff_cannot_export_but_a_lead_can(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_log(qtbot, window)
    assert not dialog.buttons["csv"].isEnabled()  # Front desk is staff
    dialog.close()
    add_staff(desk, "Anna", "lead")
    desk.act_as("Anna")
    dialog = open_log(qtbot, window)
    assert dialog.buttons["csv"].isEnabled()
    target = tmp_path / "out" / "today.csv"
    target.parent.mkdir()  # the save dialog only offers folders that exist
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "CSV"))
    with qtbot.waitSignal(dialog.exported, timeout=10000) as blocker:
        qtbot.mouseClick(dialog.buttons["csv"], Qt.MouseButton.LeftButton)
    assert blocker.args[0].path == target
    with target.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert len(table) - 1 == dialog.model.total
    assert "Saved" in dialog.status.text() and dialog.buttons["csv"].isEnabled()


def test_pdf_export_runs_in_a_worker(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff(desk, "Anna", "lead")
    desk.act_as("Anna")
    dialog = open_log(qtbot, window)
    target = tmp_path / "today.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "CSV"))
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.buttons["pdf"].click()
        assert dialog.progress.isVisible()
    assert target.read_bytes().startswith(b"%PDF")


@pytest.fixture
def lead_note(desk: Desk) -> Iterator[None]:
    add_staff(desk, "Anna", "lead")
    desk.act_as("Anna")
    desk.handover.write("Till 2 sticks.\nCall Kofi about his boots.", for_shift="late shift")
    desk.act_as("Front desk")
    yield


def test_the_next_person_sees_the_handover_first(
    qtbot: QtBot, lead_note: None, window: MainWindow, desk: Desk
) -> None:
    banner = window.feature(DayFeature).banner
    assert banner.isVisible()
    assert "Call Kofi" in banner.text.text() and "Anna" in banner.title.text()
    assert "late shift" in banner.title.text()
    qtbot.mouseClick(banner.ok, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    assert desk.handover.unread() == []
    assert desk.handover.recent()[0].read_by == "Front desk"


def test_a_lead_writes_the_handover(
    qtbot: QtBot, window: MainWindow, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = window.findChild(type(window.new_action), "handoverAction")
    assert action is not None
    asked: list[bool] = []

    def fake_ask(cls: type, parent: object) -> tuple[str, str]:
        asked.append(True)
        return "Fridge is off", ""

    monkeypatch.setattr(HandoverDialog, "ask", classmethod(fake_ask))
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert asked == []  # Front desk is staff: told who can, not asked to write
    assert "shift lead" in window.statusBar().currentMessage()
    add_staff(desk, "Anna", "lead")
    desk.act_as("Anna")
    action.trigger()
    assert asked == [True]
    assert [n.body for n in desk.handover.unread()] == ["Fridge is off"]
    assert not window.feature(DayFeature).banner.isVisible()


def test_handover_dialog_refuses_an_empty_note(qtbot: QtBot) -> None:
    dialog = HandoverDialog()
    qtbot.addWidget(dialog)
    dialog._accept()
    assert "Write something" in dialog.error.text() and dialog.result() == 0
    dialog.body.setPlainText("  Deliveries at 7  ")
    dialog._accept()
    assert dialog.value() == ("Deliveries at 7", "")


def test_screenshots(qtbot: QtBot, lead_note: None, window: MainWindow, tmp_path: Path) -> None:
    """Renders what people see; the images are kept for a person to look at."""
    out = Path(__import__("os").environ.get("CSDESK_SHOTS", tmp_path))
    window.grab().save(str(out / "handover-banner.png"))
    dialog = open_log(qtbot, window)
    QApplication.processEvents()
    assert dialog.grab().save(str(out / "daily-log.png"))


def test_a_shift_narrows_the_log(qtbot: QtBot, window: MainWindow, desk: Desk) -> None:
    from PySide6.QtCore import QTime

    dialog = open_log(qtbot, window)
    whole = dialog.model.total
    dialog.shift_box.setChecked(True)
    assert dialog.from_edit.isEnabled()
    dialog.from_edit.setTime(QTime(0, 0))
    dialog.to_edit.setTime(QTime(0, 1))
    assert dialog.model.total < whole
    assert "00:00 to 00:01" in dialog.heading.text()
    dialog.to_edit.setTime(QTime(23, 59))
    assert dialog.model.total <= whole
    dialog.shift_box.setChecked(False)
    assert dialog.model.total == whole


def test_esc_closes_the_log_and_returns_to_the_search(qtbot: QtBot, window: MainWindow) -> None:
    dialog = open_log(qtbot, window)
    dialog.activateWindow()  # as on a desktop: the window just opened has the keyboard
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.search.field.hasFocus(), timeout=2000)


def test_the_visits_tile_names_the_two_biggest_channels_and_counts_the_rest(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    from csdesk.domain import Channel

    before = desk.reports.summary(desk.reports.day()).total.visits_by_channel
    extra = {Channel.IN_PERSON: 30, Channel.PHONE: 20, Channel.CHAT: 1, Channel.EMAIL: 1,
             Channel.SOCIAL: 1, Channel.OTHER: 1}
    dialog = open_log(qtbot, window)  # open first: the tile grows lines while it is shown
    for channel, n in extra.items():
        for _ in range(n):
            desk.visits.log(known["jose"].id, channel=channel, purpose="counted")
    detail = dialog.tiles["visits"].detail
    qtbot.waitUntil(lambda: detail.text().count("\n") == 2, timeout=5000)
    counts = {c: before.get(c.value, 0) + n for c, n in extra.items()}
    top = sorted(counts.items(), key=lambda kv: -kv[1])
    lines = detail.text().split("\n")
    assert lines[:2] == [f"{c.label} {n}" for c, n in top[:2]]
    assert lines[2] == f"{len(counts) - 2} more"
    assert sorted(detail.toolTip().split("\n")) == sorted(f"{c.label} {n}" for c, n in top)
    # and every line is on screen, under the caption, not squeezed over it
    tile = dialog.tiles["visits"]
    qtbot.waitUntil(lambda: tile.detail.height() >= tile.detail.sizeHint().height(), timeout=5000)
    assert tile.detail.geometry().top() >= tile.caption.geometry().bottom()
    assert tile.detail.geometry().bottom() <= tile.contentsRect().bottom()
