"""First run: an empty database offers demo customers, loaded in a worker with progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from csdesk.services.desk import Desk
from csdesk.ui import app as app_module
from csdesk.ui.dialogs.admin_setup import AdminSetupDialog
from csdesk.ui.dialogs.first_run import DEMO_CUSTOMERS, FirstRunDialog


def test_load_demo_customers_in_a_worker(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    assert desk.customers.count() == 0
    dialog = FirstRunDialog(None, desk)
    qtbot.addWidget(dialog)
    dialog.show()
    progress: list[int] = []
    dialog.progress.valueChanged.connect(progress.append)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
        assert not dialog.demo_button.isEnabled()  # the UI answered while the worker runs
    assert dialog.loaded == DEMO_CUSTOMERS
    assert desk.customers.count() == DEMO_CUSTOMERS
    assert progress and progress[-1] == DEMO_CUSTOMERS and len(progress) > 3


def test_stop_loading_keeps_what_was_loaded(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    dialog = FirstRunDialog(None, desk)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.load_demo()
        dialog.cancel_button.click()
    assert desk.customers.count() < DEMO_CUSTOMERS


def test_start_empty(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    dialog = FirstRunDialog(None, desk)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    assert desk.customers.count() == 0


def test_main_shows_a_clear_message_when_the_database_cannot_open(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text))
    )
    not_a_file = tmp_path / "folder"
    not_a_file.mkdir()
    assert app_module.main(not_a_file) == 1
    assert shown and "database" in shown[0].lower()


def test_main_rejects_an_unknown_staff_member(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text))
    )
    assert app_module.main(db_path, staff="Nobody Here") == 1
    assert shown and "Nobody Here" in shown[0]


def test_main_offers_demo_on_an_empty_database_then_runs_the_window(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from csdesk.ui.main_window import MainWindow

    offered: list[Path] = []
    monkeypatch.setattr(
        FirstRunDialog, "ask", classmethod(lambda cls, parent, desk, **k: offered.append(desk.path))
    )
    # the admin setup that comes first (issue 7) is "Not now" here: no sign-in gate follows
    monkeypatch.setattr(AdminSetupDialog, "ask", classmethod(lambda cls, parent, desk: None))
    seen: dict[str, object] = {}

    def close_when_shown() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows or not windows[0].isVisible():
            QTimer.singleShot(50, close_when_shown)
            return
        seen["title"] = windows[0].windowTitle()
        seen["focus"] = windows[0].focusWidget() is windows[0].search.field
        windows[0].close()

    QTimer.singleShot(0, close_when_shown)
    assert app_module.main(db_path) == 0
    assert offered == [db_path]
    assert seen["title"] == "csdesk"
    assert seen["focus"] is True
