"""Kill a writer with SIGKILL at random moments; the database must stay whole and keep every
write it reported as committed.

The writer is a forked child of the test process (csdesk already imported), so each iteration
costs milliseconds rather than a fresh interpreter's start-up: more kills in the same time. One
iteration also runs the writer as a separate `python crash_writer.py` program.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from csdesk.store.backup import check_file

WRITER = Path(__file__).with_name("crash_writer.py")
BUDGET_S = 8.0
MIN_ITERATIONS = 20


def _forked_writer(db: Path, tag: str) -> tuple[int, object]:
    from tests.store.crash_writer import write_forever

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write until killed, never return into pytest
        os.close(read_fd)
        try:
            write_forever(str(db), tag, os.fdopen(write_fd, "w"))
        finally:
            os._exit(1)
    os.close(write_fd)
    return pid, os.fdopen(read_fd)


def _warm_up(scratch: Path) -> None:
    """Import and load lazily in the parent once, so each forked child starts writing at once."""
    from csdesk.domain import CustomerDraft
    from csdesk.services.desk import Desk

    desk = Desk.open(scratch)
    desk.customers.create(CustomerDraft(first_name="Warm", phones=(("mobile", "+1 415 555 0100"),)))
    desk.close()  # no connection may be open across fork()


def _verify(db: Path, committed: dict[int, str]) -> None:
    report = check_file(db)
    assert report.ok, report.problems
    conn = sqlite3.connect(str(db))
    try:
        rows = dict(conn.execute("SELECT id, first_name FROM customers").fetchall())
        for cid, name in committed.items():
            assert rows.get(cid) == name, f"committed write {cid} {name} lost"
        indexed = conn.execute(
            "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH 'writer'"
        ).fetchone()[0]
        assert indexed == len(rows)
        audited = conn.execute(
            "SELECT count(*) FROM audit WHERE entity = 'customer' AND action = 'create'"
        ).fetchone()[0]
        assert audited == len(rows)  # each write and its audit row: both or neither
    finally:
        conn.close()


def test_sigkill_at_random_moments_loses_nothing_committed(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    rng = random.Random(7)
    committed: dict[int, str] = {}

    # Once as a real separate program, exactly as a user's csdesk would run.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), "p"], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    proc.kill()
    out, _ = proc.communicate()
    committed.update((int(c), n) for c, n in (line.split() for line in out.splitlines()))
    _verify(db, committed)

    _warm_up(tmp_path / "warm.db")
    started = time.monotonic()
    iterations = 0
    while time.monotonic() - started < BUDGET_S or iterations < MIN_ITERATIONS:
        pid, reader = _forked_writer(db, str(iterations))
        with reader:  # type: ignore[attr-defined]
            assert reader.readline().strip() == "ready"  # type: ignore[attr-defined]
            time.sleep(rng.uniform(0.0, 0.12))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            for line in reader.read().splitlines():  # type: ignore[attr-defined]
                cid, name = line.split()
                committed[int(cid)] = name
        iterations += 1
        _verify(db, committed)
    assert len(committed) > iterations  # the writer really did write between kills
    print(f"\ncrash test: {iterations + 1} kills, {len(committed)} committed writes verified")
