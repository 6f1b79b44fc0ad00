"""The server went away: one calm line, and nothing offered that cannot work until it is back.

LiveCounters (ui/features/live.py) hears it first: its listener's connection drops within a
second or two of the server stopping, and it reconnects by itself with backoff. This feature
only shows it:
- one line in the status bar ("The server is not answering ..."), gone when it is back;
- the window's actions (menus and their shortcuts) disabled meanwhile, except the ones that do
  not touch the database (Help, Quit): a dialog that cannot save is not offered. What is typed
  stays where it is typed: the search field and any open form are not touched, and a form's
  draft is kept on this computer as always (services.drafts), so a save tried during the
  outage says "not saved" and keeps its text for the next try;
- when it is back, the actions come back and LiveCounters has already read what the other
  counters wrote meanwhile; the customer on screen and the search list are loaded anew.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from csdesk.domain import Change
from csdesk.ui.features.live import LiveCounters
from csdesk.ui.shell import Feature, Shell

LINE = "The server is not answering; csdesk keeps trying. What you type stays here."
BACK = "The server is back; everything shown is up to date."
# Actions that need no database: they stay usable while the server is away.
_KEEP = frozenset({"quitAction", "aboutAction", "shortcutsAction", "findAction"})


class Outage(Feature):
    def __init__(self, window: Shell, live: LiveCounters) -> None:
        super().__init__(window, "outageFeature")
        self.window = window
        self.line = QLabel(LINE)
        self.line.setObjectName("outageLine")
        self.line.setAccessibleName("The server is not answering")
        self.line.setToolTip("Saving and searching wait until the server answers again; "
                             "csdesk reconnects by itself and then shows what changed meanwhile.")
        self.line.setWordWrap(False)
        self.line.hide()
        window.statusBar().addWidget(self.line, 1)
        self._disabled: list[QAction] = []
        live.connection_changed.connect(self._changed)

    @property
    def showing(self) -> bool:
        return not self.line.isHidden()

    def _changed(self, connected: bool) -> None:
        if connected:
            self._back()
        else:
            self._gone()

    def _gone(self) -> None:
        self.line.show()
        for action in self.window.actions():  # every window action (Shell.add_action adds it)
            if action.isEnabled() and action.objectName() not in _KEEP:
                action.setEnabled(False)
                self._disabled.append(action)

    def _back(self) -> None:
        self.line.hide()
        for action in self._disabled:
            action.setEnabled(True)
        self._disabled = []
        self.window.update_actions()
        # What the customer view and the list show, loaded anew on the new connection (what
        # others wrote meanwhile came through the change log already; this covers the rest).
        self.window.customer_view.on_change(Change("customer"))
        self.window.search.refresh()
        self.window.statusBar().showMessage(BACK, 6000)


def install(window: Shell) -> None:
    live = window.find_feature(LiveCounters)
    if live is not None:
        Outage(window, live)
