"""Work off the UI thread and bring results (and what they changed) back to it.

One way to write: `Op` (in the spirit of Anki's CollectionOp). Every write or long job the window
starts runs as an Op on the global QThreadPool:
- it opens the worker's own Desk (an SQLite connection belongs to one thread) acting as the
  staff member who is signed in on the window *when the job starts*;
- it runs `fn(desk, progress)`; `progress(done, total)` reports and returns False once the user
  asked to stop (`progress.cancelled` says the same), the shape every service's callback has;
- it collects the `Change`s the services report on that Desk and, back on the UI thread,
  publishes them on the window's Desk (whose ChangeBus re-emits them to the views) before it
  says `succeeded`, `failed` or `cancelled`; a job that wrote part of its work before failing
  still reports what it wrote.
Connect to the signals, then `start()`: a fast job could otherwise end unheard.

`write_or_wait` is for a form's save: tried on the window's Desk without waiting for the file's
write lock, and only when another program holds it run as an Op, which waits there instead.

`SearchWorker` is the one specialised reader: a long-lived thread with its own Desk that answers
search-as-you-type, dropping the requests a newer keystroke has superseded. It opens its Desk
the same way (`open_worker_desk`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot

from csdesk.domain import Change, Staff
from csdesk.errors import CsdeskError, DatabaseLocked, ServerUnavailable, UserError
from csdesk.services.clock import Clock, utc_now
from csdesk.services.context import merge_changes
from csdesk.services.desk import Desk

log = logging.getLogger(__name__)

SEARCH_WAITS = "Search waits for the server to answer again."
# A search's statements on a server: answered in well under a second even at a million
# customers; a server silent this long is gone for the search (its thread must not hang).
SEARCH_ANSWER_S = 5.0


def open_worker_desk(
    path: Path | str,
    clock: Clock,
    actor: Staff | None = None,
    *,
    session: str | None = None,
    computer: str | None = None,
) -> Desk:
    """A worker thread's own Desk on the window's database, acting as `actor` (the staff member
    signed in on the window), so the audit log names the person who pressed the button. It
    writes under the window's session and computer name: its changes come back through the Op,
    so the window's live feed must not hear them a second time."""
    desk = Desk.open(path, clock=clock, session=session, computer=computer)
    if actor is not None:
        desk.actor = actor
    return desk


class Progress:
    """What an operation receives besides its Desk: `progress(done, total) -> bool` (False: the
    user asked to stop) and `progress.cancelled`. Services take it as their progress callback.
    `progress.share(value)` hands a value to the UI thread before the job ends (Op.shared): an
    import's preview shows its first rows while the rest of the file is planned."""

    def __init__(
        self,
        report: Callable[[int, int], None] | None = None,
        share: Callable[[object], None] | None = None,
    ) -> None:
        self._event = threading.Event()
        self._report = report
        self._share = share

    def share(self, value: object) -> None:
        if self._share is not None:
            self._share(value)

    def __call__(self, done: int, total: int) -> bool:
        if self._report is not None:
            self._report(done, total)
        return not self._event.is_set()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


OpFn = Callable[[Desk, Progress], Any]


@dataclass
class _Outcome:
    result: Any = None
    error: str | None = None
    cancelled: bool = False
    changes: list[Change] = field(default_factory=list)


class _Relay(QObject):
    """Carries a job's signals from the pool thread to the UI thread. It has no parent and is
    kept alive until the job ends, so a dialog closed mid-job cannot take it down under the
    worker; Qt drops the connections to an Op that is gone."""

    progress = Signal(int, int)
    shared = Signal(object)
    ended = Signal(object)  # _Outcome

    def __init__(self) -> None:
        super().__init__()
        self.ended.connect(self._release)

    @Slot(object)
    def _release(self, _outcome: object) -> None:
        _relays.discard(self)


_relays: set[_Relay] = set()


class _Runnable(QRunnable):
    def __init__(
        self, window_desk: Desk, actor: Staff, fn: OpFn, progress: Progress, relay: _Relay
    ) -> None:
        super().__init__()
        # Only plain values cross to the pool thread: the window's Desk itself stays on its thread.
        self._path = window_desk.target
        self._clock = window_desk.clock
        self._session = window_desk.context.session
        self._computer = window_desk.context.computer
        self._actor = actor
        self._fn = fn
        self._progress = progress
        self._relay = relay

    def run(self) -> None:
        outcome = _Outcome()
        try:
            assert self._path is not None  # Op refuses a Desk without a file
            desk = open_worker_desk(self._path, self._clock, self._actor,
                                    session=self._session, computer=self._computer)
        except CsdeskError as exc:
            outcome.error = str(exc)
            self._relay.ended.emit(outcome)
            return
        desk.subscribe(outcome.changes.append)
        try:
            outcome.result = self._fn(desk, self._progress)
        except CsdeskError as exc:
            outcome.error = str(exc)
        except Exception as exc:  # a worker must always answer, or the UI waits forever
            log.exception("background operation failed")
            outcome.error = f"Something went wrong: {exc}. Please try again."
        finally:
            desk.close()
        outcome.cancelled = outcome.error is None and self._progress.cancelled
        self._relay.ended.emit(outcome)


