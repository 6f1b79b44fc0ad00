"""The shell: search on the left, the customer on the right, a menu bar later features extend."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QSplitter, QWidget

from csdesk import __version__
from csdesk.domain import Change
from csdesk.services.desk import Desk
from csdesk.ui.change_bus import ChangeBus
from csdesk.ui.dialogs.customer_form import CustomerForm, draft_from_search
from csdesk.ui.dialogs.shortcuts_dialog import ShortcutsDialog
from csdesk.ui.features import install_all as install_features
from csdesk.ui.widgets.customer_view import CustomerView
from csdesk.ui.widgets.search_panel import SearchPanel

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
    return f"{shop} · csdesk" if shop else "csdesk"


class MainWindow(QMainWindow):
    """Later features add menu entries via `menu(name)` and tabs via `customer_view.add_section`."""

    # A call began (customer id or None for an unknown caller, "in"/"out"): the visits feature
    # starts its call timer. Caller ID and F6 both come through start_call().
    call_started = Signal(object, str)

    def __init__(
        self, desk: Desk, bus: ChangeBus | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if desk.path is None:
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

        self.search = SearchPanel(desk.path, region=desk.region, clock=desk.clock)
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
        self.search.setMinimumWidth(300)
        self.setCentralWidget(splitter)

        self.search.customer_chosen.connect(self.open_customer)
        self.customer_view.edit_requested.connect(self.edit_customer)
        self.customer_view.customer_changed.connect(lambda _c: self._update_actions())
        self.bus.changed.connect(self._on_change)

        self._menus: dict[str, QMenu] = {}
        self._help_rows: list[tuple[str, str]] = []  # features' shortcuts for Help
        # Asked before the window closes (a running call timer, ...); the real app turns this
        # on (app.main), so tests that close windows at teardown never meet a modal question.
        self.guard_close = False
        self._close_guards: list[Callable[[], bool]] = []
        self._build_actions()
        self._build_menus()
        actor = QLabel(f"Acting as {desk.actor.name}")
        actor.setObjectName("actorLabel")
        actor.setProperty("tone", "muted")
        self.statusBar().addPermanentWidget(actor)
        self.statusBar().setObjectName("statusBar")
        self.resize(1280, 800)
        install_features(self)
        self._update_actions()
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

    def _update_actions(self) -> None:
        self.edit_action.setEnabled(self.customer_view.customer is not None)

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
        prefill = None
        if self.search.shown_query and self.search.model.rowCount() == 0:
            prefill = draft_from_search(self.search.field.text())
        saved = CustomerForm.ask(self, self.desk, prefill=prefill)
        if saved is not None:
            self.open_customer(saved.id)

    def edit_customer(self) -> None:
        current = self.customer_view.customer
        if current is None:
            self.statusBar().showMessage("Open a customer first, then Ctrl+E edits them.", 4000)
            return
        saved = CustomerForm.ask(self, self.desk, current)
        if saved is not None:
            self.open_customer(saved.id)

    def show_shortcuts(self) -> None:
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
        self.search.stop()
        self.desk.stop_background_checkpoints()
        super().closeEvent(event)
