"""Backups, restore, the database check, privacy export and erase, and Help → About."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft, Role
from csdesk.services.backup import BackupResult, RestoreResult
from csdesk.services.desk import Desk
from csdesk.services.privacy import ErasureResult
from csdesk.ui.dialogs import about_dialog
from csdesk.ui.dialogs.about_dialog import AboutDialog
from csdesk.ui.dialogs.erase_dialog import EraseDialog
from csdesk.ui.dialogs.notice import Confirm, Notice
from csdesk.ui.features.backups import backups
from csdesk.ui.features.privacy import Privacy
from csdesk.ui.features.security import security
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme
from tests.conftest import ENGINES
from tests.services.helpers_security import add_member, fast_scrypt, make_admin

__all__ = ["fast_scrypt"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")

Shown = list[tuple[str, str]]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> Shown:
    seen: Shown = []
    monkeypatch.setattr(
        Notice, "ask", classmethod(lambda cls, parent, title, text, **k: seen.append((title, text)))
    )
    return seen


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    win = MainWindow(desk)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.search.shown_query is not None, timeout=5000)
    yield win
    win.teardown()  # before the desk fixture closes the desk


def privacy(win: MainWindow) -> Privacy:
    found = win.findChild(Privacy)
    assert found is not None
    return found


def wait_result(qtbot: QtBot, holder: object, check: Callable[[object], bool]) -> object:
    qtbot.waitUntil(lambda: check(getattr(holder, "last_result", None)), timeout=15_000)
    return getattr(holder, "last_result", None)


def test_back_up_now_check_and_restore(
    qtbot: QtBot, desk: Desk, window: MainWindow, shown: Shown, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_admin(desk)
    jobs = backups(window)
    kept = desk.customers.create(CustomerDraft(first_name="Kept", last_name="Before"))
    assert jobs.backup_now() is not None
    made = wait_result(qtbot, jobs, lambda r: isinstance(r, BackupResult))
    assert isinstance(made, BackupResult) and made.path.is_file()
    assert "Backed up to" in window.statusBar().currentMessage()

    jobs.check()
    wait_result(qtbot, jobs, lambda r: hasattr(r, "checked"))
    assert shown[-1][0] == "Database check" and "healthy" in shown[-1][1]

    late = desk.customers.create(CustomerDraft(first_name="Added", last_name="Later"))
    window.open_customer(late.id)
    asked: list[str] = []
    monkeypatch.setattr(
        Confirm, "ask", classmethod(lambda cls, parent, title, text, **k: asked.append(text) or True)
    )
    assert jobs.restore_from(made.path) is not None
    result = wait_result(qtbot, jobs, lambda r: isinstance(r, RestoreResult))
    assert isinstance(result, RestoreResult) and result.previous_saved_as.is_file()
    assert "reloads" in asked[0]
    assert desk.customers.get(kept.id).first_name == "Kept"
    assert desk.customers.count() == 1  # "Added Later" is gone with the restore
    assert window.customer_view.customer is None
    assert security(window).locked  # the restored staff sign in again
    assert shown[-1][0] == "Restored"


def test_staff_cannot_back_up_or_restore(
    qtbot: QtBot, desk: Desk, window: MainWindow, shown: Shown
) -> None:
    make_admin(desk)
    add_member(desk, "Bea", Role.STAFF, "1357")
    desk.auth.sign_in("Bea", "1357")
    assert backups(window).backup_now() is None
    assert backups(window).restore() is None
    assert "Bea is staff and cannot make backups" in shown[0][1]
    assert "cannot restore a backup. Ask an admin." in shown[1][1]


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_export_and_erase_the_open_customer(
    qtbot: QtBot,
    desk: Desk,
    window: MainWindow,
    tmp_path: Path,
    shown: Shown,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_admin(desk)
    ines = desk.customers.create(
        CustomerDraft(first_name="Ines", last_name="Okafor", email="ines@example.org")
    )
    desk.notes.add(ines.id, "Prefers Tuesdays")
    window.open_customer(ines.id)
    target = tmp_path / "ines.json"
    jobs = privacy(window)
    jobs.export_to(ines.id, target)
    wait_result(qtbot, jobs, lambda r: r == target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["customer"]["first_name"] == "Ines" and data["notes"][0]["body"] == "Prefers Tuesdays"

    monkeypatch.setattr(EraseDialog, "ask", classmethod(lambda cls, parent, name: name == "Ines Okafor"))
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    assert jobs.erase() is not None
    result = wait_result(qtbot, jobs, lambda r: isinstance(r, ErasureResult))
    assert isinstance(result, ErasureResult) and result.notes_removed == 1
    # The window's own connections (its search thread) never keep the server's tables busy.
    # (On the file they may keep the WAL from being truncated: 'busy', wiped later.)
    assert result.scrub_problem != "tables_busy"
    assert desk.customers.count() == 0 and window.customer_view.customer is None
    # The rewrite after the commit ran off the UI thread and said how far it was.
    assert any("wiping the old copies from the database" in m for m in said), said
    assert said[-1].startswith("The customer was erased.")
    assert not shown


def test_staff_cannot_erase(
    qtbot: QtBot, desk: Desk, window: MainWindow, shown: Shown, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_admin(desk)
    add_member(desk, "Lee", Role.LEAD, "1357")
    desk.auth.sign_in("Lee", "1357")
    ines = desk.customers.create(CustomerDraft(first_name="Ines", last_name="Okafor"))
    window.open_customer(ines.id)
    asked: list[str] = []
    monkeypatch.setattr(EraseDialog, "ask", classmethod(lambda cls, p, name: asked.append(name) or True))
    assert privacy(window).erase() is None
    assert not asked and "Lee is a shift lead and cannot erase a customer" in shown[0][1]
    assert desk.customers.count() == 1


def test_erase_needs_the_name_typed(qtbot: QtBot) -> None:
    dialog = EraseDialog("José García")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.typed.insert("José")  # QTest types ASCII only; insert() is how an IME delivers text
    assert not dialog.erase_button.isEnabled()
    qtbot.keyClick(dialog.typed, Qt.Key.Key_Return)
    assert dialog.result() == 0
    qtbot.keyClicks(dialog.typed, " garcia")  # case and accents are forgiven
    assert dialog.erase_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.typed, Qt.Key.Key_Return)


def test_about_shows_where_the_data_is(
    qtbot: QtBot, desk: Desk, db_path: Path, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csdesk.paths import backups_dir, user_letters_dir
    from csdesk.services.about import about

    dialog = AboutDialog(about(db_path))
    qtbot.addWidget(dialog)
    assert dialog.path_labels["Database"].text() == str(db_path.resolve())
    assert dialog.path_labels["Backups"].text() == str(backups_dir().resolve())
    assert dialog.path_labels["Templates"].text() == str(user_letters_dir().resolve())
    opened: list[Path] = []
    monkeypatch.setattr(about_dialog, "open_folder", lambda folder: opened.append(folder) or True)
    qtbot.mouseClick(dialog.open_buttons["Backups"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.open_buttons["Database"], Qt.MouseButton.LeftButton)
    assert opened == [backups_dir().resolve(), db_path.resolve().parent]

    asked: list[object] = []
    monkeypatch.setattr(AboutDialog, "ask", classmethod(lambda cls, parent, path: asked.append(path)))
    window.about_action.trigger()
    assert asked == [db_path]
    assert not window.windowIcon().isNull()


def test_theme_follows_light_or_dark(monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtGui import QPalette

    from csdesk.ui import theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        monkeypatch.setenv(theme.THEME_ENV, "dark")
        tones = apply_theme(app)
        window = app.palette().color(QPalette.ColorRole.Window)
        assert tones.dark and window.lightness() < 60
        assert app.palette().color(QPalette.ColorRole.Text).lightness() > 200
        monkeypatch.setenv(theme.THEME_ENV, "light")
        assert not apply_theme(app).dark
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    finally:
        monkeypatch.delenv(theme.THEME_ENV)
        apply_theme(app)


def test_privacy_export_keeps_a_dotted_name(
    qtbot: QtBot, desk: Desk, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    make_admin(desk)
    ada = desk.customers.create(CustomerDraft(first_name="Ada", last_name="Smith"))
    window.open_customer(ada.id)
    (tmp_path / "Ada.json").write_text("someone else's export")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_a, **_k: (str(tmp_path / "Ada.Smith"), "Machine-readable (*.json)"))
    jobs = privacy(window)
    assert jobs.export() is not None
    target = tmp_path / "Ada.Smith.json"  # with_suffix made it Ada.json and replaced that file
    wait_result(qtbot, jobs, lambda r: r == target)
    assert json.loads(target.read_text(encoding="utf-8"))["customer"]["first_name"] == "Ada"
    assert (tmp_path / "Ada.json").read_text() == "someone else's export"
