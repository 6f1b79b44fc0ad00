"""E-mail a letter to a group ("we miss you" to customers not seen in 90 days): the batch is
composed and queued in an Op with progress and Cancel; the report says who was skipped, why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from csdesk.services.outbox import QueueReport
from csdesk.ui.dialogs.form_bits import combo, named
from csdesk.ui.workers import Op, Progress, run_op

if TYPE_CHECKING:
    from csdesk.services.desk import Desk


class EmailGroupDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk) -> None:
        super().__init__(parent)
        named(self, "emailGroupDialog", "E-mail a group")
        self.setWindowTitle("E-mail a group")
        self._desk = desk
        self.report: QueueReport | None = None
        self._op: Op | None = None
        items = [(t.title + ("  (marketing: needs consent)" if t.marketing else ""), t.name)
                 for t in desk.letters.templates()]
        self.template = combo("emailGroupTemplate", "Letter", items)
        for i, (_title, name) in enumerate(items):
            if name == "we_miss_you.html.j2":
                self.template.setCurrentIndex(i)
        self.days = named(QSpinBox(), "emailGroupDays", "Customers not seen for this many days")
        self.days.setRange(1, 3650)
        self.days.setValue(90)
        self.days.setSuffix(" days")
        self.progress = named(QProgressBar(), "emailGroupProgress", "Progress")
        self.progress.hide()
        self.report_text = named(QPlainTextEdit(), "emailGroupReport", "What happened")
        self.report_text.setReadOnly(True)
        self.report_text.hide()
        self.go = named(QPushButton("&Queue e-mails"), "emailGroupQueue", "Queue the e-mails")
        self.go.setDefault(True)
        self.stop = named(QPushButton("Close"), "emailGroupClose", "Close or stop")
        self.go.clicked.connect(self.start)
        self.stop.clicked.connect(self._stop_or_close)
        form = QFormLayout()
        form.addRow("&Letter", self.template)
        form.addRow("Customers &not seen for", self.days)
        hint = QLabel("Customers without an address, with a malformed one, or (for marketing "
                      "letters) without marketing consent are skipped; the report says who.")
        hint.setWordWrap(True)
        hint.setProperty("tone", "muted")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.go)
        buttons.addWidget(self.stop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.progress)
        layout.addWidget(self.report_text, 1)
        layout.addLayout(buttons)
        self.resize(620, 420)

    def start(self) -> Op:
        template, days = str(self.template.currentData()), self.days.value()

        def work(desk: Desk, progress: Progress) -> QueueReport:
            ids = desk.customers.not_seen_for(days)
            return desk.outbox.queue_batch(template, ids, progress=progress)

        self.go.setEnabled(False)
        self.progress.show()
        self.progress.setRange(0, 0)
        self.stop.setText("Stop")
        op = self._op = run_op(self._desk, work, parent=self)
        op.progress.connect(self._on_progress)
        op.succeeded.connect(self._done)
        op.cancelled.connect(lambda _r: self._finish("Stopped; nothing was queued."))
        op.failed.connect(self._finish)
        return op.start()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report: Any) -> None:
        self.report = report
        lines = [f"Queued {len(report.queued)} e-mail(s); they go from the outbox."]
        if report.skipped:
            lines.append(f"Skipped {len(report.skipped)}:")
            for customer_id, why in report.skipped[:500]:
                lines.append(f"  customer #{customer_id}: {why}")
        self._finish("\n".join(lines))

    def _finish(self, text: str) -> None:
        self._op = None
        self.progress.hide()
        self.report_text.setPlainText(text)
        self.report_text.show()
        self.go.setEnabled(True)
        self.stop.setText("Close")
        self.stop.setFocus()

    def _stop_or_close(self) -> None:
        if self._op is not None:
            self._op.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        if self._op is not None:  # closing mid-batch stops it; nothing half-queued
            self._op.cancel()
            self._op.wait()
        super().reject()

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk) -> QueueReport | None:
        dialog = cls(parent, desk)
        dialog.exec()
        return dialog.report
