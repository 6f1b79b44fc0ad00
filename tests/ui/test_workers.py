"""Work off the UI thread: stale searches are dropped; operations act as the window's current
actor, report, cancel and fail cleanly, and publish what they changed on the UI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from csdesk.domain import Change, Customer, CustomerDraft, Role
from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.ui.change_bus import ChangeBus
from csdesk.ui.workers import Progress, SearchWorker, merge_changes, run_op


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


def test_op_reports_progress_and_result(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    def work(d: Desk, progress: Progress) -> int:
        for i in range(1, 4):
            progress(i, 3)
        return d.customers.create(CustomerDraft(first_name="Worker")).id

    op = run_op(desk, work)
    steps: list[int] = []
    op.progress.connect(lambda done, total: steps.append(done))
    with qtbot.waitSignal(op.succeeded, timeout=5000) as blocker:
        op.start()
    assert desk.customers.get(blocker.args[0]).first_name == "Worker"  # type: ignore[index]
    qtbot.waitUntil(lambda: steps == [1, 2, 3], timeout=2000)
    assert op.done and not op.running and op.result == blocker.args[0]  # type: ignore[index]


def test_op_user_error_becomes_a_message(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    def work(d: Desk, progress: Progress) -> None:
        raise UserError("The disk is full. Free some space and try again.")

    op = run_op(desk, work)
    with qtbot.waitSignal(op.failed, timeout=5000) as blocker:
        op.start()
    assert blocker.args == ["The disk is full. Free some space and try again."]


def test_op_unexpected_error_still_answers(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    op = run_op(desk, lambda d, p: 1 // 0)
    with qtbot.waitSignal(op.ended, timeout=5000):
        op.start()
    assert op.error is not None and op.error.startswith("Something went wrong")


def test_op_can_be_cancelled(qtbot: QtBot, db_path: Path, desk: Desk) -> None:
    gate = threading.Event()

    def work(d: Desk, progress: Progress) -> int:
        gate.wait(5)
        steps = 0
        while progress(steps, 100) and steps < 100:
            steps += 1
        return steps

    op = run_op(desk, work)
    with qtbot.waitSignal(op.cancelled, timeout=5000) as blocker:
        op.start()
        op.cancel()
        gate.set()
    assert blocker.args == [0]  # what the job returned after the stop
    assert op.was_cancelled


def test_op_acts_as_whoever_is_signed_in_when_it_starts(
    qtbot: QtBot, db_path: Path, desk: Desk
) -> None:
    desk.auth.act_as_cli()
    desk.auth.add_staff("Nadia", Role.LEAD, "4321")
    desk.act_as("Nadia")
    seen: list[str] = []

    def work(d: Desk, progress: Progress) -> int:
        seen.append(d.actor.name)
        return d.customers.create(CustomerDraft(first_name="Audited")).id

    op = run_op(desk, work)
    with qtbot.waitSignal(op.succeeded, timeout=5000):
        op.start()
    assert seen == ["Nadia"]
    entries = desk.audit.entries(limit=5)
    assert any(e.staff_name == "Nadia" and e.action == "create" and e.entity == "customer" for e in entries)


def test_op_publishes_its_changes_on_the_ui_thread_before_it_succeeds(
    qtbot: QtBot, db_path: Path, desk: Desk
) -> None:
    bus = ChangeBus()
    bus.attach(desk)  # the window's bus hears the window's desk, never the worker's directly
    order: list[str] = []
    received: list[tuple[Change, int]] = []

    def heard(change: object) -> None:
        assert isinstance(change, Change)
        order.append("change")
        received.append((change, threading.get_ident()))

    bus.changed.connect(heard)

    def work(d: Desk, progress: Progress) -> int:
        return d.customers.create(CustomerDraft(first_name="Threaded")).id

    op = run_op(desk, work)
    op.succeeded.connect(lambda _r: order.append("succeeded"))
    with qtbot.waitSignal(op.succeeded, timeout=5000) as blocker:
        op.start()
    assert order == ["change", "succeeded"]
    change, thread = received[0]
    assert change.kind == "customer" and change.customer_id == blocker.args[0]  # type: ignore[index]
    assert thread == threading.get_ident()  # delivered on the UI thread


def test_op_that_fails_part_way_still_reports_what_it_wrote(
    qtbot: QtBot, db_path: Path, desk: Desk
) -> None:
    heard: list[Change] = []
    desk.subscribe(heard.append)

    def work(d: Desk, progress: Progress) -> None:
        d.customers.create(CustomerDraft(first_name="Written"))
        raise UserError("The second one could not be written.")

    op = run_op(desk, work)
    with qtbot.waitSignal(op.failed, timeout=5000):
        op.start()
    assert [c.kind for c in heard] == ["customer"]


def test_merge_changes_keeps_one_per_kind_and_customer() -> None:
    changes = [
        Change("letter", (1,), 7),
        Change("letter", (2,), 8),
        Change("letter", (3,), 7),
        Change("settings", extra={"key": "a"}),
        Change("settings", extra={"key": "a"}),
    ]
    assert merge_changes(changes) == [
        Change("letter", (1, 3), 7),
        Change("letter", (2,), 8),
        Change("settings", extra={"key": "a"}),
    ]
