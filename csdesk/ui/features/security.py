"""Sign-in, switching user, the idle lock and the Staff menu.

The lock screen is the shell's overlay: while locked the content is not shown at all (not merely
covered), the open customer and the search are cleared, and the shell turns every action but
Quit off, so no shortcut can reach customer data. The status bar is hidden too: its
messages and the call timer name customers.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from csdesk.domain import Change, Staff
from csdesk.errors import CsdeskError
from csdesk.services.auth import FRONT_DESK, IDLE_LOCK_KEY, SIGN_IN_KEY
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.widgets.lock_screen import LockScreen

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)

ROLE_NAMES = {"staff": "staff", "lead": "shift lead", "admin": "admin"}


class Security(Feature):
    """One per window; find it with `window.feature(Security)` (or `security(window)`)."""

    lock_changed = Signal(bool)
    actor_changed = Signal(object)  # Staff

    def __init__(self, window: Shell) -> None:
        super().__init__(window, "security")
        self.window = window
        self.desk = window.desk
        self.locked = False
        self.switching = False

        self.lock_screen = LockScreen(self.desk)
        window.add_overlay(self.lock_screen)
        self.lock_screen.signed_in.connect(self._signed_in)
        self.lock_screen.front_desk.connect(self._as_front_desk)
        self.lock_screen.cancelled.connect(self._cancel_switch)

        self.idle_timer = self.timer("idleTimer", 0, self.idle_lock)
        self.idle_timer.setSingleShot(True)
        self.set_idle_interval(self.desk.auth.idle_lock_minutes * 60_000)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        window.bus.changed.connect(self._on_change)
        self._show_actor()

    def teardown(self) -> None:
        """The window is closing: no more idle locks, no more looking at the app's input."""
        super().teardown()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.idle_ms = 0

    # -- idle ----------------------------------------------------------------------------------
    def set_idle_interval(self, ms: int) -> None:
        """0 turns the idle lock off. Tests pass a few milliseconds."""
        self.idle_ms = ms
        self.idle_timer.stop()
        if ms > 0:
            self.idle_timer.setInterval(ms)
            self.idle_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and self.idle_ms > 0 and not self.locked:
            self.idle_timer.start()  # restart: the countdown begins at the last input
        return False

    def idle_lock(self) -> None:
        if not self.window.isVisible():
            return  # a closed window (its desk may be closed too) has nothing left to hide
        if not self.locked or self.switching:
            self.lock()

    # -- locking -------------------------------------------------------------------------------
    def lock(self, *, switching: bool = False) -> None:
        """Hide everything about customers until someone signs in (or cancels a switch)."""
        window = self.window
        if self.locked and (switching or not self.switching):
            return
        if not switching:
            _close_dialogs(window)
            window.customer_view.show_customer(None)
            window.search.field.clear()
        self.locked = True
        self.switching = switching
        self.idle_timer.stop()
        if switching and self.idle_ms > 0:
            self.idle_timer.start()  # walking away mid-switch still locks properly
        # the shell turns off every action but Quit and hides the toolbars (the handover banner)
        # and the status bar (no message, no call timer)
        window.show_overlay(self.lock_screen)  # first: focus only lands on what is shown
        preferred = None if switching else self.desk.actor.name
        self.lock_screen.prepare(switching=switching, preferred=preferred)
        self._show_actor()
        self.lock_changed.emit(True)

    def switch_user(self) -> None:
        self.lock(switching=True)

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False
        self.switching = False
        self.window.show_content()
        self.window.search.focus_search()
        if self.idle_ms > 0:
            self.idle_timer.start()
        self._show_actor()
        self.lock_changed.emit(False)

    def _signed_in(self, staff: Staff) -> None:
        self.unlock()
        self.actor_changed.emit(staff)
        self.window.statusBar().showMessage(f"Welcome, {staff.name}.", 4000)

    def _as_front_desk(self) -> None:
        try:
            self.desk.act_as(FRONT_DESK)
        except CsdeskError:
            return
        self.unlock()
        self.actor_changed.emit(self.desk.actor)

    def _cancel_switch(self) -> None:
        if self.switching:
            self.unlock()

    def gate(self) -> None:
        """At start: lock when this shop signs in and nobody has yet, when the member the
        window would act as is deactivated (someone else must sign in), or when `csdesk --staff
        NAME` named someone with a PIN (they type it; naming them is not knowing it)."""
        auth = self.desk.auth
        actor = self.desk.actor
        protected = not auth.needs_setup()
        named = protected and actor.name != FRONT_DESK and auth.has_pin(actor.id)
        if (auth.sign_in_required and protected) or not actor.active or named:
            self.lock()

    def reset_after_restore(self) -> None:
        """A restored database has its own staff: start again from its sign-in rules."""
        with contextlib.suppress(CsdeskError):
            self.desk.act_as(FRONT_DESK)
        self.set_idle_interval(self.desk.auth.idle_lock_minutes * 60_000)
        auth = self.desk.auth
        if auth.sign_in_required and not auth.needs_setup():
            self.lock()
        self._show_actor()

    # -- status --------------------------------------------------------------------------------
    def _show_actor(self) -> None:
        if self.locked and not self.switching:
            self.window.set_actor_text("Locked")
            return
        actor = self.desk.actor
        role = ROLE_NAMES.get(actor.role.value, actor.role.value)
        self.window.set_actor_text(f"Acting as {actor.name} ({role})")

    def _on_change(self, change: object) -> None:
        if not isinstance(change, Change):
            return
        if change.kind == "restore":
            self.reset_after_restore()
        elif change.kind == "settings":
            key = (change.extra or {}).get("key")
            if key == IDLE_LOCK_KEY:
                self.set_idle_interval(self.desk.auth.idle_lock_minutes * 60_000)
            elif key == SIGN_IN_KEY and not self.locked:
                self._show_actor()
        elif change.kind == "staff":
            self._show_actor()

    # -- admin: first setup from the menu ------------------------------------------------------
    def set_up_admin(self) -> None:
        from csdesk.ui.dialogs.admin_setup import AdminSetupDialog
        admin = AdminSetupDialog.ask(self.window, self.desk)
        if admin is not None:
            self._show_actor()
            self.actor_changed.emit(admin)


def _close_dialogs(window: QWidget) -> None:
    """Modal dialogs would stay on top of the lock screen with whatever they show: close them."""
    for _ in range(10):
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, QDialog):
            break
        modal.reject()
    for dialog in window.findChildren(QDialog):
        if dialog.isVisible():
            dialog.reject()


def security(window: Shell) -> Security:
    return window.feature(Security)


def install(window: Shell) -> None:
    guard = Security(window)
    key = QKeySequence
    menu = window.menu("&Staff")
    menu.addAction(
        window.add_action(
            "switchUserAction", "&Switch user…", [key("Ctrl+Shift+U")], guard.switch_user
        )
    )
    menu.addAction(window.add_action("lockAction", "&Lock", [key("Ctrl+Shift+L")], guard.lock))
    menu.addSeparator()
    set_up = window.add_action("setUpAdminAction", "Set up an &admin…", [], guard.set_up_admin)
    menu.addAction(set_up)
    menu.aboutToShow.connect(lambda: set_up.setVisible(guard.desk.auth.needs_setup()))
