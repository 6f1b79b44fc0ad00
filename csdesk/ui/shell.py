"""The shell: search on the left, the customer on the right, and the small API features install
through (see `Shell` and `Feature`). It imports no feature: ui.main_window puts them in.

What a feature may do to the window, it does through these (never through private members,
never by adding attributes, never by looking for another feature's widgets):
- menus and actions: `menu(title)`, `add_action(...)`, `add_shortcut_help(...)`;
- a customer tab: `add_section(widget, title)`; a toolbar above the content: `add_toolbar(bar)`;
- the status bar: `add_status_item(widget)`, `set_actor_text(text)`;
- overlays that take the place of the content (the lock screen): `add_overlay`, `show_overlay`,
  `show_content`; while one shows, every action but Quit is off and the toolbars are hidden;
- each other: a `Feature` registers itself; `feature(Type)` finds it by its class;
- work off the UI thread: `run_op(fn)` (ui.workers.Op) as the current actor;
- start-up work the first search does not need: `after_first_results(fn)`.
The shell owns its Desk's lifetime: `teardown()` (on close, and before the app closes the Desk)
tears every feature down (their timers stop) before anything closes the database.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from csdesk import __version__
from csdesk.domain import Change
from csdesk.errors import ServerUnavailable
from csdesk.services.desk import Desk
from csdesk.ui.change_bus import ChangeBus
from csdesk.ui.widgets.customer_view import CustomerView
from csdesk.ui.widgets.search_panel import SearchPanel
from csdesk.ui.workers import Op, OpFn, run_op

log = logging.getLogger(__name__)

F = TypeVar("F", bound="Feature")

# The keys that are not menu actions; every action with a shortcut is listed after these.
BASE_SHORTCUTS = [
    ("Type", "Search by name, phone or e-mail"),
    ("Up / Down", "Move in the results"),
    ("Enter", "Open the selected customer"),
    ("Esc", "Clear and go back to the search"),
]


def shortcuts_table(rows: list[tuple[str, str]]) -> str:
    """Two key/what columns side by side, so two dozen shortcuts fit on a laptop screen."""
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    cells = []
    for i, (keys, text) in enumerate(left):
        pair = f"<td><b>{html.escape(keys)}</b></td><td>{html.escape(text)}</td>"
        if i < len(right):
            other_keys, other_text = right[i]
            pair += (
                f"<td width=24></td><td><b>{html.escape(other_keys)}</b></td>"
                f"<td>{html.escape(other_text)}</td>"
            )
        cells.append(f"<tr>{pair}</tr>")
    return f"<table cellpadding=3>{''.join(cells)}</table>"


def window_title(desk: Desk) -> str:
    shop = str(desk.setting("shop_name", "") or "").strip()
    title = f"{shop} · csdesk" if shop else "csdesk"
    # Seen in the task bar too; the banner in the window says why (ui/features/read_only.py).
    return f"{title} (read-only)" if desk.read_only else title


class Feature(QObject):
    """What a feature installs: a child of the shell, registered so others find it by type.

    `teardown()` runs when the shell closes, before its Desk does: it stops every timer the
    feature owns (make them with `timer(...)` or as children of the feature). Override it to
    undo more (an application-wide event filter), calling super().
    """

    def __init__(self, shell: Shell, name: str) -> None:
        super().__init__(shell)
        self.setObjectName(name)
        self.shell = shell
        shell.add_feature(self)

    def timer(self, name: str, interval_ms: int, slot: Callable[[], object]) -> QTimer:
        timer = QTimer(self)
        timer.setObjectName(name)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    def teardown(self) -> None:
        for timer in self.findChildren(QTimer):
            timer.stop()


class Shell(QMainWindow):
    """The window features install into; ui.main_window.MainWindow is it with every feature."""

    # A call began (customer id or None for an unknown caller, "in"/"out"): the visits feature
    # starts its call timer. Caller ID and F6 both come through start_call().
    call_started = Signal(object, str)

    def __init__(
        self,
        desk: Desk,
        bus: ChangeBus | None = None,
        parent: QWidget | None = None,
        *,
        install: Callable[[Shell], None] | None = None,
    ) -> None:
        super().__init__(parent)
        if desk.target is None:
            raise ValueError("the window needs a desk opened from a file, for its worker threads")
        self.setObjectName("mainWindow")
        self.setAccessibleName("csdesk")
        self.desk = desk
        self.bus = bus or ChangeBus(self)
        if bus is None:
            self.bus.attach(desk)
        self.setWindowTitle(window_title(desk))
        # WAL checkpoints on their own thread, so a commit at the counter never pays for one.
        desk.start_background_checkpoints()

        self.search = SearchPanel(desk.target, region=desk.region, clock=desk.clock, tz=desk.tz)
        self.customer_view = CustomerView(desk)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(1)
        splitter.addWidget(self.search)
        splitter.addWidget(self.customer_view)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([350, 930])
        self.search.setMinimumWidth(260)
        # The content and any overlays (the lock screen) share one place: an overlay is shown
        # instead of the content, not over it, so nothing of a customer can show through.
        self.content: QWidget = splitter
        self._stack = QStackedWidget()
        self._stack.setObjectName("shellStack")
        self._stack.addWidget(splitter)
        self.setCentralWidget(self._stack)
        self._features: list[Feature] = []
        self._toolbars: list[QToolBar] = []
        self._overlay_disabled: list[QAction] = []
        self._overlay_hidden: list[QToolBar] = []
        self._torn_down = False
        self._after_first_results: list[Callable[[], object]] | None = []

        self.search.customer_chosen.connect(self.open_customer)
        self.search.results_shown.connect(self._first_results)
        self.customer_view.edit_requested.connect(self.edit_customer)
        self.customer_view.customer_changed.connect(lambda _c: self.update_actions())
        self.bus.changed.connect(self._on_change)

        self._menus: dict[str, QMenu] = {}
        self._help_rows: list[tuple[str, str]] = []  # features' shortcuts for Help
        # Asked before the window closes (a running call timer, ...); the real app turns this
        # on (app.main), so tests that close windows at teardown never meet a modal question.
        self.guard_close = False
        self._close_guards: list[Callable[[], bool]] = []
        self._build_actions()
        self._build_menus()
        self.actor_label = QLabel(f"Acting as {desk.actor.name}")
        self.actor_label.setObjectName("actorLabel")
        self.actor_label.setProperty("tone", "muted")
        self.statusBar().addPermanentWidget(self.actor_label)
        self.statusBar().setObjectName("statusBar")
        self.resize(1280, 800)
        if install is not None:
            install(self)
        self.update_actions()
        self.search.refresh()  # the recent customers, straight away
        self.search.field.setFocus()

    # -- actions and menus ---------------------------------------------------------------------
    def add_action(self, name: str, text: str, keys: list[QKeySequence], slot: object) -> QAction:
        """A window-wide action with shortcuts, for features to put in their menus."""
        return self._action(name, text, keys, slot)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Base keys, then every action that has a shortcut: Help always tells the truth."""
        rows = list(BASE_SHORTCUTS)
        for action in self.actions():
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
            if keys and action.text():
                text = action.text().replace("&", "").rstrip("…").rstrip(".")
                rows.append((", ".join(keys), text))
        return rows

    def _action(self, name: str, text: str, keys: list[QKeySequence], slot: object) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        key = QKeySequence
        self.new_action = self._action(
            "newCustomerAction", "&New customer…", [key("Ctrl+N")], self.new_customer
        )
        self.edit_action = self._action(
            "editCustomerAction", "&Edit customer…", [key("Ctrl+E")], self.edit_customer
        )
        self.quit_action = self._action("quitAction", "&Quit", [key("Ctrl+Q")], self.close)
        self.find_action = self._action(
            "findAction", "&Find customer", [key("Ctrl+F"), key("F2")], self.search.focus_search
        )
        self.shortcuts_action = self._action(
            "shortcutsAction", "&Keyboard shortcuts", [key("F1")], self.show_shortcuts
        )
        self.about_action = self._action("aboutAction", "&About csdesk", [], self.show_about)
        # Esc always leads back to the search, wherever the focus is in this window
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self.escape.activated.connect(self.back_to_search)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        bar.setAccessibleName("Main menu")
        customer = self.menu("&Customer")
        customer.addAction(self.new_action)
        customer.addAction(self.edit_action)
        customer.addSeparator()
        customer.addAction(self.quit_action)
        view = self.menu("&View")
        view.addAction(self.find_action)
        helpm = self.menu("&Help")
        helpm.addAction(self.shortcuts_action)
        helpm.addAction(self.about_action)

    def menu(self, title: str) -> QMenu:
        """The menu with this title, created just before Help if it does not exist yet."""
        if title not in self._menus:
            menu = QMenu(title, self)
            help_menu = self._menus.get("&Help")
            if help_menu is not None:  # Help stays last, where people look for it
                self.menuBar().insertMenu(help_menu.menuAction(), menu)
            else:
                self.menuBar().addMenu(menu)
            plain = title.replace("&", "")
            menu.setObjectName(f"{plain.lower()}Menu")
            menu.setAccessibleName(f"{plain} menu")
            self._menus[title] = menu
        return self._menus[title]

    def after_first_results(self, work: Callable[[], object]) -> None:
        """Start-up work the first search does not need (an interrupted import's message):
        it runs once the first results are on screen, so the search field is usable sooner."""
        if self._after_first_results is None:
            self._run_later(work)
        else:
            self._after_first_results.append(work)

    def _first_results(self, _query: str) -> None:
        pending, self._after_first_results = self._after_first_results, None
        self.search.results_shown.disconnect(self._first_results)
        for work in pending or []:
            self._run_later(work)  # after this paint, one at a time

    def _run_later(self, work: Callable[[], object]) -> None:
        # never on a closed desk: the window may be torn down before the timer fires
        QTimer.singleShot(0, self, lambda: None if self._torn_down else self._start_up(work))

    @staticmethod
    def _start_up(work: Callable[[], object]) -> None:
        try:
            work()
        except ServerUnavailable as exc:  # start-up extras: the outage line says the rest
            log.info("start-up work skipped, the server is away: %s", exc)

    def add_close_guard(self, guard: Callable[[], bool]) -> None:
        """`guard()` runs before the window closes (when guard_close is on) and returns False to
        keep it open: it holds work that is not saved and the person chose to stay."""
        self._close_guards.append(guard)

    def add_shortcut_help(self, keys: str, text: str) -> None:
        """A row for Help → Keyboard shortcuts, for features' own shortcuts."""
        self._help_rows.append((keys, text))

    def shortcuts_help(self) -> str:
        """Help → Keyboard shortcuts: the actions' keys, then rows features added by hand."""
        rows = self.shortcut_rows()
        known = {keys for keys, _text in rows}
        rows += [(k, t) for k, t in self._help_rows if k not in known]
        return shortcuts_table(rows)

    def update_actions(self) -> None:
        self.edit_action.setEnabled(self.customer_view.customer is not None)

    # -- the API features install through ------------------------------------------------------
    def add_feature(self, feature: Feature) -> None:
        self._features.append(feature)

    def find_feature(self, kind: type[F]) -> F | None:
        return next((f for f in self._features if isinstance(f, kind)), None)

    def feature(self, kind: type[F]) -> F:
        found = self.find_feature(kind)
        if found is None:
            raise RuntimeError(f"the {kind.__name__} feature is not installed")
        return found

    def add_section(self, widget: QWidget, title: str) -> int:
        """A tab on the customer's side; returns its index."""
        return self.customer_view.add_section(widget, title)

    def add_toolbar(self, bar: QToolBar) -> None:
        """A bar above the content (the handover banner); hidden while an overlay shows."""
        self._toolbars.append(bar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def add_status_item(self, widget: QWidget) -> None:
        """A widget on the left of the status bar (the call timer, the follow-ups count)."""
        self.statusBar().addWidget(widget)

    def set_actor_text(self, text: str) -> None:
        self.actor_label.setText(text)

    def add_overlay(self, widget: QWidget) -> None:
        self._stack.addWidget(widget)

    @property
    def overlay(self) -> QWidget | None:
        """The overlay shown instead of the content, if any."""
        current = self._stack.currentWidget()
        return None if current is self.content else current

    def show_overlay(self, widget: QWidget) -> None:
        """Show `widget` instead of the content: every action but Quit, the menus, Esc, the
        toolbars and the status bar are off until show_content()."""
        if self.overlay is None:
            self._overlay_disabled = [
                a for a in self.actions() if a is not self.quit_action and a.isEnabled()
            ]
            for action in self._overlay_disabled:
                action.setEnabled(False)
            self.menuBar().setEnabled(False)
            self.escape.setEnabled(False)
            self._overlay_hidden = [bar for bar in self._toolbars if bar.isVisible()]
            for bar in self._overlay_hidden:
                bar.hide()
            self.statusBar().clearMessage()
            self.statusBar().hide()  # a hidden bar shows no message and no call timer
        self._stack.setCurrentWidget(widget)  # first: focus only lands on what is shown

    def show_content(self) -> None:
        if self.overlay is None:
            return
        for action in self._overlay_disabled:
            action.setEnabled(True)
        self._overlay_disabled = []
        self.menuBar().setEnabled(True)
        for bar in self._overlay_hidden:
            bar.show()
        self._overlay_hidden = []
        self.statusBar().show()
        self.escape.setEnabled(True)
        self._stack.setCurrentWidget(self.content)
        self.update_actions()

    def run_op(self, fn: OpFn, parent: QObject | None = None) -> Op:
        """An Op on this window's database as whoever is signed in: connect, then start()."""
        return run_op(self.desk, fn, parent=parent or self)

    def teardown(self) -> None:
        """Before the Desk closes: features tear down (last installed first), the search
        thread and the checkpoints stop. Safe to call twice."""
        if self._torn_down:
            return
        self._torn_down = True
        for feature in reversed(self._features):
            feature.teardown()
        self.search.stop()
        self.desk.stop_background_checkpoints()

    # -- what the user does --------------------------------------------------------------------
    def open_customer(self, customer_id: int) -> None:
        self.customer_view.show_customer(customer_id)
        # ready for the next person: typing replaces the old search
        self.search.focus_search()

    def start_call(self, customer_id: int | None, direction: str = "in") -> None:
        """A call with this customer (None: an unknown number): open them, start the timer."""
        if customer_id is not None:
            self.open_customer(customer_id)
        self.call_started.emit(customer_id, direction)

    def back_to_search(self) -> None:
        self.search.clear_and_focus()

    def new_customer(self) -> None:
        # "Nobody matches ... press Ctrl+N": start the form with what was already typed
        from csdesk.ui.dialogs.customer_form import CustomerForm, draft_from_search
        prefill = None
        if self.search.shown_query and self.search.model.rowCount() == 0:
            prefill = draft_from_search(self.search.field.text())
        saved = CustomerForm.ask(self, self.desk, prefill=prefill)
        if saved is not None:
            self.open_customer(saved.id)

    def edit_customer(self) -> None:
        from csdesk.ui.dialogs.customer_form import CustomerForm
        current = self.customer_view.customer
        if current is None:
            self.statusBar().showMessage("Open a customer first, then Ctrl+E edits them.", 4000)
            return
        saved = CustomerForm.ask(self, self.desk, current)
        if saved is not None:
            self.open_customer(saved.id)

    def show_shortcuts(self) -> None:
        from csdesk.ui.dialogs.shortcuts_dialog import ShortcutsDialog
        ShortcutsDialog.ask(self, self.shortcuts_help())

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About csdesk",
            f"csdesk {__version__}\nFind any customer in a keystroke and greet them by name.",
        )

    # -- keeping views current -----------------------------------------------------------------
    def _on_change(self, change: object) -> None:
        if not isinstance(change, Change):
            return
        if change.kind == "settings":
            self.setWindowTitle(window_title(self.desk))
            return
        self.customer_view.on_change(change)
        self.search.refresh()  # names, recency and counts may have moved

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.guard_close and not all(guard() for guard in self._close_guards):
            event.ignore()
            return
        super().closeEvent(event)
        if event.isAccepted():
            self.teardown()
