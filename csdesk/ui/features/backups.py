"""Backups: automatic at start, daily and on exit; by hand; restore; the database check.

All of it runs in workers with their own connection, so the counter never waits for a backup.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from csdesk.errors import UserError
from csdesk.services.auth import Permission
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.notice import Confirm, Notice
from csdesk.ui.features.guard import permitted
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import Op

if TYPE_CHECKING:
    from csdesk.services.backup import BackupResult

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
        self.quick_check()
        self.daily.start()

    def auto(self, reason: str) -> Op:
        return self._run(lambda d: d.backups.auto(reason), self._auto_done, self._auto_failed)

    def _auto_done(self, result: object) -> None:
        from csdesk.services.backup import BackupResult
        self.last_result = result
        if isinstance(result, BackupResult) and not result.verified:
            self._damaged(result)
        elif isinstance(result, BackupResult):
            self.window.statusBar().showMessage(f"Backed up to {result.path.name}.", 5000)

    def _auto_failed(self, message: str) -> None:
        # an automatic backup must not interrupt the counter: say it where it is seen, quietly
        self.last_result = message
        self.window.statusBar().showMessage(f"The automatic backup failed: {message}", 15000)

    def on_exit(self) -> None:
        """Back up once more before the app ends; a small progress if it takes a moment."""
        self.daily.stop()
        # A startup or daily backup still running ends first: started together, the two raced,
        # and the older one could finish last and be taken for the exit backup.
        for op in list(self.pending):
            op.wait()
        self._run(lambda d: d.backups.auto("exit"), self._exit_done, self._exit_done)
        progress = QProgressDialog("Saving a backup before closing…", "", 0, 0)
        progress.setObjectName("exitBackupProgress")
        progress.setAccessibleName("Saving a backup before closing")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.setMinimumDuration(SLOW_EXIT_MS)
        progress.setValue(0)
        for op in list(self.pending):
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
        from csdesk.services.backup import BackupResult
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
        try:
            candidate = self.desk.backups.inspect(source)  # one small read of the chosen file
        except UserError as exc:
            Notice.ask(self.window, "Restore from a backup", str(exc), kind="warning")
            return None
        other = candidate.same_database is False
        if other and not Confirm.ask(
            self.window,
            "A backup of another database",
            f"{source.name} is a backup of a different database, not of this one.\n\n"
            f"Restoring it replaces this database's data with that database's "
            f"{candidate.customers:,} customers. Restore it anyway?",
            yes="Restore the other database",
        ):
            return None
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
        return self._run(
            lambda d: d.backups.restore(source, other_database=other), self._restored
        )

    def _restored(self, result: object) -> None:
        # The restore's Change reached every view before this (the Op published it): the
        # security feature has already started again from the restored sign-in rules.
        from csdesk.services.backup import RestoreResult
        self.last_result = result
        window = self.window
        window.customer_view.show_customer(None)
        window.search.clear_and_focus()
        if isinstance(result, RestoreResult):
            Notice.ask(
                window,
                "Restored",
                f"csdesk now holds the data from {result.restored_from.name} "
                f"({result.customers_now:,} customers).\n"
                f"What was there before ({result.customers_replaced:,} customers) is saved as "
                f"{result.previous_saved_as}.",
            )

    def check(self) -> Op:
        self.window.statusBar().showMessage("Checking the database…")
        return self._run(lambda d: d.backups.check_with_advice(),
                         self._checked)

    def _checked(self, outcome: Any) -> None:
        report, advice = outcome
        self.last_result = report
        self.window.statusBar().clearMessage()
        lines = [f"• {line}" for line in report.checked]
        if report.busy:
            Notice.ask(self.window, "Database check",
                       "The database is busy: another csdesk or command kept it locked, so "
                       "nothing could be checked. Try again in a moment.", kind="warning")
            return
        if report.ok:
            Notice.ask(self.window, "Database check",
                       "The database is healthy.\n\n" + "\n".join(lines))
            return
        problems = "\n".join(f"• {p}" for p in report.problems)
        text = f"The check found problems:\n{problems}\n\n{advice}"
        if report.repairable and permitted(self.window, self.desk.actor, Permission.RESTORE):
            if Confirm.ask(self.window, "Database check",
                           text + "\n\nRebuild them now? Nothing typed is lost.",
                           yes="Repair"):
                self.repair()
            return
        Notice.ask(self.window, "Database check", text, kind="warning")

    def repair(self) -> Op:
        self.window.statusBar().showMessage("Rebuilding the indexes…")
        return self._run(lambda d: d.backups.repair(), self._repaired)

    def _repaired(self, outcome: Any) -> None:
        done, report = outcome
        self.last_result = report
        self.window.statusBar().clearMessage()
        steps = "\n".join(f"• {line}" for line in done)
        if report.ok:
            Notice.ask(self.window, "Database repaired",
                       f"The indexes were rebuilt from the data:\n{steps}\n\n"
                       "The database is healthy again.")
        else:
            problems = "\n".join(f"• {p}" for p in report.problems)
            Notice.ask(self.window, "Database check",
                       f"Rebuilding did not fix everything:\n{problems}\n\n"
                       f"{self.desk.backups.advice(report)}", kind="warning")

    # -- noticing damage early -----------------------------------------------------------------
    def quick_check(self) -> Op:
        """After start, off the UI thread: a damaged file is said at once, with what to do."""
        return self._run(lambda d: d.backups.check_with_advice(quick=True),
                         self._quick_checked, lambda _m: None)

    def _quick_checked(self, outcome: Any) -> None:
        report, _advice = outcome
        self.last_result = report
        if not report.ok and not report.busy:
            self._checked(outcome)

    def _damaged(self, result: BackupResult) -> None:
        problem = result.problems[0] if result.problems else "the check failed"
        Notice.ask(
            self.window, "The database is damaged",
            f"The backup just made failed its check: the database is damaged ({problem}).\n\n"
            f"{result.advice}\n\nThe damaged copy is kept as {result.path.name}; "
            "older good backups are never rotated away.", kind="warning",
        )


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
