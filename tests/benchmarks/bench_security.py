"""Figures for the security work: PIN verify time, backup/check/restore/erase on a big database.

Run: PYTHONPATH=. python tests/benchmarks/bench_security.py [CUSTOMERS]   (default 100,000)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from csdesk.services import auth, demo
from csdesk.services.desk import Desk


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    stored = auth.hash_pin("482913")
    times = []
    for _ in range(20):
        started = time.perf_counter()
        assert auth.verify_pin("482913", stored)
        times.append((time.perf_counter() - started) * 1000)
    print(f"scrypt verify (N=2^14, r=8): p50 {statistics.median(times):.0f} ms, "
          f"p99 {pct(times, 0.99):.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        desk = Desk.open(path)
        started = time.perf_counter()
        demo.generate(desk.context, customers, seed=3)
        print(f"demo data: {customers:,} customers in {time.perf_counter() - started:.1f} s, "
              f"{path.stat().st_size / 1e6:.0f} MB")
        desk.auth.act_as_cli()
        result = desk.backups.backup(Path(tmp) / "backup.db")
        print(f"backup: {result.size / 1e6:.0f} MB in {result.seconds:.2f} s")
        started = time.perf_counter()
        report = desk.backups.check()
        print(f"check (integrity + FTS): ok={report.ok} in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        desk.backups.restore(result.path)
        print(f"restore (stage + check + save current + copy): "
              f"{time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        erased = desk.privacy.erase(customers // 2)
        print(f"erase one customer (incl. FTS optimize + VACUUM): "
              f"{time.perf_counter() - started:.2f} s, scrubbed={erased.file_scrubbed}")
        desk.close()


if __name__ == "__main__":
    main()
