"""Cold start to a usable search field, in a fresh Python process each time.

Usage: python tests/benchmarks/bench_startup.py [--customers N] [--runs R] [--db EXISTING.db]
    [--tree CHECKOUT ...]
(--db: start on that database, e.g. a 1,000,000-customer demo built once; it is opened as the
window opens it, so give it a file of your own. --tree: run that checkout's csdesk, e.g. main's,
and again with this one: the runs alternate, a before/after pair at the same load.)

Each run starts `python -m csdesk --db DB` with CSDESK_STARTUP_PROBE=1; the app prints the
wall-clock moment its window is shown with the recent customers listed, then quits. The figure
is that moment minus the moment just before the process was spawned (so it includes the
interpreter, imports, opening the database and the first search); beside it the CPU time the
whole process used (start to exit), which a loaded machine inflates far less than the wall
clock. Target (issue 17): under 0.8 s at 1,000,000 customers on a quiet machine; the machine's
load is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
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


# An installed csdesk runs from compiled bytecode; a run that recompiles every module (an
# environment with PYTHONDONTWRITEBYTECODE, a fresh checkout) measures the compiler (~0.4 s)
# instead. The warm-up run fills this cache; it lives outside the tree.
PYCACHE = Path(tempfile.gettempdir()) / "csdesk-bench-pycache"


def _env(tree: Path = ROOT) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["PYTHONPATH"] = str(tree) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["CSDESK_STARTUP_PROBE"] = "1"
    return env


def one_run(db: Path, tree: Path = ROOT) -> tuple[float, float, float]:
    """(ms from spawn to usable search field, ms inside main(), CPU ms of the whole process)"""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    spawned = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db)],
        check=True,
        env=_env(tree),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tree,  # `-m` puts the working folder first on the path: run the tree's own csdesk
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("startup-probe"))
    fields = dict(part.split("=") for part in line.split()[1:])
    if fields["usable"] != "True":
        raise SystemExit(f"search field not usable: {line}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return (float(fields["ready_at"]) - spawned) * 1000, float(fields["main_ms"]), cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="Start on this existing database instead.")
    parser.add_argument("--tree", type=Path, action="append",
                        help="A csdesk checkout to start (repeat it: runs alternate between them, "
                        "so each sees the same load); default this one.")
    args = parser.parse_args()
    trees: list[Path] = args.tree or [ROOT]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if args.db is None:
            prepare(db, args.customers)
        else:
            args.customers = int(
                sqlite3.connect(db).execute("SELECT count(*) FROM customers").fetchone()[0]
            )
        print(f"load before: {_load()}")
        for tree in trees:  # warm the OS file cache and the bytecode, as a second launch would be
            one_run(db, tree)
        runs: dict[Path, list[tuple[float, float, float]]] = {tree: [] for tree in trees}
        for _ in range(args.runs):
            for tree in trees:
                runs[tree].append(one_run(db, tree))
    for tree in trees:
        totals = sorted(r[0] for r in runs[tree])
        p50 = statistics.median(totals)
        p99 = totals[min(len(totals) - 1, int(len(totals) * 0.99))]
        cpus = [r[2] for r in runs[tree]]
        print(f"cold start to usable search ({args.customers:,} customers, {args.runs} runs, {tree})")
        print(f"  spawn -> search field ready: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {totals[-1]:.0f} ms")
        print(f"  of which inside ui.app.main(): p50 {statistics.median(r[1] for r in runs[tree]):.0f} ms")
        print(f"  CPU time of the process (start to exit): p50 {statistics.median(cpus):.0f} ms, "
              f"max {max(cpus):.0f} ms")
        print(f"  target < 800 ms (quiet machine): {'met' if p50 < 800 else 'NOT met'}")
    print(f"load after: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
