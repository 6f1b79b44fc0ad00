"""Run work off the UI thread and bring results back to it.

Two shapes:
- `start_task(path, fn)` then `.start()`: a one-off job on the global QThreadPool, e.g. loading
  demo data. It opens its own Desk (sqlite connections belong to one thread), reports progress,
  can be cancelled.
- `SearchWorker`: one long-lived thread with its own Desk that answers search-as-you-type requests,
  dropping the ones a newer keystroke has superseded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot

from csdesk.errors import CsdeskError
from csdesk.services.clock import Clock, utc_now
from csdesk.services.desk import Desk

log = logging.getLogger(__name__)


class CancelToken:
    """Shared between the UI and a worker; the worker checks it between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class TaskSignals(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # the function's result
    failed = Signal(str)  # a message fit for the user
    cancelled = Signal()


class Reporter:
    """What a task function receives besides its Desk: progress and the cancel flag."""

    def __init__(self, signals: TaskSignals, token: CancelToken) -> None:
        self._signals = signals
        self.token = token

    def progress(self, done: int, total: int) -> bool:
        """Report progress; returns False when the user asked to stop."""
        self._signals.progress.emit(done, total)
        return not self.token.cancelled


TaskFn = Callable[[Desk, Reporter], Any]


class _Task(QRunnable):
    def __init__(
        self, path: Path, fn: TaskFn, signals: TaskSignals, token: CancelToken, clock: Clock
    ) -> None:
        super().__init__()
        self._path = path
        self._fn = fn
        self._signals = signals
        self._token = token
        self._clock = clock

    def run(self) -> None:
        try:
            desk = Desk.open(self._path, clock=self._clock)
        except CsdeskError as exc:
            self._signals.failed.emit(str(exc))
            return
        try:
            result = self._fn(desk, Reporter(self._signals, self._token))
        except CsdeskError as exc:
            self._signals.failed.emit(str(exc))
            return
        except Exception as exc:  # a worker must always answer, or the UI waits forever
            log.exception("background task failed")
            self._signals.failed.emit(f"Something went wrong: {exc}. Please try again.")
            return
        finally:
            desk.close()
        if self._token.cancelled:
            self._signals.cancelled.emit()
        else:
            self._signals.finished.emit(result)


_running: set[TaskHandle] = set()  # keeps each task's QObject alive until it ends on the UI thread


class TaskHandle:
    """Connect to `signals`, then `start()`; `cancel()` asks the task to stop at its next step.

    Connecting before starting matters: a fast task could otherwise finish unheard.
    """

    def __init__(
        self, path: Path, fn: TaskFn, *, parent: QObject | None = None, clock: Clock = utc_now
    ) -> None:
        self.signals = TaskSignals(parent)
        self.token = CancelToken()
        self._runnable = _Task(path, fn, self.signals, self.token, clock)
        for ended in (self.signals.finished, self.signals.failed, self.signals.cancelled):
            ended.connect(self._ended)

    def start(self) -> TaskHandle:
        _running.add(self)
        QThreadPool.globalInstance().start(self._runnable)
        return self

    def cancel(self) -> None:
        self.token.cancel()

    def _ended(self, *_args: object) -> None:
        _running.discard(self)


def start_task(
    path: Path, fn: TaskFn, *, parent: QObject | None = None, clock: Clock = utc_now
) -> TaskHandle:
    """A task ready to run fn(desk, reporter) on the thread pool: connect, then call start()."""
    return TaskHandle(path, fn, parent=parent, clock=clock)


class _SearchRunner(QObject):
    """Lives in the search thread; owns that thread's Desk."""

    answered = Signal(int, str, object)  # seq, query, list[SearchHit]
    failed = Signal(int, str)

    def __init__(self, path: Path, clock: Clock, latest: list[int]) -> None:
        super().__init__()
        self._path = path
        self._clock = clock
        self._latest = latest
        self._desk: Desk | None = None

    @Slot(int, str, int)
    def run(self, seq: int, query: str, limit: int) -> None:
        if seq < self._latest[0]:
            return  # a newer keystroke is already queued: skip the stale search
        try:
            if self._desk is None:
                self._desk = Desk.open(self._path, clock=self._clock)
            hits = self._desk.search.search(query, limit)
        except CsdeskError as exc:
            self.failed.emit(seq, str(exc))
            return
        self.answered.emit(seq, query, hits)

    @Slot()
    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()
            self._desk = None


class SearchWorker(QObject):
    """Search as you type without blocking the UI thread.

    Every request gets a sequence number; only the answer to the newest one is delivered.
    """

    results = Signal(int, str, object)  # seq, query, list[SearchHit]
    failed = Signal(str)
    _request = Signal(int, str, int)
    _close = Signal()

    def __init__(
        self, path: Path, *, clock: Clock = utc_now, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._seq = 0
        self._latest = [0]  # shared with the runner; an int write is atomic under the GIL
        self._thread = QThread()
        self._thread.setObjectName("csdesk-search")
        self._runner = _SearchRunner(path, clock, self._latest)
        self._runner.moveToThread(self._thread)
        self._request.connect(self._runner.run)
        # blocking: the connection must be closed on its own thread before the thread ends
        self._close.connect(self._runner.close, Qt.ConnectionType.BlockingQueuedConnection)
        self._runner.answered.connect(self._on_answer)
        self._runner.failed.connect(self._on_failed)
        self._thread.start()

    @property
    def latest(self) -> int:
        return self._seq

    def search(self, query: str, limit: int = 50) -> int:
        self._seq += 1
        self._latest[0] = self._seq
        self._request.emit(self._seq, query, limit)
        return self._seq

    def _on_answer(self, seq: int, query: str, hits: object) -> None:
        if seq == self._seq:
            self.results.emit(seq, query, hits)

    def _on_failed(self, seq: int, message: str) -> None:
        if seq == self._seq:
            self.failed.emit(message)

    def stop(self) -> None:
        """Close the thread's connection and end the thread; safe to call twice."""
        if self._thread.isRunning():
            self._close.emit()
            self._thread.quit()
            self._thread.wait(5000)