class Op(QObject):
    """One job off the UI thread, as the window's current actor; see the module's docstring.

    Signals, after the job's changes were published: `succeeded(result)`, `failed(message fit
    for the user)`, or `cancelled(result)` (what the job returned after the stop, often None);
    then `ended()` whichever it was. `progress(done, total)` on the way, and `shared(value)` for
    what the job hands over before it ends (Progress.share).
    """

    progress = Signal(int, int)
    shared = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal(object)
    ended = Signal()

    def __init__(
        self,
        desk: Desk,
        fn: OpFn,
        *,
        parent: QObject | None = None,
        publish: Callable[[Change], None] | None = None,
    ) -> None:
        super().__init__(parent)
        if desk.target is None:
            raise CsdeskError("Work in the background needs a database file.")
        self._desk = desk
        self._path = desk.target
        self._fn = fn
        self._publish = publish or desk.notify  # the window's bus listens on its desk
        self._relay = _Relay()
        self._relay.progress.connect(self.progress)
        self._relay.shared.connect(self.shared)
        self._relay.ended.connect(self._ended)
        self._token = Progress(self._relay.progress.emit, self._relay.shared.emit)
        self.running = False
        self.done = False
        self.result: Any = None
        self.error: str | None = None
        self.was_cancelled = False

    def start(self) -> Op:
        """Run now as whoever is signed in on the window at this moment."""
        if self.running or self.done:
            raise RuntimeError("an Op runs once")
        self.running = True
        _relays.add(self._relay)
        QThreadPool.globalInstance().start(
            _Runnable(self._desk, self._desk.actor, self._fn, self._token, self._relay)
        )
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next progress report."""
        self._token.cancel()

    def wait(self) -> None:
        """Keep the UI alive (a local event loop) until the job ended; for exit and modal jobs."""
        if self.done or not self.running:
            return
        loop = QEventLoop()
        self.ended.connect(loop.quit)
        if not self.done:
            loop.exec()

    def _ended(self, outcome: _Outcome) -> None:
        self.running = False
        self.done = True
        self.result = outcome.result
        self.error = outcome.error
        self.was_cancelled = outcome.cancelled
        # what was written is told first, so the views are current when the caller looks
        for change in merge_changes(outcome.changes):
            self._publish(change)
        if outcome.error is not None:
            self.failed.emit(outcome.error)
        elif outcome.cancelled:
            self.cancelled.emit(outcome.result)
        else:
            self.succeeded.emit(outcome.result)
        self.ended.emit()


def run_op(
    desk: Desk,
    fn: OpFn,
    *,
    parent: QObject | None = None,
    publish: Callable[[Change], None] | None = None,
) -> Op:
    """An Op ready to run fn(worker_desk, progress): connect to its signals, then start()."""
    return Op(desk, fn, parent=parent, publish=publish)


def _raising(exc: BaseException) -> Callable[[], Any]:
    def outcome() -> Any:
        raise exc

    return outcome


def write_or_wait(
    desk: Desk,
    write: Callable[[Desk], Any],
    finish: Callable[[Callable[[], Any]], None],
    *,
    waiting: Callable[[bool], None],
    parent: QObject | None = None,
) -> Op | None:
    """A form's save that never waits on the UI thread for another program's write lock.

    `write(desk)` is one transaction. It runs at once on the window's Desk, told not to wait for
    the lock (Desk.without_waiting); most saves end there, as before. When another counter holds
    the lock (DatabaseLocked: nothing was written), the same write runs as an Op, whose Desk
    waits the usual busy timeout, between `waiting(True)` and `waiting(False)` (the form says so
    and takes no more input). Either way `finish(outcome)` follows once, on the UI thread:
    `outcome()` returns what `write` returned, or raises what it raised, so the form keeps one
    handler for saved, conflict and failure. Returns the Op when it waits, else None.
    """
    try:
        with desk.without_waiting():
            result = write(desk)
    except DatabaseLocked:
        pass  # nothing written: the same write waits for the lock off the UI thread
    except CsdeskError as exc:
        finish(_raising(exc))
        return None
    else:
        finish(lambda: result)
        return None

    def work(worker_desk: Desk, _progress: Progress) -> Callable[[], Any]:
        try:
            done = write(worker_desk)
        except CsdeskError as exc:  # its own kind (a conflict, say), for the form's handler
            return _raising(exc)
        return lambda: done

    def ended(outcome: Callable[[], Any]) -> None:
        waiting(False)
        finish(outcome)

    op = run_op(desk, work, parent=parent)
    op.succeeded.connect(ended)
    op.failed.connect(lambda message: ended(_raising(UserError(message))))
    waiting(True)
    op.start()
    return op


class _SearchRunner(QObject):
    """Lives in the search thread; owns that thread's Desk."""

    answered = Signal(int, str, object)  # seq, query, list[SearchHit]
    failed = Signal(int, str)

    def __init__(self, path: Path | str, clock: Clock, latest: list[int]) -> None:
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
                self._desk = open_worker_desk(self._path, self._clock)
                self._desk.expect_answers_within(SEARCH_ANSWER_S)
            hits = self._desk.search.search(query, limit)
        except ServerUnavailable:
            self._drop()  # the next keystroke connects anew
            self.failed.emit(seq, SEARCH_WAITS)
            return
        except CsdeskError as exc:
            self.failed.emit(seq, str(exc))
            return
        except Exception as exc:  # an engine error the search did not word: never a silent hang
            log.info("search failed: %s", exc)
            self._drop()
            self.failed.emit(seq, SEARCH_WAITS)
            return
        self.answered.emit(seq, query, hits)

    def _drop(self) -> None:
        if self._desk is not None:
            try:
                self._desk.close()
            except Exception:  # a broken connection may fail to close: it is gone either way
                log.debug("search desk close failed", exc_info=True)
            self._desk = None

    @Slot()
    def close(self) -> None:
        self._drop()


class SearchWorker(QObject):
    """Search as you type without blocking the UI thread.

    Every request gets a sequence number; only the answer to the newest one is delivered.
    """

    results = Signal(int, str, object)  # seq, query, list[SearchHit]
    failed = Signal(str)
    _request = Signal(int, str, int)
    _close = Signal()

    def __init__(
        self, path: Path | str, *, clock: Clock = utc_now, parent: QObject | None = None
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
