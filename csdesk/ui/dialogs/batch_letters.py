"""Letters for many customers on a worker thread, with progress and cancel; the UI never waits."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot
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
from csdesk.ui.printing import BatchResult, PageSetup, run_batch

if TYPE_CHECKING:
    from csdesk.services.clock import Clock
    from csdesk.services.desk import Desk


class BatchWorker(QObject):
    """Runs on its own thread with its own Desk (SQLite connections stay on their thread)."""

    progress = Signal(int, int)
    done = Signal(object)  # BatchResult
    failed = Signal(str)

    def __init__(
        self,
        db_path: Path,
        clock: Clock,
        actor: str,
        template: str,
        customer_ids: Sequence[int],
        out: Path,
        setup: PageSetup,
    ) -> None:
        super().__init__()
        self._db_path = db_path
        self._clock = clock
        self._actor = actor
        self._template = template
        self._ids = list(customer_ids)
        self._out = out
        self._setup = setup
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        from csdesk.services.desk import Desk

        def report(done: int, total: int) -> bool:
            self.progress.emit(done, total)
            return not self._cancel.is_set()

        try:
            desk = Desk.open(self._db_path, clock=self._clock)
            try:
                desk.act_as(self._actor)
                result = run_batch(
                    desk, self._template, self._ids, self._out, setup=self._setup, progress=report
                )
            finally:
                desk.close()
        except CsdeskError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a worker must always report back, or the dialog waits forever
            self.failed.emit(f"The letters could not be written: {exc}")
            return
        self.done.emit(result)


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
    ) -> None:
        super().__init__(parent)
        if desk.path is None:
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

        setup = PageSetup.from_desk(desk, page_size)
        self._thread = QThread(self)
        self._worker = BatchWorker(
            desk.path, desk.clock, desk.actor.name, template, customer_ids, out, setup
        )
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self._on_progress)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.accept)
        self._thread.start()

    def cancel(self) -> None:
        self._worker.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText("Stopping after the current letter…")

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setValue(done)
        if self.cancel_button.isEnabled():
            self.label.setText(f"Writing letter {min(done + 1, total)} of {total}…")

    def _finish(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self.cancel_button.setEnabled(False)
        self.close_button.setEnabled(True)
        self.close_button.setFocus()

    def _on_done(self, result: BatchResult) -> None:
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

    def closeEvent(self, event: object) -> None:
        if self._thread.isRunning():
            self.cancel()
            self._thread.quit()
            self._thread.wait()
        super().closeEvent(event)  # type: ignore[arg-type]

    def reject(self) -> None:
        if self._thread.isRunning():
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
    ) -> BatchResult | None:
        dialog = cls(parent, desk, template, customer_ids, out, page_size=page_size)
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
) -> BatchResult | None:
    return BatchLettersDialog.ask(parent, desk, template, customer_ids, out, page_size=page_size)
