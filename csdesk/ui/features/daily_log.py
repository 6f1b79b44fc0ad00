"""The shift lead's day: the Day menu (daily log, handover note) and the handover banner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QToolBar

from csdesk.domain import Change
from csdesk.errors import CsdeskError
from csdesk.services.auth import Permission, allowed, require
from csdesk.ui.shell import Feature, Shell

if TYPE_CHECKING:
    from csdesk.ui.dialogs.daily_log import DailyLogDialog


class DayFeature(Feature):
    def __init__(self, window: Shell) -> None:
        from csdesk.ui.dialogs.handover import HandoverBanner
        super().__init__(window, "dayFeature")
        self.window = window
        self.dialog: DailyLogDialog | None = None
        self.banner = HandoverBanner()
        # A toolbar above the splitter: the banner comes first without touching the shell's layout.
        bar = QToolBar("Handover")
        bar.setObjectName("handoverBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setVisible(False)
        bar.setStyleSheet("QToolBar#handoverBar { border: none; padding: 6px 10px 0 10px; }")
        bar.addWidget(self.banner)
        window.add_toolbar(bar)
        self.bar = bar
        self.banner.acknowledged.connect(self.acknowledge)

        menu = window.menu("&Day")
        self.log_action = window.add_action(
            "dailyLogAction", "&Daily log…", [QKeySequence("Ctrl+L")], self.open_log
        )
        self.handover_action = window.add_action(
            "handoverAction", "Write &handover note…", [QKeySequence("Ctrl+Shift+H")],
            self.write_handover,
        )
        menu.addAction(self.log_action)
        menu.addAction(self.handover_action)
        window.bus.changed.connect(self.on_change)
        self.update_actions()
        self.refresh_banner()

    def update_actions(self) -> None:
        # Stays enabled: who is acting can change while the window is open (signing in), and a
        # staff member pressing it learns who can write notes instead of meeting a grey item.
        can = allowed(self.window.desk.actor, Permission.WRITE_HANDOVER)
        self.handover_action.setStatusTip("" if can else "Handover notes are for shift leads.")

    def open_log(self) -> DailyLogDialog:
        from csdesk.ui.dialogs.daily_log import DailyLogDialog
        if self.dialog is None:
            self.dialog = DailyLogDialog(self.window)
        else:
            self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def write_handover(self) -> None:
        from csdesk.ui.dialogs.handover import HandoverDialog
        try:
            require(self.window.desk.actor, Permission.WRITE_HANDOVER)
        except CsdeskError as exc:
            self.window.statusBar().showMessage(str(exc), 8000)
            return
        answer = HandoverDialog.ask(self.window)
        if answer is None:
            return
        try:
            self.window.desk.handover.write(answer[0], for_shift=answer[1])
        except CsdeskError as exc:
            self.window.statusBar().showMessage(str(exc), 6000)
            return
        self.window.statusBar().showMessage(
            "Handover note saved. The next person to open csdesk sees it first.", 6000
        )

    def refresh_banner(self) -> None:
        desk = self.window.desk
        # Nobody needs to be handed their own note.
        notes = [n for n in desk.handover.unread() if n.created_by != desk.actor.name]
        self.banner.show_notes(notes, desk.reports.tz)
        self.bar.setVisible(bool(notes))

    def acknowledge(self, note_ids: list[int]) -> None:
        self.window.desk.handover.acknowledge(note_ids)
        self.refresh_banner()
        self.window.back_to_search()

    def on_change(self, change: object) -> None:
        if not isinstance(change, Change):
            return
        if change.kind == "handover":
            self.refresh_banner()
        elif self.dialog is not None and self.dialog.isVisible() and change.kind != "settings":
            self.dialog.follow()


def install(window: Shell) -> None:
    DayFeature(window)
