"""Issue 14.4: an import that did not finish is marked interrupted, says what it committed, and
can be undone or resumed. Killed for real: a forked child imports and gets SIGKILL mid-way."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.services.importing import service as import_service
from csdesk.services.importing.liveness import lock_path
from tests.conftest import FakeClock

ROWS = 3000


def _file(tmp_path: Path) -> Path:
    src = tmp_path / "many.csv"
    src.write_text(
        "First Name,Last Name,Email\n"
        + "".join(f"P{i},Q{i},p{i}@example.com\n" for i in range(ROWS))
        + "Ann,Name-only,\n",  # no e-mail or phone: a resume must not create her twice
        encoding="utf-8",
    )
    return src


def _kill_mid_import(db_path: Path, src: Path, after_rows: int) -> None:
    """Fork a child that imports `src` and, once `after_rows` rows are committed, tells us and
    waits; kill -9 it there. The parent has no connection open while it forks."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            desk = Desk.open(db_path)
            desk.auth.act_as_cli()
            import_service.BATCH_ROWS = 500
            plan = desk.imports.preview(src)

            def progress(done: int, _total: int) -> bool:
                if done >= after_rows:
                    os.write(write_end, b"x")
                    signal.pause()  # killed here, between two committed batches
                return True

            desk.imports.apply(plan, progress)
        finally:
            os._exit(1)
    os.close(write_end)
    assert os.read(read_end, 1) == b"x"
    os.close(read_end)
    # The import is running in the child right now: another process sees it alive.
    probe = Desk.open(db_path)
    assert probe.interrupted_imports == []
    assert probe.imports.batches()[0]["status"] == "running"
    with pytest.raises(UserError, match="still running"):
        probe.auth.act_as_cli()
        probe.imports.undo(1)
    probe.close()
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_a_killed_import_is_marked_interrupted_and_undone(tmp_path: Path, clock: FakeClock) -> None:
    db_path = tmp_path / "shop.db"
    Desk.open(db_path).close()
    src = _file(tmp_path)
    _kill_mid_import(db_path, src, after_rows=1000)

    desk = Desk.open(db_path, clock=clock)  # the next start, of any command or the window
    [batch] = desk.interrupted_imports
    assert batch["status"] == "interrupted"
    assert batch["created_count"] == 1000 and batch["rows_total"] == ROWS + 1
    assert desk.customers.count() == 1000  # what committed is there, nothing half-written
    notice = import_service.interrupted_notice(batch)
    assert "1,000 of 3,001 rows" in notice and "undo-import 1" in notice
    assert not lock_path(db_path, batch["owner"]).exists()  # the dead import's lock is cleared
    desk.auth.act_as_cli()
    assert desk.imports.undo(1).removed == 1000
    assert desk.customers.count() == 0
    actions = [r[0] for r in desk.db.execute("SELECT action FROM audit WHERE entity = 'import_batch'")]
    assert actions == ["interrupted", "undo"]
    desk.close()


def test_a_killed_import_can_be_resumed(tmp_path: Path, clock: FakeClock) -> None:
    db_path = tmp_path / "shop.db"
    Desk.open(db_path).close()
    src = _file(tmp_path)
    _kill_mid_import(db_path, src, after_rows=1500)
    desk = Desk.open(db_path, clock=clock)
    desk.auth.act_as_cli()
    result = desk.imports.resume(1)
    assert (result.created, result.skipped, result.cancelled) == (ROWS + 1, 0, False)
    assert desk.customers.count() == ROWS + 1
    assert desk.db.execute("SELECT count(*) FROM customers WHERE last_name = 'Name-only'").fetchone()[0] == 1
    batch = desk.imports.batches()[0]
    assert batch["status"] == "done" and batch["created_count"] == ROWS + 1
    with pytest.raises(UserError, match="only an interrupted one"):
        desk.imports.resume(1)
    # Undo takes the whole import back, both halves.
    assert desk.imports.undo(1).removed == ROWS + 1
    desk.close()


def test_resume_refuses_a_changed_file(tmp_path: Path) -> None:
    db_path = tmp_path / "shop.db"
    Desk.open(db_path).close()
    src = _file(tmp_path)
    _kill_mid_import(db_path, src, after_rows=500)
    with src.open("a", encoding="utf-8") as fh:
        fh.write("New,Row,new@example.com\n")
    desk = Desk.open(db_path)
    desk.auth.act_as_cli()
    with pytest.raises(UserError, match="has changed"):
        desk.imports.resume(1)
    assert desk.customers.count() == 500
    desk.close()


def test_a_busy_database_stops_the_import_and_says_what_was_saved(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    desk.auth.act_as_cli()
    monkeypatch.setattr(import_service, "BATCH_ROWS", 1000)
    plan = desk.imports.preview(_file(tmp_path))
    desk.db.execute("PRAGMA busy_timeout = 0")  # another program holds the lock from here on
    other = sqlite3.connect(db_path, isolation_level=None)

    def progress(done: int, _total: int) -> bool:
        if done == 2000:
            other.execute("BEGIN IMMEDIATE")
        return True

    with pytest.raises(UserError) as caught:
        desk.imports.apply(plan, progress)
    message = caught.value.message
    assert "stopped after 2,000 of 3,001 rows" in message and "nothing was lost" not in message
    assert "resume-import 1" in message and "undo-import 1" in message
    other.execute("ROLLBACK")
    other.close()
    # Marking it failed while the other program held the lock; the next start marks it.
    assert desk.imports.batches()[0]["status"] == "running"
    assert [b["id"] for b in desk.imports.recover_interrupted()] == [1]
    assert desk.customers.count() == 2000
    assert desk.imports.resume(1).created == ROWS + 1


def test_no_lock_file_means_no_import_and_a_clear_message(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csdesk.services.importing import liveness

    desk.auth.act_as_cli()
    plan = desk.imports.preview(_file(tmp_path))
    monkeypatch.setattr(liveness, "lock_path", lambda _db, _t: tmp_path / "gone" / "x.lock")
    with pytest.raises(UserError, match="nothing was imported"):
        desk.imports.apply(plan)
    assert desk.imports.batches() == [] and desk.customers.count() == 0
