"""Backups: automatic at start, daily and on exit; by hand; restore; the database check.

All of it runs in workers with their own connection, so the counter never waits for a backup.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from csdesk.services.auth import Permission
from csdesk.services.backup import BackupResult, RestoreResult
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.notice import Confirm, Notice
from csdesk.ui.features.guard import permitted
from csdesk.ui.main_window import MainWindow
from csdesk.ui.workers import Reporter, TaskHandle, start_task

DAILY_CHECK_MS = 60 * 60 * 1000  # hourly: the service makes at most one automatic backup a day
SLOW_EXIT_MS = 200  # show a small progress when the exit backup takes longer than this


def _as(actor: str, work: Callable[[Desk], Any]) -> Callable[[Desk, Reporter], Any]:
    """A task on the worker's own Desk, acting as whoever is signed in on the window."""

    def run(desk: Desk, _reporter: Reporter) -> Any:
        desk.act_as(actor)
        return work(desk)

    return run


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


class Backups(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("backups")
        self.window = window
        self.desk = window.desk
        self.daily = QTimer(self)
        self.daily.setObjectName("dailyBackupTimer")
        self.daily.setInterval(DAILY_CHECK_MS)
        self.daily.timeout.connect(lambda: self.auto("daily"))
        self.last_result: object = None  # what the last background job returned (for tests)
        self.pending: set[TaskHandle] = set()  # running jobs; exit waits for all of them

    def _run(
        self,
        work: Callable[[Desk], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None] | None = None,
    ) -> TaskHandle:
        task = start_task(
            self.desk.path or Path(),
            _as(self.desk.actor.name, work),
            parent=self,
            clock=self.desk.clock,
        )
        task.signals.finished.connect(done)
        task.signals.failed.connect(failed or self._failed)
        self.pending.add(task)
        for ended in (task.signals.finished, task.signals.failed, task.signals.cancelled):
            ended.connect(lambda *_a, t=task: self.pending.discard(t))
        return task.start()

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

    def auto(self, reason: str) -> TaskHandle:
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
        loop = QEventLoop()
        self._run(lambda d: d.backups.auto("exit"), self._exit_done, self._exit_done)
        for task in list(self.pending):  # a startup or daily backup still running ends first
            for ended in (task.signals.finished, task.signals.failed, task.signals.cancelled):
                ended.connect(lambda *_a: loop.quit() if not self.pending else None)
        progress = QProgressDialog("Saving a backup before closing…", "", 0, 0)
        progress.setObjectName("exitBackupProgress")
        progress.setAccessibleName("Saving a backup before closing")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.setMinimumDuration(SLOW_EXIT_MS)
        progress.setValue(0)
        if self.pending:
            loop.exec()
        progress.close()

    def _exit_done(self, result: object) -> None:
        self.last_result = result

    # -- by hand -------------------------------------------------------------------------------
    def backup_now(self) -> TaskHandle | None:
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

    def restore(self) -> TaskHandle | None:
        if not permitted(self.window, self.desk.actor, Permission.RESTORE):
            return None
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Restore from a backup",
            str(self.desk.backups.folder),
            "csdesk backups (*.db);;All files (*)",
        )
        return self.restore_from(Path(path)) if path else None

    def restore_from(self, source: Path) -> TaskHandle | None:
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
        from csdesk.domain import Change
        from csdesk.ui.features.security import security

        self.last_result = result
        window = self.window
        window.customer_view.show_customer(None)
        window.search.clear_and_focus()
        window.bus.changed.emit(Change("restore"))
        security(window).reset_after_restore()
        if isinstance(result, RestoreResult):
            Notice.ask(
                window,
                "Restored",
                f"csdesk now holds the data from {result.restored_from.name}.\n"
                f"What was there before is saved as {result.previous_saved_as.name}.",
            )

    def check(self) -> TaskHandle:
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


def backups(window: MainWindow) -> Backups:
    found = window.findChild(Backups)
    if found is None:
        raise RuntimeError("the backups feature is not installed")
    return found


def install(window: MainWindow) -> None:
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
