"""Backups: automatic at start, daily and on exit; by hand; restore; the database check.

All of it runs in workers with their own connection, so the counter never waits for a backup.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from csdesk.services.auth import Permission
from csdesk.services.backup import BackupResult, RestoreResult
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.notice import Confirm, Notice
from csdesk.ui.features.guard import permitted
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import Op

DAILY_CHECK_MS = 60 * 60 * 1000  # hourly: the service makes at most one automatic backup a day
SLOW_EXIT_MS = 200  # show a small progress when the exit backup takes longer than this


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


class Backups(Feature):
    def __init__(self, window: Shell) -> None:
        super().__init__(window, "backups")
        self.window = window
        self.desk = window.desk
        self.daily = self.timer("dailyBackupTimer", DAILY_CHECK_MS, lambda: self.auto("daily"))
        self.last_result: object = None  # what the last background job returned (for tests)
        self.pending: set[Op] = set()  # running jobs; exit waits for all of them

    def _run(
        self,
        work: Callable[[Desk], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None] | None = None,
    ) -> Op:
        op = self.window.run_op(lambda d, _p: work(d), parent=self)
        op.succeeded.connect(done)
        op.failed.connect(failed or self._failed)
        self.pending.add(op)
        op.ended.connect(lambda o=op: self.pending.discard(o))
        return op.start()

    def _failed(self, message: str) -> None:
        self.last_result = message
        Notice.ask(self.window, "Backup", message, kind="warning")

    # -- automatic -----------------------------------------------------------------------------
    def start(self) -> None:
        """At start: warn about a network share once, back up, then check daily."""
        warning = self.desk.backups.network_warning()
        if warning:
            QTimer.singleShot(
                0, lambda: Notice.ask(self.window, "Where the data is", warning, kind="warning")
            )
        self.auto("startup")
        self.daily.start()

    def auto(self, reason: str) -> Op:
        return self._run(lambda d: d.backups.auto(reason), self._auto_done, self._auto_failed)

    def _auto_done(self, result: object) -> None:
        self.last_result = result
        if isinstance(result, BackupResult):
            self.window.statusBar().showMessage(f"Backed up to {result.path.name}.", 5000)

    def _auto_failed(self, message: str) -> None:
        # an automatic backup must not interrupt the counter: say it where it is seen, quietly
        self.last_result = message
        self.window.statusBar().showMessage(f"The automatic backup failed: {message}", 15000)

    def on_exit(self) -> None:
        """Back up once more before the app ends; a small progress if it takes a moment."""
        self.daily.stop()
        self._run(lambda d: d.backups.auto("exit"), self._exit_done, self._exit_done)
        progress = QProgressDialog("Saving a backup before closing…", "", 0, 0)
        progress.setObjectName("exitBackupProgress")
        progress.setAccessibleName("Saving a backup before closing")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.setMinimumDuration(SLOW_EXIT_MS)
        progress.setValue(0)
        for op in list(self.pending):  # a startup or daily backup still running ends first
            op.wait()
        progress.close()

    def _exit_done(self, result: object) -> None:
        self.last_result = result

    # -- by hand -------------------------------------------------------------------------------
    def backup_now(self) -> Op | None:
        if not permitted(self.window, self.desk.actor, Permission.BACKUP):
            return None
        self.window.statusBar().showMessage("Backing up…")
        return self._run(lambda d: d.backups.backup(), self._backed_up)

    def _backed_up(self, result: object) -> None:
        self.last_result = result
        if isinstance(result, BackupResult):
            self.window.statusBar().showMessage(
                f"Backed up to {result.path} ({_size(result.size)}, {result.seconds:.1f} s).",
                10000,
            )

    def restore(self) -> Op | None:
        if not permitted(self.window, self.desk.actor, Permission.RESTORE):
            return None
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Restore from a backup",
            str(self.desk.backups.folder),
            "csdesk backups (*.db);;All files (*)",
        )
        return self.restore_from(Path(path)) if path else None

    def restore_from(self, source: Path) -> Op | None:
        if not Confirm.ask(
            self.window,
            "Restore from a backup",
            f"Replace all of csdesk's data with the backup {source.name}?\n\n"
            "Today's data is saved as a backup first, so you can go back. csdesk then reloads "
            "and asks everyone to sign in again. Close csdesk on any other computer first.",
            yes="Restore",
        ):
            return None
        self.window.statusBar().showMessage("Restoring…")
        return self._run(lambda d: d.backups.restore(source), self._restored)

    def _restored(self, result: object) -> None:
        # The restore's Change reached every view before this (the Op published it): the
        # security feature has already started again from the restored sign-in rules.
        self.last_result = result
        window = self.window
        window.customer_view.show_customer(None)
        window.search.clear_and_focus()
        if isinstance(result, RestoreResult):
            Notice.ask(
                window,
                "Restored",
                f"csdesk now holds the data from {result.restored_from.name}.\n"
                f"What was there before is saved as {result.previous_saved_as.name}.",
            )

    def check(self) -> Op:
        self.window.statusBar().showMessage("Checking the database…")
        return self._run(lambda d: d.backups.check(), self._checked)

    def _checked(self, report: Any) -> None:
        self.last_result = report
        self.window.statusBar().clearMessage()
        lines = [f"• {line}" for line in getattr(report, "checked", [])]
        if getattr(report, "ok", False):
            text = "The database is healthy.\n\n" + "\n".join(lines)
            kind = "info"
        else:
            problems = "\n".join(f"• {p}" for p in getattr(report, "problems", []))
            text = (
                f"The check found problems:\n{problems}\n\nMake a backup of what you have, "
                "then restore the newest good backup (Data → Restore).\n\n" + "\n".join(lines)
            )
            kind = "warning"
        Notice.ask(self.window, "Database check", text, kind=kind)


def backups(window: Shell) -> Backups:
    return window.feature(Backups)


def install(window: Shell) -> None:
    jobs = Backups(window)
    menu = window.menu("&Data")
    menu.addAction(
        window.add_action(
            "backupNowAction", "&Back up now", [QKeySequence("Ctrl+Shift+B")], jobs.backup_now
        )
    )
    menu.addAction(window.add_action("restoreAction", "&Restore from a backup…", [], jobs.restore))
    menu.addSeparator()
    menu.addAction(window.add_action("checkDbAction", "&Check the database", [], jobs.check))
