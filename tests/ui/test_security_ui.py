"""Issue 7 in the window: first-run admin, sign-in with backoff, idle lock, staff and audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QToolBar
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft, Role
from csdesk.services.backup import BackupResult
from csdesk.services.desk import Desk
from csdesk.ui import app as app_module
from csdesk.ui.dialogs.admin_setup import AdminSetupDialog
from csdesk.ui.dialogs.first_run import FirstRunDialog
from csdesk.ui.dialogs.notice import Notice
from csdesk.ui.dialogs.staff_dialog import StaffDialog
from csdesk.ui.features.backups import Backups, backups
from csdesk.ui.features.security import Security, security
from csdesk.ui.main_window import MainWindow
from tests.conftest import FakeClock
from tests.services.helpers_security import add_member, fast_scrypt, make_admin
from tests.ui.conftest import show_window

__all__ = ["fast_scrypt"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")

Shown = list[tuple[str, str]]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> Shown:
    """Every Notice the window shows, instead of a modal box."""
    seen: Shown = []
    monkeypatch.setattr(
        Notice, "ask", classmethod(lambda cls, parent, title, text, **k: seen.append((title, text)))
    )
    return seen


@pytest.fixture
def make_window(qtbot: QtBot, desk: Desk) -> Iterator[Callable[[], MainWindow]]:
    made: list[MainWindow] = []

    def build() -> MainWindow:
        win = show_window(qtbot, desk)
        made.append(win)
        return win

    yield build
    for win in made:
        win.teardown()  # before the desk fixture closes the desk: no timer outlives it


def customer(desk: Desk) -> int:
    return desk.customers.create(CustomerDraft(first_name="Ines", last_name="Okafor")).id


def action(win: MainWindow, name: str) -> QAction:
    found = win.findChild(QAction, name)
    assert found is not None, name
    return found


def sign_in(qtbot: QtBot, guard: Security, name: str, pin: str) -> None:
    screen = guard.lock_screen
    row = [screen.names.item(i).text() for i in range(screen.names.count())].index(name)
    screen.names.setCurrentRow(row)
    qtbot.keyClicks(screen.pin, pin)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)


# -- first run -------------------------------------------------------------------------------
def test_admin_setup_asks_the_pin_twice(qtbot: QtBot, desk: Desk) -> None:
    dialog = AdminSetupDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Sam Rivera")
    qtbot.keyClicks(dialog.pin, "2468x")  # the validator keeps only digits
    assert dialog.pin.text() == "2468"
    qtbot.keyClicks(dialog.pin_again, "2469")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "differ" in dialog.message.text() and desk.auth.needs_setup()
    dialog.pin_again.clear()
    qtbot.keyClicks(dialog.pin_again, "2468")
    dialog.sign_in.setChecked(False)  # a one-person shop: no PIN for everyday work
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.admin is not None and dialog.admin.role is Role.ADMIN
    assert desk.actor.name == "Sam Rivera" and not desk.auth.needs_setup()
    assert desk.auth.sign_in_required is False


def test_admin_setup_refuses_a_short_pin(qtbot: QtBot, desk: Desk) -> None:
    dialog = AdminSetupDialog(desk)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "Sam")
    qtbot.keyClicks(dialog.pin, "12")
    qtbot.keyClicks(dialog.pin_again, "12")
    dialog.submit()
    assert "4 to 8 digits" in dialog.message.text()
    assert dialog.result() == 0 and desk.auth.needs_setup()


def test_main_sets_up_the_admin_before_the_demo_offer_and_backs_up(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch, shown: Shown
) -> None:
    from PySide6.QtCore import QTimer

    from csdesk.paths import backups_dir

    order: list[str] = []

    def setup(cls: object, parent: object, desk: Desk) -> object:
        order.append("admin")
        return desk.auth.setup_admin("Sam", "2468")

    monkeypatch.setattr(AdminSetupDialog, "ask", classmethod(setup))
    monkeypatch.setattr(
        FirstRunDialog, "ask", classmethod(lambda cls, parent, desk, **k: order.append("demo"))
    )
    seen: dict[str, object] = {}
    jobs: list[Backups] = []

    def close_when_shown() -> None:
        # visible ones only: windows of earlier tests may linger, hidden, until collected
        windows = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and w.desk.path == db_path
        ]
        if not windows:
            QTimer.singleShot(50, close_when_shown)
            return
        guard = security(windows[0])
        seen["locked"] = guard.locked
        seen["actor"] = windows[0].desk.actor.name
        jobs.append(backups(windows[0]))
        windows[0].close()

    QTimer.singleShot(0, close_when_shown)
    assert app_module.main(db_path) == 0
    assert order == ["admin", "demo"]
    assert seen == {"locked": False, "actor": "Sam"}  # who just set up is signed in
    exit_backup = jobs[0].last_result  # the app waited for it before main returned
    assert isinstance(exit_backup, BackupResult) and exit_backup.path.name.endswith("-exit.db")
    # rotation keeps one automatic backup per day
    assert len(list(backups_dir().glob("*/csdesk-*.db"))) == 1


# -- signing in --------------------------------------------------------------------------------
def test_sign_in_gate_wrong_pins_back_off_then_the_right_one_opens(
    qtbot: QtBot, desk: Desk, clock: FakeClock, make_window: Callable[[], MainWindow]
) -> None:
    make_admin(desk)
    add_member(desk, "Bea", Role.STAFF, "1357")
    desk.act_as("Front desk")
    win = make_window()
    guard = security(win)
    guard.gate()
    screen = guard.lock_screen
    assert guard.locked and win.overlay is screen
    assert not win.content.isVisible() and not win.new_action.isEnabled()
    assert not screen.front_desk_button.isVisible()  # this shop signs in
    for _ in range(3):
        sign_in(qtbot, guard, "Bea", "0000")
    assert "Try again in 5 seconds" in screen.message.text()
    assert not screen.sign_in_button.isEnabled() and not screen.pin.isEnabled()
    assert guard.locked
    clock.advance(seconds=6)
    qtbot.waitUntil(lambda: screen.sign_in_button.isEnabled(), timeout=3000)
    sign_in(qtbot, guard, "Bea", "1357")
    assert not guard.locked and win.content.isVisible()
    assert desk.actor.name == "Bea" and win.new_action.isEnabled()
    assert win.actor_label.text() == "Acting as Bea (staff)"
    failed = desk.db.execute("SELECT count(*) FROM audit WHERE action = 'sign_in_failed'")
    assert failed.fetchone()[0] == 3


def test_idle_lock_hides_the_customer_and_needs_the_pin(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    make_admin(desk)
    ines = customer(desk)
    win = make_window()
    guard = security(win)
    win.open_customer(ines)
    qtbot.keyClicks(win.search.field, "Ines")
    assert win.customer_view.customer is not None
    banner = QToolBar("A feature's banner")  # e.g. the handover note
    win.add_toolbar(banner)
    qtbot.waitUntil(banner.isVisible, timeout=2000)
    guard.set_idle_interval(150)
    qtbot.waitUntil(lambda: guard.locked, timeout=3000)
    assert not banner.isVisible()
    assert win.customer_view.customer is None and win.search.field.text() == ""
    assert not win.customer_view.isVisible() and guard.lock_screen.isVisible()
    assert win.actor_label.text() == "Locked"
    qtbot.keyClick(guard.lock_screen.pin, Qt.Key.Key_Escape)  # no way around the PIN
    assert guard.locked
    qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.activeModalWidget() is None  # Ctrl+N is off while locked
    sign_in(qtbot, guard, "Ada", "2468")
    assert not guard.locked and win.customer_view.customer is None
    assert banner.isVisible()


def test_input_keeps_the_window_open(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    # No wall-clock budget: the countdown is long, so only input can restart it, and each
    # step waits for the condition it needs.
    win = make_window()
    guard = security(win)
    guard.idle_timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one rounds remainingTime
    guard.set_idle_interval(60_000)
    for _ in range(3):
        # Half a second gone first: a restart then reads higher than `before` even when the
        # key press itself takes a few hundred milliseconds on a loaded machine.
        qtbot.waitUntil(lambda: guard.idle_timer.remainingTime() < 59_500, timeout=3000)
        before = guard.idle_timer.remainingTime()
        qtbot.keyClick(win.search.field, Qt.Key.Key_A)
        assert guard.idle_timer.remainingTime() > before  # the key press restarted it
        assert not guard.locked
    guard.set_idle_interval(50)  # now walk away
    qtbot.waitUntil(lambda: guard.locked, timeout=3000)


def test_shortcuts_lock_and_switch_user(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    make_admin(desk)
    add_member(desk, "Bea", Role.LEAD, "1357")
    ines = customer(desk)
    win = make_window()
    guard = security(win)
    win.open_customer(ines)
    qtbot.keyClick(win, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert guard.locked and guard.switching and guard.lock_screen.cancel_button.isVisible()
    qtbot.keyClick(guard.lock_screen.pin, Qt.Key.Key_Escape)  # changed my mind
    assert not guard.locked and win.customer_view.customer is not None
    qtbot.keyClick(win, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    sign_in(qtbot, guard, "Bea", "1357")
    assert desk.actor.name == "Bea" and win.customer_view.customer is not None  # same customer
    qtbot.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert guard.locked and not guard.switching and win.customer_view.customer is None
    assert not guard.lock_screen.cancel_button.isVisible()


def test_a_shop_without_sign_in_continues_as_front_desk(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    make_admin(desk)
    desk.auth.set_sign_in_required(False)
    desk.act_as("Front desk")
    win = make_window()
    guard = security(win)
    guard.gate()
    assert not guard.locked  # no PIN for everyday work
    guard.lock()
    assert guard.lock_screen.front_desk_button.isVisible()
    qtbot.mouseClick(guard.lock_screen.front_desk_button, Qt.MouseButton.LeftButton)
    assert not guard.locked and desk.actor.name == "Front desk"


def test_no_gate_while_no_admin_exists(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    win = make_window()
    guard = security(win)
    guard.gate()
    assert not guard.locked and desk.actor.name == "Front desk"


# -- staff and audit ---------------------------------------------------------------------------
def test_staff_dialog_adds_and_deactivates_a_member(
    qtbot: QtBot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csdesk.ui.dialogs.notice import Confirm

    make_admin(desk)
    dialog = StaffDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Bea Novak")
    dialog.role.setCurrentIndex(dialog.role.findData("lead"))
    qtbot.keyClicks(dialog.pin, "13579")
    qtbot.keyClicks(dialog.pin_again, "13579")
    qtbot.keyClick(dialog.pin_again, Qt.Key.Key_Return)
    entries = {e.name: e for e in desk.auth.list_staff()}
    assert entries["Bea Novak"].role is Role.LEAD and entries["Bea Novak"].has_pin
    assert dialog.list.currentItem().text(0) == "Bea Novak" and dialog.name.text() == ""
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a, **k: True))
    dialog.deactivate()
    assert not {e.name: e for e in desk.auth.list_staff()}["Bea Novak"].active
    assert dialog.list.currentItem() is None or dialog.list.currentItem().text(2) != "Active"
    qtbot.keyClicks(dialog.name, "Bea Novak")  # a second one by that name is refused, kindly
    qtbot.keyClicks(dialog.pin, "1234")
    qtbot.keyClicks(dialog.pin_again, "1234")
    dialog.add()
    # A deactivated member is given their account back, not added twice (issue 13 item 12).
    assert "Reactivate them" in dialog.message.text()
    row = next(i for i in range(dialog.list.topLevelItemCount())
               if dialog.list.topLevelItem(i).text(0) == "Bea Novak")
    dialog.list.setCurrentItem(dialog.list.topLevelItem(row))
    assert dialog.reactivate_button.isEnabled() and not dialog.deactivate_button.isEnabled()
    qtbot.mouseClick(dialog.reactivate_button, Qt.MouseButton.LeftButton)
    assert {e.name: e for e in desk.auth.list_staff()}["Bea Novak"].active
    assert "Bea Novak is active again" in dialog.message.text()


def test_a_deactivated_front_desk_locks_the_window(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    make_admin(desk)
    desk.auth.set_sign_in_required(False)
    desk.auth.deactivate("Front desk")
    desk.actor = next(
        desk.context.staff(s.id) for s in desk.auth.list_staff() if s.name == "Front desk"
    )
    win = make_window()
    guard = security(win)
    guard.gate()
    assert guard.locked  # nobody may work as a deactivated member: someone signs in
    assert not guard.lock_screen.front_desk_button.isVisible()


def test_staff_member_is_denied_the_audit_log_with_the_services_reason(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow], shown: Shown
) -> None:
    make_admin(desk)
    add_member(desk, "Bea", Role.STAFF, "1357")
    desk.auth.sign_in("Bea", "1357")
    win = make_window()
    action(win, "auditAction").trigger()
    assert shown and shown[0][0] == "Not allowed"
    assert "Bea is staff and cannot view the audit log. Ask a shift lead or an admin." in shown[0][1]
    action(win, "staffAction").trigger()
    assert "cannot manage staff accounts" in shown[1][1]
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "auditDialog"]


def test_audit_viewer_filters_pages_and_exports(
    qtbot: QtBot, desk: Desk, tmp_path: Path, qtmodeltester: object
) -> None:
    from csdesk.ui.dialogs.audit_dialog import AuditDialog
    from csdesk.ui.models import audit_model

    make_admin(desk)
    for i in range(audit_model.PAGE + 30):
        desk.customers.create(CustomerDraft(first_name=f"Cust{i}", last_name="Lane"))
    lazy = audit_model.AuditModel(desk)
    assert lazy.rowCount() == audit_model.PAGE and lazy.canFetchMore()  # one page at a time
    lazy.fetchMore()
    assert lazy.rowCount() == lazy.total == audit_model.PAGE + 31 and not lazy.canFetchMore()
    dialog = AuditDialog(desk)
    qtbot.addWidget(dialog)
    model = dialog.model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtbot.keyClicks(dialog.action, "setup")
    qtbot.keyClick(dialog.action, Qt.Key.Key_Return)
    assert model.total == 1 and model.data(model.index(0, 2)) == "setup"
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    target = tmp_path / "audit.csv"
    # export_to() starts the worker itself: wait for what the dialog shows, not for a signal
    # that may already have been emitted before a test could connect to it.
    dialog.export_to(target)
    qtbot.waitUntil(lambda: "export" in dialog.count_label.text().split("·")[-1]
                    and dialog.export_button.isEnabled(), timeout=30_000)  # fmt: skip
    assert "exported 1" in dialog.count_label.text()
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,at,staff_id") and len(lines) == 2
    exported = desk.db.execute("SELECT count(*) FROM audit WHERE entity = 'audit'").fetchone()
    assert exported[0] == 1


def test_settings_change_the_idle_lock(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    from csdesk.ui.dialogs.settings_dialog import SettingsDialog

    make_admin(desk)
    win = make_window()
    dialog = SettingsDialog(desk, win)
    dialog.idle.setValue(12)
    dialog.shop_name.setText("Harbour Lane")
    dialog.save()
    assert dialog.saved and security(win).idle_ms == 12 * 60_000
    assert win.windowTitle() == "Harbour Lane · csdesk"


def test_admin_gives_a_member_a_new_pin_and_members_change_their_own(
    qtbot: QtBot, desk: Desk, monkeypatch: pytest.MonkeyPatch, make_window: Callable[[], MainWindow]
) -> None:
    from csdesk.ui.dialogs.pin_dialog import PinDialog

    make_admin(desk)
    add_member(desk, "Bea", Role.STAFF, "1357")
    dialog = StaffDialog(desk)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentItem(dialog.list.findItems("Bea", Qt.MatchFlag.MatchExactly, 0)[0])
    monkeypatch.setattr(PinDialog, "ask", classmethod(lambda cls, parent, name: "97531"))
    dialog.reset_pin()
    assert "Bea has a new PIN" in dialog.message.text()
    assert desk.auth.sign_in("Bea", "97531").name == "Bea"
    win = make_window()
    monkeypatch.setattr(PinDialog, "ask", classmethod(lambda cls, parent, name: "24680"))
    action(win, "changePinAction").trigger()
    assert desk.auth.sign_in("Bea", "24680").name == "Bea"


def test_pin_dialog_wants_the_same_valid_pin_twice(qtbot: QtBot) -> None:
    from csdesk.ui.dialogs.pin_dialog import PinDialog

    dialog = PinDialog("Bea")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.pin, "123")
    qtbot.keyClicks(dialog.pin_again, "123")
    qtbot.keyClick(dialog.pin_again, Qt.Key.Key_Return)
    assert "4 to 8 digits" in dialog.message.text() and dialog.pin_value is None
    qtbot.keyClicks(dialog.pin, "4")
    qtbot.keyClicks(dialog.pin_again, "5")
    dialog.submit()
    assert "differ" in dialog.message.text()
    dialog.pin_again.backspace()
    qtbot.keyClicks(dialog.pin_again, "4")
    dialog.submit()
    assert dialog.pin_value == "1234"


def test_naming_a_member_with_a_pin_opens_the_window_locked_on_their_name(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    """`csdesk --staff Bea` is not Bea's PIN: the window asks for it (issue 14 item 9)."""
    make_admin(desk)
    desk.auth.set_sign_in_required(False)
    add_member(desk, "Bea", Role.LEAD, "1357")
    desk.act_as("Bea")  # what ui.app.open_desk does for --staff Bea
    win = make_window()
    guard = security(win)
    guard.gate()
    assert guard.locked
    assert guard.lock_screen.names.currentItem().text() == "Bea"
    sign_in(qtbot, guard, "Bea", "1357")
    assert not guard.locked and desk.actor.name == "Bea"


