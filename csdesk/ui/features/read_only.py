"""A database csdesk may not change (read-only file or media, made by a newer csdesk), said
calmly from the start: one banner above the content with the store's own reason and what to
do, "(read-only)" in the title, and the actions that would change it greyed out with that
reason as their tip. Before, the window looked normal and the user learned it only after
typing a whole visit and pressing Enter.

Which actions stay is a keep-list, not a list of writes: an action a feature adds later is off
here until someone says it only reads, so nobody types into a dialog that cannot save.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QWidget

from csdesk.ui.shell import Feature, Shell
from csdesk.ui.theme import tones

# Reading, looking, exporting, backing up, signing in: what works on a read-only database (the
# store's reason says so too: "searching, viewing, exports and backups work").
KEEP = frozenset({
    "quitAction", "aboutAction", "shortcutsAction", "findAction", "lockAction",
    "switchUserAction", "callTimerAction", "dailyLogAction", "insightsAction",
    "exportCustomersAction", "exportCustomerAction", "backupNowAction", "checkDbAction",
    "outboxAction", "auditAction", "issueListAction", "followUpQueueAction",
    "openTemplatesFolderAction", "reloadTemplatesAction",
})


class Banner(QLabel):
    """A wrapped line as tall as its lines at the width it has: a tool bar asks a label for one
    size before it knows the width, and kept four lines' height for a two-line reason."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.setFixedHeight(self.heightForWidth(self.width()))


class ReadOnly(Feature):
    def __init__(self, window: Shell, reason: str) -> None:
        super().__init__(window, "readOnlyFeature")
        self.reason = reason
        self.banner = Banner(f"Read-only. {reason}")
        self.banner.setObjectName("readOnlyBanner")
        self.banner.setAccessibleName("This database is read-only")
        self.banner.setWordWrap(True)
        # Across the window, as wide as it is: a wrapped label in a tool bar otherwise takes
        # its own guess at a width and wraps a one-line reason into four.
        self.banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        t = tones()
        self.banner.setStyleSheet(
            f"QLabel#readOnlyBanner {{ background: {t.banner_bg}; border-radius: 8px;"
            " padding: 8px 14px; }"
        )
        bar = QToolBar("Read-only")
        bar.setObjectName("readOnlyBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setVisible(False)
        bar.setStyleSheet("QToolBar#readOnlyBar { border: none; padding: 6px 10px 0 10px; }")
        bar.addWidget(self.banner)
        window.add_toolbar(bar)
        self.bar = bar
        self.held: list[QObject] = []
        for action in window.actions():
            if action.objectName() not in KEEP:
                self._hold_action(action)
        view = window.customer_view
        for button in (view.card.edit_button, view.notes.add_button, view.notes.edit_button,
                       view.notes.pin_button, view.notes.delete_button):
            self._hold_widget(button)

    def _hold_action(self, action: QAction) -> None:
        # Features enable their actions again when the customer changes (and the lock screen
        # gives back what it took): whatever turns it on, it goes off again here.
        action.setEnabled(False)
        action.setStatusTip(self.reason)
        action.setToolTip(self.reason)
        action.enabledChanged.connect(lambda on, a=action: on and a.setEnabled(False))
        self.held.append(action)

    def _hold_widget(self, widget: QWidget) -> None:
        widget.setEnabled(False)
        widget.setToolTip(self.reason)
        widget.installEventFilter(self)
        self.held.append(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.EnabledChange
            and isinstance(watched, QWidget)
            and watched.isEnabled()
        ):
            watched.setEnabled(False)  # the panel turned it on for a new customer: still no
        return super().eventFilter(watched, event)


def install(window: Shell) -> None:
    reason = window.desk.read_only
    if reason is not None:
        ReadOnly(window, reason)
