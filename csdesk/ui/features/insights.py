"""Day > Insights (Ctrl+Shift+G): the Insights view in its own window, beside the main one.

Shift leads and admins see the whole shop and pick any member; plain staff who open it see their
own figures (the service enforces it; this face only offers what the service allows).

The view follows the database: a Change on the window's bus (its own writes, a worker's, and
what other windows and the CLI wrote, heard by ui/features/live.py) that touches what the figures
count starts a short single-shot timer, so a burst of writes (an import, a batch) is one refresh,
worked out off the UI thread like the first one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from csdesk.domain import Change
from csdesk.services.file_names import SaveTarget
from csdesk.ui.dialogs.save_as import ask_save_target
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import Op, Progress

if TYPE_CHECKING:
    from csdesk.services.desk import Desk
    from csdesk.services.insight_data import Period
    from csdesk.ui.widgets.insights_view import ListAsk

SHORTCUT = "Ctrl+Shift+G"
REFRESH_DEBOUNCE_MS = 250  # with the 300 ms live poll, a write elsewhere shows within ~1 s
# The Change kinds the figures count: visits, customers (new/returning), issues (and their
# goodwill and events), follow-ups; staff names; a restored file changes everything.
COUNTED = frozenset({"visit", "customer", "issue", "issue_category", "followup", "staff",
                     "restore"})


def ask_pdf_path(parent: QWidget, suggested: Path) -> SaveTarget | None:
    """Where to save (the extension added as save_as.py says, never a file replaced unasked)."""
    return ask_save_target(parent, "Save the insights", suggested, "PDF (*.pdf)", (".pdf",))


class InsightsDialog(QDialog):
    def __init__(self, window: Shell) -> None:
        from csdesk.ui.widgets.insights_view import InsightsView
        super().__init__(window)
        self.window_ = window
        self.setObjectName("insightsDialog")
        self.setWindowTitle("Insights")
        self.op: Op | None = None
        self.list_op: Op | None = None
        self.view = InsightsView(window.desk.insights, self.compute, self,
                                 run_list=self.list_behind)
        self.view.customer_requested.connect(self.open_customer)
        self.view.pdf_button.clicked.connect(self.save_pdf)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.view)
        self.resize(1280, 760)
        self.live_timer = QTimer(self)
        self.live_timer.setObjectName("insightsLiveTimer")
        self.live_timer.setSingleShot(True)
        self.live_timer.setInterval(REFRESH_DEBOUNCE_MS)
        self.live_timer.timeout.connect(self._live_refresh)
        self._again = False
        window.bus.changed.connect(self.on_change)

    def on_change(self, change: object) -> None:
        if not isinstance(change, Change) or not self.isVisible():
            return
        if change.kind in COUNTED or (change.kind == "settings"
                                      and change.extra.get("key") == "timezone"):
            self.live_timer.start()  # (re)started: the last of a burst of changes counts

    def _live_refresh(self) -> None:
        # A refresh still being worked out is let finish: in a busy shop (a quarter takes ~0.5 s
        # at a million customers) each write would otherwise cancel the one before it and the
        # view would never change. One more follows it.
        if self.op is not None and self.op.running:
            self._again = True
            return
        self.view.refresh_shown()

    def _ended(self) -> None:
        if self._again:
            self._again = False
            self.live_timer.start()

    def compute(self, period: Period, staff_id: int | None) -> None:
        if self.op is not None and self.op.running:
            self.op.cancel()

        def work(desk: Desk, progress: Progress) -> object:
            return desk.insights.compute(period, staff_id)

        op = self.window_.run_op(work, self)
        op.succeeded.connect(self._computed)
        op.failed.connect(self.view.status.setText)
        op.ended.connect(self._ended)
        self.op = op
        op.start()

    def list_behind(self, ask: ListAsk) -> None:
        """The list behind a bar, off the UI thread: a full page is counted up to 10,000."""

        def work(desk: Desk, progress: Progress) -> object:
            return ask(desk.insights.lists)

        op = self.window_.run_op(work, self)
        op.succeeded.connect(self._listed)
        op.failed.connect(self.view.status.setText)
        self.list_op = op
        op.start()

    def _listed(self, result: object) -> None:
        from csdesk.services.insight_lists import Listing
        if isinstance(result, Listing):
            self.view.show_listing(result)

    def _computed(self, result: object) -> None:
        from csdesk.services.insight_data import Insights
        if isinstance(result, Insights):
            self.view.show_insights(result)

    def save_pdf(self) -> None:
        period, staff_id = self.view.period(), self.view.staff_id()
        folder = Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())
        target = ask_pdf_path(self, folder / f"insights-{period.first}-to-{period.last}.pdf")
        if target is None:
            return
        path, overwrite = target.path, target.overwrite

        def work(desk: Desk, progress: Progress) -> object:
            from csdesk.render.qt import QtRenderer

            return desk.insight_exports.export_pdf(
                period, path, QtRenderer(), staff_id=staff_id, progress=progress,
                overwrite=overwrite
            )

        self.view.status.setText(f"Saving {path.name}…")
        op = self.window_.run_op(work, self)
        op.succeeded.connect(lambda pages: self.view.status.setText(
            f"Saved {path} ({pages} pages)." if pages else "Stopped; nothing was saved."))
        op.failed.connect(self.view.status.setText)
        op.start()
        self.pdf_op = op

    def open_customer(self, customer_id: int) -> None:
        self.window_.open_customer(customer_id)
        self.window_.activateWindow()


class InsightsFeature(Feature):
    def __init__(self, window: Shell) -> None:
        super().__init__(window, "insightsFeature")
        self.window = window
        self.dialog: InsightsDialog | None = None
        self.action = window.add_action(
            "insightsAction", "&Insights…", [QKeySequence(SHORTCUT)], self.open
        )
        window.menu("&Day").addAction(self.action)
        window.add_shortcut_help(SHORTCUT, "Insights: how the shop is doing")

    def open(self) -> InsightsDialog:
        if self.dialog is None:
            self.dialog = InsightsDialog(self.window)
        self.dialog.view.fill_members()  # who is signed in may have changed
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.view.refresh()
        self.dialog.view.tabs.setFocus()
        return self.dialog

    def teardown(self) -> None:
        super().teardown()
        if self.dialog is not None:  # no refresh after the window's Desk is gone
            self.dialog.live_timer.stop()
            self.window.bus.changed.disconnect(self.dialog.on_change)


def install(window: Shell) -> None:
    InsightsFeature(window)