def test_settings_dialog_sets_the_goodwill_limits_the_issue_dialog_shows(
    qtbot: QtBot, desk: Desk, make_window: Callable[[], MainWindow]
) -> None:
    from csdesk.ui.dialogs.issue_form import IssueForm
    from csdesk.ui.dialogs.settings_dialog import SettingsDialog

    make_admin(desk)
    win = make_window()
    dialog = SettingsDialog(desk, win)
    assert [dialog.goodwill[r].text() for r in ("staff", "lead", "admin")] == [
        "50.00", "500.00", "",
    ]  # fmt: skip
    assert dialog.goodwill["admin"].placeholderText() == "unlimited"
    dialog.goodwill["lead"].setText("lots")
    dialog.save()
    assert not dialog.saved and "not an amount" in dialog.message.text()
    dialog.goodwill["lead"].setText("750")
    dialog.save()
    assert dialog.saved and desk.issues.goodwill_limit(Role.LEAD) == 75_000
    dialog.grab().save("/tmp/auth-policy-settings-shot.png")
    add_member(desk, "Lee", Role.LEAD)
    desk.act_as("Lee")
    cid = customer(desk)
    form = IssueForm(win, desk, desk.customers.get(cid))
    qtbot.addWidget(form)
    assert "750.00 per issue" in form.goodwill_hint.text()
