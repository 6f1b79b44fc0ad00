"""Kill -9 cycles against real files: fork a writer, SIGKILL it at a random moment, then count
damaged files and committed writes that did not survive. Shared by tests/store/test_crash.py
(a suite-sized run) and tests/benchmarks/bench_crash.py (the 1,000-cycle run with figures).

Forked, never a new interpreter per cycle: the parent has csdesk imported and warmed up, so a
cycle costs the writer's Desk.open plus the random time until the kill, and the checks.
The database file changes every `cycles_per_file` cycles so each check stays small while the
kills keep landing in every phase (open, migrations check, writes, commits, checkpoints).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from csdesk.store.integrity import check_file
from tests.store.crash_writer import write_forever


@dataclass
class CrashReport:
    cycles: int = 0
    committed: int = 0  # writes the writer reported as committed before it was killed
    lost: list[str] = field(default_factory=list)  # committed writes missing afterwards
    damaged: list[str] = field(default_factory=list)  # files whose check failed, and why
    files: int = 0
    seconds: float = 0.0


def _verify(path: Path, committed: dict[int, str], report: CrashReport) -> None:
    result = check_file(path)
    if not result.ok or result.busy:
        report.damaged.append(f"{path.name}: {result.problems or 'busy'}")
        return
    conn = sqlite3.connect(str(path))
    try:
        rows = dict(conn.execute("SELECT id, first_name FROM customers").fetchall())
        for cid, name in committed.items():
            if rows.get(cid) != name:
                report.lost.append(f"{path.name}: customer {cid} {name}")
        indexed = conn.execute(
            "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH 'writer'"
        ).fetchone()[0]
        audited = conn.execute(
            "SELECT count(*) FROM audit WHERE entity = 'customer' AND action = 'create'"
        ).fetchone()[0]
        writers = conn.execute("SELECT count(*) FROM customers WHERE last_name = 'Writer'").fetchone()[0]
        if indexed != writers or audited < writers:
            report.damaged.append(
                f"{path.name}: {writers} customers, {indexed} in the search index, "
                f"{audited} audited"
            )
    finally:
        conn.close()


def warm_up(scratch: Path) -> None:
    """Import and load lazily in the parent once, so each forked child starts writing at once."""
    from csdesk.domain import CustomerDraft
    from csdesk.services.desk import Desk

    desk = Desk.open(scratch)
    desk.customers.create(CustomerDraft(first_name="Warm", phones=(("mobile", "+1 415 555 0100"),)))
    desk.visits.log(1, purpose="warm")
    desk.close()  # no connection may be open across fork()


def run_cycles(
    folder: Path,
    cycles: int,
    *,
    seed: int = 7,
    cycles_per_file: int = 50,
    max_delay_s: float = 0.05,
) -> CrashReport:
    rng = random.Random(seed)
    report = CrashReport()
    warm_up(folder / "warm.db")
    started = time.monotonic()
    committed: dict[int, str] = {}
    path = folder / "crash-0.db"
    for cycle in range(cycles):
        if cycle and cycle % cycles_per_file == 0:
            report.files += 1
            path = folder / f"crash-{report.files}.db"
            committed = {}
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: write until killed, never return into the caller
            os.close(read_fd)
            try:
                write_forever(
                    str(path), str(cycle), os.fdopen(write_fd, "w"), checkpoints=cycle % 3 == 0
                )
            finally:
                os._exit(1)
        os.close(write_fd)
        with os.fdopen(read_fd) as reader:
            ready = reader.readline().strip() == "ready"
            # Every other cycle waits for a first commit before its random delay, so the kills
            # land mid-write however slow a loaded machine schedules the child; the others may
            # kill during the open itself (a delay of 0 lands on the first writes).
            lines = [reader.readline()] if ready and cycle % 2 else []
            time.sleep(rng.uniform(0.0, max_delay_s))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            for line in [*lines, *reader.read().splitlines()]:
                cid, name = line.split()
                committed[int(cid)] = name
                report.committed += 1
        if not ready or not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            report.damaged.append(f"cycle {cycle}: the writer did not start or was not killed")
        report.cycles += 1
        _verify(path, committed, report)
    report.files += 1
    report.seconds = time.monotonic() - started
    return report

