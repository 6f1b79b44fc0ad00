"""Sign-in, switching user, the idle lock and the Staff menu.

The window's content sits in a stack with the lock screen: while locked the content page is not
shown at all (not merely covered), the open customer and the search are cleared, and every action
but Quit is disabled, so no shortcut can reach customer data. The status bar is hidden too: its
messages and the call timer name customers.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from csdesk.domain import Change, Staff
from csdesk.errors import CsdeskError
from csdesk.services.auth import FRONT_DESK, IDLE_LOCK_KEY, SIGN_IN_KEY
from csdesk.ui.dialogs.admin_setup import AdminSetupDialog
from csdesk.ui.main_window import MainWindow
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


class Security(QObject):
    """One per window; find it with `window.findChild(Security)`."""

    lock_changed = Signal(bool)
    actor_changed = Signal(object)  # Staff

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("security")
        self.window = window
        self.desk = window.desk
        self.locked = False
        self.switching = False
        self._disabled: list[object] = []
        self._hidden: list[QToolBar] = []

        content = window.takeCentralWidget()
        assert content is not None, "the shell sets its central widget before features install"
        self.stack = QStackedWidget()
        self.stack.setObjectName("securityStack")
        self.stack.addWidget(content)
        self.content: QWidget = content
        self.lock_screen = LockScreen(self.desk)
        self.stack.addWidget(self.lock_screen)
        window.setCentralWidget(self.stack)
        self.lock_screen.signed_in.connect(self._signed_in)
        self.lock_screen.front_desk.connect(self._as_front_desk)
        self.lock_screen.cancelled.connect(self._cancel_switch)

        self.actor_label = window.findChild(QLabel, "actorLabel")
        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idleTimer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.idle_lock)
        self.set_idle_interval(self.desk.auth.idle_lock_minutes * 60_000)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        window.bus.changed.connect(self._on_change)
        self._show_actor()

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
        if not self.locked:
            self._disabled = []
            for action in window.actions():
                if action is not window.quit_action and action.isEnabled():
                    action.setEnabled(False)
                    self._disabled.append(action)
            window.menuBar().setEnabled(False)
            window.escape.setEnabled(False)
            # features' toolbars (the handover banner) may show what customers must not see
            self._hidden = [bar for bar in window.findChildren(QToolBar) if bar.isVisible()]
            for bar in self._hidden:
                bar.hide()
            window.statusBar().clearMessage()
            window.statusBar().hide()  # a hidden bar shows no message and no call timer
        self.locked = True
        self.switching = switching
        self.idle_timer.stop()
        if switching and self.idle_ms > 0:
            self.idle_timer.start()  # walking away mid-switch still locks properly
        self.stack.setCurrentWidget(self.lock_screen)  # first: focus only lands on what is shown
        preferred = None if switching else self.desk.actor.name
        self.lock_screen.prepare(switching=switching, preferred=preferred)
        self._show_actor()
        self.lock_changed.emit(True)

    def switch_user(self) -> None:
        self.lock(switching=True)

    def unlock(self) -> None:
        if not self.locked:
            return
        for action in self._disabled:
            action.setEnabled(True)  # type: ignore[attr-defined]
        self._disabled = []
        self.window.menuBar().setEnabled(True)
        for bar in self._hidden:
            bar.show()
        self._hidden = []
        self.window.statusBar().show()
        self.window.escape.setEnabled(True)
        self.locked = False
        self.switching = False
        self.stack.setCurrentWidget(self.content)
        self.window._update_actions()
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
        if self.actor_label is None:
            return
        if self.locked and not self.switching:
            self.actor_label.setText("Locked")
            return
        actor = self.desk.actor
        role = ROLE_NAMES.get(actor.role.value, actor.role.value)
        self.actor_label.setText(f"Acting as {actor.name} ({role})")

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


def security(window: MainWindow) -> Security:
    found = window.findChild(Security)
    if found is None:
        raise RuntimeError("the security feature is not installed")
    return found


def install(window: MainWindow) -> None:
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
    menu.addAction(
        window.add_action("setUpAdminAction", "Set up an &admin…", [], guard.set_up_admin)
    )
    menu.aboutToShow.connect(
        lambda: window.findChild(QAction, "setUpAdminAction").setVisible(  # type: ignore[union-attr]
            guard.desk.auth.needs_setup()
        )
    )
    from csdesk.ui.features import admin, backups, privacy

    for part in (admin, backups, privacy):
        part.install(window)


def start_session(window: MainWindow, *, signed_in: bool) -> None:
    """The real app's start (tests of other features build windows without it): lock the door
    unless someone just signed in, then the startup backup and the daily ones."""
    from csdesk.ui.features.backups import backups

    if not signed_in:
        security(window).gate()
    backups(window).start()


def end_session(window: MainWindow) -> None:
    """After the window closed: the exit backup (the app waits for it, briefly)."""
    from csdesk.ui.features.backups import backups

    backups(window).on_exit()
