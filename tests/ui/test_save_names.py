"""Save dialogs keep the typed name and never replace a file nobody was asked about.

The file dialog is replaced (it would block) by what a person types into Qt's own dialog, which
returns the name unchanged; the question before replacing and the writes are real.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.daily_log import DailyLogDialog
from csdesk.ui.dialogs.letter_dialog import LetterDialog
from csdesk.ui.dialogs.notice import Confirm
from csdesk.ui.features.daily_log import DayFeature
from csdesk.ui.main_window import MainWindow
from tests.services.reports_helpers import add_staff
from tests.ui.letter_preview import wait_preview

OLD = b"OLD IMPORTANT PDF"


def typed(monkeypatch: pytest.MonkeyPatch, name: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(name), "PDF"))


def answer(monkeypatch: pytest.MonkeyPatch, agree: bool) -> list[str]:
    asked: list[str] = []

    def ask(cls: type, parent: QWidget | None, title: str, text: str, **_k: object) -> bool:
        asked.append(text)
        return agree

    monkeypatch.setattr(Confirm, "ask", classmethod(ask))
    return asked


@pytest.fixture
def maria(desk: Desk) -> int:
    return desk.customers.create(CustomerDraft(first_name="Maria", last_name="Brown")).id


@pytest.fixture
def dialog(qtbot: QtBot, desk: Desk, maria: int) -> LetterDialog:
    dialog = LetterDialog(None, desk, maria, template="thank_you")
    qtbot.addWidget(dialog)
    dialog.show()
    wait_preview(qtbot, dialog)
    assert dialog.save_button.isEnabled()
    return dialog


def test_a_dotted_name_keeps_its_dots_and_the_other_file_survives(
    qtbot: QtBot, dialog: LetterDialog, desk: Desk, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "Thanks.pdf").write_bytes(OLD)
    (tmp_path / "Letter to Mr.pdf").write_bytes(OLD)
    asked = answer(monkeypatch, False)
    typed(monkeypatch, tmp_path / "Thanks.Maria")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "Thanks.Maria.pdf").read_bytes().startswith(b"%PDF")
    assert "Saved Thanks.Maria.pdf" in dialog.status.text()
    typed(monkeypatch, tmp_path / "Letter to Mr. Brown")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "Letter to Mr. Brown.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "Thanks.pdf").read_bytes() == OLD
    assert (tmp_path / "Letter to Mr.pdf").read_bytes() == OLD
    assert asked == []  # neither name existed: nothing to ask


def test_an_added_extension_landing_on_a_file_asks_first(
    qtbot: QtBot, dialog: LetterDialog, desk: Desk, maria: int, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = tmp_path / "Plain.pdf"
    plain.write_bytes(OLD)
    asked = answer(monkeypatch, False)
    typed(monkeypatch, tmp_path / "Plain")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "“Plain.pdf” already exists" in asked[0]
    assert plain.read_bytes() == OLD
    assert desk.letters.for_customer(maria) == []  # nothing saved, nothing recorded
    asked = answer(monkeypatch, True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and plain.read_bytes().startswith(b"%PDF")
    assert len(desk.letters.for_customer(maria)) == 1


def test_the_daily_log_asks_before_its_extension_replaces_a_file(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_staff(desk, "Anna", "lead")
    desk.act_as("Anna")
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    log = window.feature(DayFeature).dialog
    assert isinstance(log, DailyLogDialog)
    day = tmp_path / "day.csv"
    day.write_bytes(OLD)
    asked = answer(monkeypatch, False)
    typed(monkeypatch, tmp_path / "day")
    qtbot.mouseClick(log.buttons["csv"], Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "day.csv" in asked[0]
    assert day.read_bytes() == OLD and log.buttons["csv"].isEnabled()


def test_the_daily_log_refuses_a_name_of_another_format(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same rule as `csdesk export daily`: never an xlsx zip under a .csv name."""
    add_staff(desk, "Anna", "lead")
    desk.act_as("Anna")
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    log = window.feature(DayFeature).dialog
    assert isinstance(log, DailyLogDialog)
    folder = tmp_path / "out"
    folder.mkdir()
    typed(monkeypatch, folder / "day.csv")
    qtbot.mouseClick(log.buttons["xlsx"], Qt.MouseButton.LeftButton)
    assert "“day.csv” is a .csv name" in log.status.text()
    assert "CSV button" in log.status.text()
    assert list(folder.iterdir()) == [] and log.buttons["xlsx"].isEnabled()
