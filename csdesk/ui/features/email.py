"""E-mail in the window: the E-mail menu (outbox, e-mail a group, send now, settings), the
outbox count in the status bar when it is not empty, and the sender.

The sender is the window's one way of working off the UI thread, an Op (ui/workers.py), started
by a timer every minute (and at once after something is queued) when the shop has a mail server
and mail is due; only one runs at a time. A cron `csdesk outbox send` may run beside it: the
outbox's claims keep them from sending the same e-mail (services/outbox_sender.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from csdesk.domain import Change
from csdesk.errors import CsdeskError
from csdesk.services.auth import Permission
from csdesk.ui.features.guard import permitted
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import Op, Progress

if TYPE_CHECKING:
    from csdesk.services.desk import Desk
    from csdesk.services.outbox_sender import SendReport
    from csdesk.ui.dialogs.outbox_dialog import OutboxDialog

SEND_EVERY_MS = 60_000
COUNT_EVERY_MS = 15_000  # a cron job or another till may have sent or queued meanwhile


class EmailFeature(Feature):
    def __init__(self, window: Shell) -> None:
        super().__init__(window, "emailFeature")
        self.window = window
        self.desk = window.desk
        self.op: Op | None = None
        self.last_report: SendReport | None = None
        self.outbox: OutboxDialog | None = None
        self.count_label = QLabel()
        self.count_label.setObjectName("outboxCount")
        self.count_label.setAccessibleName("E-mail waiting in the outbox")
        self.count_label.hide()
        window.add_status_item(self.count_label)

        self.outbox_action = window.add_action(
            "outboxAction", "&Outbox…", [QKeySequence("Ctrl+Alt+M")], self.show_outbox)
        self.group_action = window.add_action(
            "emailGroupAction", "E-mail a &group…", [], self.email_group)
        self.send_action = window.add_action("sendMailAction", "&Send now", [], self.send_now)
        self.settings_action = window.add_action(
            "emailSettingsAction", "E-mail &settings…", [], self.settings)
        self.send_action.setStatusTip("Send the e-mail that is due now")
        menu = window.menu("E-&mail")
        bar, help_menu = window.menuBar(), window.menu("&Help")
        bar.removeAction(menu.menuAction())
        bar.insertMenu(help_menu.menuAction(), menu)
        for action in (self.outbox_action, self.group_action, self.send_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.settings_action)

        window.bus.changed.connect(self._on_change)
        self.send_timer = self.timer("emailSendTimer", SEND_EVERY_MS, self.send_now)
        self.count_timer = self.timer("emailCountTimer", COUNT_EVERY_MS, self.update_count)
        self.send_timer.start()
        self.count_timer.start()
        self.update_count()

    # -- the status bar --------------------------------------------------------------------------
    def update_count(self) -> int:
        try:
            counts = self.desk.outbox.counts()
        except CsdeskError:
            return 0
        waiting = counts["queued"] + counts["sending"]
        failed = counts["failed"]
        parts = []
        if waiting:
            parts.append(f"{waiting} to send")
        if failed:
            parts.append(f"{failed} failed")
        self.count_label.setText(f"✉ Outbox: {', '.join(parts)}" if parts else "")
        self.count_label.setStyleSheet("color: #b3261e;" if failed else "")
        self.count_label.setVisible(bool(parts))
        return waiting + failed

    def _on_change(self, change: object) -> None:
        if isinstance(change, Change) and change.kind in ("outbox", "email", "customer", "settings"):
            self.update_count()
            if self.outbox is not None and self.outbox.isVisible():
                self.outbox.refresh()
            if change.kind == "outbox" and self.op is None:
                self.send_now()  # just queued: it goes now, not in a minute

    # -- sending (an Op: never on the UI thread) ---------------------------------------------------
    def send_now(self) -> Op | None:
        if self.op is not None:
            return self.op
        try:
            if not self.desk.outbox.is_configured() or not self.desk.outbox.counts()["queued"]:
                return None
        except CsdeskError:
            return None

        def work(desk: Desk, progress: Progress) -> SendReport:
            return desk.mail_sender.send_due(progress=progress)

        op = self.op = self.window.run_op(work, parent=self)
        op.succeeded.connect(self._sent)
        op.failed.connect(lambda message: self._ended(message))
        op.cancelled.connect(lambda _r: self._ended(""))
        return op.start()

    def _sent(self, report: SendReport) -> None:
        self.last_report = report
        words = []
        if report.sent:
            words.append(f"{len(report.sent)} e-mail(s) sent")
        if report.failed:
            words.append(f"{len(report.failed)} failed (see the outbox)")
        if report.stopped:
            words.append(f"sending paused: {report.stopped}")
        self._ended("; ".join(words))

    def _ended(self, message: str) -> None:
        self.op = None
        if message:
            self.window.statusBar().showMessage(message[0].upper() + message[1:], 8000)
        self.update_count()

    def teardown(self) -> None:
        super().teardown()
        if self.op is not None:  # stop after the message in hand; it is recorded either way
            self.op.cancel()
            self.op.wait()

    # -- dialogs ---------------------------------------------------------------------------------
    def show_outbox(self) -> OutboxDialog:
        from csdesk.ui.dialogs.outbox_dialog import OutboxDialog
        if self.outbox is None:
            self.outbox = OutboxDialog(self.desk, self.window, send_now=self.send_now)
        self.outbox.show_outbox()
        return self.outbox

    def email_group(self) -> None:
        from csdesk.ui.dialogs.email_group import EmailGroupDialog
        report = EmailGroupDialog.ask(self.window, self.desk)
        if report is not None and report.queued:
            self.send_now()

    def settings(self) -> bool:
        from csdesk.ui.dialogs.email_settings import EmailSettingsDialog
        if not permitted(self.window, self.desk.actor, Permission.MANAGE_SETTINGS):
            return False
        return EmailSettingsDialog.ask(self.window, self.desk)


def install(window: Shell) -> None:
    EmailFeature(window)
