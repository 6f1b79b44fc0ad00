"""Letters for many customers in an Op (ui.workers), with progress and cancel; the UI never waits.

The Op publishes the letters the service recorded, so the window's views hear of them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.render.qt import QtRenderer
from csdesk.services.letter_output import BatchResult
from csdesk.ui.workers import Progress, run_op

if TYPE_CHECKING:
    from csdesk.services.desk import Desk


class BatchLettersDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        desk: Desk,
        template: str,
        customer_ids: Sequence[int],
        out: Path,
        *,
        page_size: str | None = None,
        overwrite: bool = False,
    ) -> None:
        super().__init__(parent)
        if desk.target is None:
            raise CsdeskError("Batch letters need a database file.")
        self.setObjectName("batchLettersDialog")
        self.setWindowTitle("Writing letters")
        self.resize(460, 150)
        self.result_value: BatchResult | None = None
        self.error_message: str | None = None
        total = len(customer_ids)
        self.label = QLabel(f"Writing {total} letter(s) to {out.name}…")
        self.label.setObjectName("batchStatus")
        self.label.setAccessibleName("Batch status")
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("batchProgress")
        self.bar.setAccessibleName("Progress")
        self.bar.setRange(0, max(1, total))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("batchCancel")
        self.cancel_button.setAccessibleName("Cancel the batch")
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("batchClose")
        self.close_button.setAccessibleName("Close")
        self.close_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)

        setup = desk.letters.page_setup(page_size)
        ids = list(customer_ids)

        def work(worker_desk: Desk, progress: Progress) -> BatchResult:
            # overwrite: the person confirmed this file (save_as.py) or chose this folder.
            return worker_desk.letter_output.run_batch(
                QtRenderer(),
                template,
                ids,
                out,
                setup=setup,
                progress=progress,
                overwrite=overwrite,
            )

        self._op = run_op(desk, work, parent=self)
        self._op.progress.connect(self._on_progress)
        self._op.succeeded.connect(self._on_done)
        self._op.cancelled.connect(self._on_done)  # run_batch says what it wrote before the stop
        self._op.failed.connect(self._on_failed)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.accept)
        self._op.start()

    def cancel(self) -> None:
        self._op.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText("Stopping after the current letter…")

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setValue(done)
        if self.cancel_button.isEnabled():
            self.label.setText(f"Writing letter {min(done + 1, total)} of {total}…")

    def _finish(self) -> None:
        self.cancel_button.setEnabled(False)
        self.close_button.setEnabled(True)
        self.close_button.setFocus()

    def _on_done(self, result: BatchResult | None) -> None:
        if result is None:
            self._on_failed("Stopped; no letters were written.")
            return
        self.result_value = result
        self._finish()
        made = len(result.letters)
        where = (
            result.files[0]
            if len(result.files) == 1
            else (result.files[0].parent if result.files else "")
        )
        noun = "letter" if made == 1 else "letters"
        text = f"{made} {noun} written to {where}." if made else "No letters were written."
        if result.cancelled:
            text = f"Stopped. {text}"
        if result.failed:
            text += f" {len(result.failed)} could not be written ({result.failed[0][1]})"
        self.label.setText(text)

    def _on_failed(self, message: str) -> None:
        self.error_message = message
        self._finish()
        self.label.setText(message)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._op.running:
            self.cancel()
            self._op.wait()
        super().closeEvent(event)

    def reject(self) -> None:
        if self._op.running:
            self.cancel()  # Esc stops the batch; the dialog closes when the worker reports back
            return
        super().reject()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        desk: Desk,
        template: str,
        customer_ids: Sequence[int],
        out: Path,
        *,
        page_size: str | None = None,
        overwrite: bool = False,
    ) -> BatchResult | None:
        dialog = cls(parent, desk, template, customer_ids, out, page_size=page_size,
                     overwrite=overwrite)
        dialog.exec()
        return dialog.result_value


def ask(
    parent: QWidget | None,
    desk: Desk,
    template: str,
    customer_ids: Sequence[int],
    out: Path,
    *,
    page_size: str | None = None,
    overwrite: bool = False,
) -> BatchResult | None:
    return BatchLettersDialog.ask(parent, desk, template, customer_ids, out, page_size=page_size,
                                  overwrite=overwrite)
