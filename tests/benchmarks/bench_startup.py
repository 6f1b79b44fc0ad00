"""Cold start to a usable search field, in a fresh Python process each time.

Usage: python tests/benchmarks/bench_startup.py [--customers N] [--runs R] [--db EXISTING.db]
(--db: start on that database, e.g. a 1,000,000-customer demo built once; it is opened as the
window opens it, so give it a file of your own)

Each run starts `python -m csdesk --db DB` with CSDESK_STARTUP_PROBE=1; the app prints the
wall-clock moment its window is shown with the recent customers listed, then quits. The figure
is that moment minus the moment just before the process was spawned (so it includes the
interpreter, imports, opening the database and the first search). Target (issue 17): under 0.8 s
at 1,000,000 customers on a quiet machine; the machine's load is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def prepare(db: Path, customers: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db), "demo", "--customers", str(customers)],
        check=True,
        env=_env(),
        stdout=subprocess.DEVNULL,
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["CSDESK_STARTUP_PROBE"] = "1"
    return env


def one_run(db: Path) -> tuple[float, float]:
    """(ms from spawn to usable search field, ms inside main())"""
    spawned = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db)],
        check=True,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("startup-probe"))
    fields = dict(part.split("=") for part in line.split()[1:])
    if fields["usable"] != "True":
        raise SystemExit(f"search field not usable: {line}")
    return (float(fields["ready_at"]) - spawned) * 1000, float(fields["main_ms"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="Start on this existing database instead.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if args.db is None:
            prepare(db, args.customers)
        else:
            args.customers = int(
                sqlite3.connect(db).execute("SELECT count(*) FROM customers").fetchone()[0]
            )
        print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
        one_run(db)  # warm the OS file cache once, as a second launch of the day would be
        totals, inside = [], []
        for _ in range(args.runs):
            total, main_ms = one_run(db)
            totals.append(total)
            inside.append(main_ms)
    totals.sort()
    p50 = statistics.median(totals)
    p99 = totals[min(len(totals) - 1, int(len(totals) * 0.99))]
    print(f"cold start to usable search ({args.customers:,} customers, {args.runs} runs)")
    print(f"  spawn -> search field ready: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {totals[-1]:.0f} ms")
    print(f"  of which inside ui.app.main(): p50 {statistics.median(inside):.0f} ms")
    print(f"  target < 800 ms (quiet machine): {'met' if p50 < 800 else 'NOT met'}")
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
