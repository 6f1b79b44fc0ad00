"""`csdesk demo` into a new database file: wall and CPU time (the command's process and the
worker processes that draw the customers), the file's size and rows, and the machine's load.

    python tests/benchmarks/bench_demo.py --customers 1000000 [--runs 3] [--dir /tmp/x] [--keep]

Each run starts `python -m csdesk --db FILE demo --customers N` as a user would, into a file
that does not exist yet (the bulk path: one transaction, indexes built at the end). CPU is the
command's user + system time including its reaped children (the drawing workers). With
--runs > 1, the median and the best of each figure are printed too. The file is deleted after
each run unless --keep (the last one is kept). For the server, see bench_demo_server.py.
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
TABLES = ("customers", "customer_phones", "customer_emails", "visits", "notes", "visit_slots")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(path: Path, customers: int, seed: int) -> tuple[float, float]:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    cpu, wall = _children_cpu(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(path), "demo", "--customers", str(customers),
         "--seed", str(seed)],
        check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - wall, _children_cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="where the file goes (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the last run's file")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench_demo_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo_{args.customers}.db"
    walls, cpus = [], []
    for run in range(args.runs):
        load = os.getloadavg()
        wall, cpu = one_run(path, args.customers, args.seed)
        walls.append(wall)
        cpus.append(cpu)
        print(f"run {run + 1}: {args.customers:,} customers: wall {wall:.1f} s, CPU {cpu:.1f} s "
              f"({args.customers / wall:,.0f} customers/s); load before {load[0]:.2f}, "
              f"after {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
        with sqlite3.connect(path) as db:
            rows = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        db.close()
        size = path.stat().st_size
        if run < args.runs - 1 or not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory of the largest process: {peak:,.0f} MiB")
    if args.runs > 1:
        print(f"wall median {statistics.median(walls):.1f} s, best {min(walls):.1f} s; "
              f"CPU median {statistics.median(cpus):.1f} s, best {min(cpus):.1f} s")  # fmt: skip
    print(f"file {size / 2**20:,.0f} MiB; rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
    if args.keep:
        print(f"kept: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
