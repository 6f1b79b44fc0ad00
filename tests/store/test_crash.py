"""Kill a writer with SIGKILL at random moments; the database must stay whole and keep every
write it reported as committed.

The writer is a forked child of the test process (csdesk already imported), so each cycle costs
milliseconds rather than a fresh interpreter's start-up (tests/store/crash_harness.py; the
1,000-cycle run with figures is tests/benchmarks/bench_crash.py). One run also starts the writer
as a separate `python crash_writer.py` program, exactly as a user's csdesk would run.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from csdesk.store.backup import check_file
from tests.store.crash_harness import run_cycles

WRITER = Path(__file__).with_name("crash_writer.py")
CYCLES = 200


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


def test_a_separate_writer_program_killed_loses_nothing_committed(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), "p"], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    proc.kill()
    out, _ = proc.communicate()
    committed = {int(c): n for c, n in (line.split() for line in out.splitlines())}
    assert committed, "the writer never got to write"
    _verify(db, committed)


def test_200_forked_writers_killed_at_random_moments_lose_nothing(tmp_path: Path) -> None:
    report = run_cycles(tmp_path, CYCLES)
    assert report.cycles == CYCLES
    assert report.damaged == []
    assert report.lost == []
    assert report.committed >= CYCLES // 2  # every other cycle waited for a commit
    print(
        f"\ncrash test: {report.cycles} kills over {report.files} files, "
        f"{report.committed} committed writes verified"
    )
