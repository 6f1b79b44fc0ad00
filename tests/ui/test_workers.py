"""Work off the UI thread: stale searches are dropped; tasks report, cancel and fail cleanly."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from csdesk.domain import Change, Customer, CustomerDraft
from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.ui.change_bus import ChangeBus
from csdesk.ui.workers import Reporter, SearchWorker, start_task


def test_only_the_newest_search_is_delivered(
    qtbot: QtBot, db_path: Path, known: dict[str, Customer]
) -> None:
    worker = SearchWorker(db_path)
    delivered: list[tuple[int, str]] = []
    worker.results.connect(lambda seq, query, hits: delivered.append((seq, query)))
    try:
        for end in range(1, 9):  # eight keystrokes before the UI thread looks at any answer
            worker.search("garcía márquez"[:end])
        last = worker.latest
        qtbot.waitUntil(lambda: bool(delivered), timeout=5000)
        qtbot.wait(200)  # give any stale answer the chance to (wrongly) arrive
        assert delivered == [(last, "garcía m")]
    finally:
        worker.stop()


def test_search_runs_on_its_own_thread(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    worker = SearchWorker(db_path)
    try:
        # the runner lives in its own thread, so the queued request runs there, not here
        assert worker._runner.thread() is not QThread.currentThread()
        with qtbot.waitSignal(worker.results, timeout=5000) as blocker:
            worker.search("")
        assert isinstance(blocker.args[2], list)  # type: ignore[index]
    finally:
        worker.stop()
    assert not worker._thread.isRunning()
    assert worker._runner._desk is None  # its connection was closed on its own thread
    worker.stop()  # twice is fine


def test_task_reports_progress_and_result(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    def work(d: Desk, r: Reporter) -> int:
        for i in range(1, 4):
            r.progress(i, 3)
        return d.customers.create(CustomerDraft(first_name="Worker")).id

    handle = start_task(db_path, work)
    steps: list[int] = []
    handle.signals.progress.connect(lambda done, total: steps.append(done))
    with qtbot.waitSignal(handle.signals.finished, timeout=5000) as blocker:
        handle.start()
    assert desk.customers.get(blocker.args[0]).first_name == "Worker"  # type: ignore[index]
    qtbot.waitUntil(lambda: steps == [1, 2, 3], timeout=2000)


def test_task_user_error_becomes_a_message(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    def work(d: Desk, r: Reporter) -> None:
        raise UserError("The disk is full. Free some space and try again.")

    handle = start_task(db_path, work)
    with qtbot.waitSignal(handle.signals.failed, timeout=5000) as blocker:
        handle.start()
    assert blocker.args == ["The disk is full. Free some space and try again."]


def test_task_can_be_cancelled(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    gate = threading.Event()

    def work(d: Desk, r: Reporter) -> int:
        gate.wait(5)
        steps = 0
        while r.progress(steps, 100) and steps < 100:
            steps += 1
        return steps

    handle = start_task(db_path, work)
    with qtbot.waitSignal(handle.signals.cancelled, timeout=5000):
        handle.start()
        handle.cancel()
        gate.set()


def test_change_bus_carries_writes_from_another_thread_to_the_ui_thread(
    qtbot: QtBot, db_path: Path, desk: Desk
) -> None:
    bus = ChangeBus()
    received: list[tuple[Change, int]] = []
    bus.changed.connect(lambda change: received.append((change, threading.get_ident())))

    def work(d: Desk, r: Reporter) -> int:
        bus.attach(d)
        return d.customers.create(CustomerDraft(first_name="Threaded")).id

    handle = start_task(db_path, work)
    with qtbot.waitSignal(handle.signals.finished, timeout=5000) as blocker:
        handle.start()
    qtbot.waitUntil(lambda: bool(received), timeout=2000)
    change, thread = received[0]
    assert change.kind == "customer" and change.customer_id == blocker.args[0]  # type: ignore[index]
    assert thread == threading.get_ident()  # delivered on the UI thread
