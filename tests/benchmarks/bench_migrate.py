"""`csdesk migrate` of a demo file to a throwaway PostgreSQL server, then search on both engines.

    csdesk --db /tmp/demo-100k.db demo --customers 100000
    python tests/benchmarks/bench_migrate.py --file /tmp/demo-100k.db

Prints the copy's rows per second, the verification time (counts, checksums, search sample),
then p50/p99 per search class on SQLite and PostgreSQL (over the Unix socket) and their ratio.
The server is a throwaway cluster (tests/pg_cluster.py: fsync off), so the copy rate is an
upper bound for a real server's disk; searches read and are not affected by fsync.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "benchmarks")]

from bench_search import percentile, sample_queries  # noqa: E402

from csdesk.services.clock import utc_now  # noqa: E402
from csdesk.services.context import Context  # noqa: E402
from csdesk.services.desk import Desk  # noqa: E402
from csdesk.services.search import SearchService  # noqa: E402
from csdesk.services.server import migrate_file  # noqa: E402
from csdesk.store.server import connect  # noqa: E402
from csdesk.store.server.sql import PgDatabase  # noqa: E402
from tests.pg_cluster import PgCluster  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200, help="queries per search class")
    args = parser.parse_args()
    cluster = PgCluster().start()
    try:
        url = cluster.url(cluster.new_database())
        last = [0.0]

        def progress(done: int, total: int, table: str) -> bool:
            if time.perf_counter() - last[0] > 5:
                last[0] = time.perf_counter()
                print(f"  {table}: {done:,}/{total:,}", flush=True)
            return True

        report = migrate_file(args.file, url, progress)
        copy = report.copy
        print(f"\nfile {args.file} ({args.file.stat().st_size / 1e6:.0f} MB), load {os.getloadavg()[0]:.1f}")
        print(f"copied {copy.rows:,} rows in {len(copy.tables)} tables in {copy.copy_s:.1f} s: "
              f"{copy.rows / copy.copy_s:,.0f} rows/s")
        verdict = "match" if all(s.ok for s in report.sample) else "DIFFER"
        print(f"verified (counts + SHA-256 of every table) in {copy.verify_s:.1f} s; "
              f"{len(report.sample)} sample searches {verdict}; ok={report.ok}")
        biggest = sorted(copy.tables, key=lambda t: -t.file_rows)[:6]
        print("largest tables: " + ", ".join(f"{t.table} {t.file_rows:,}" for t in biggest))

        desk = Desk.open(args.file)
        conn = connect.connect(url)
        on_server = SearchService(Context(PgDatabase(conn), clock=utc_now))  # type: ignore[arg-type]
        classes = sample_queries(desk, random.Random(7), args.queries)
        print(f"\n{args.queries} queries per class, limit 20; ms")
        print(f"{'class':<20} {'sqlite p50':>10} {'p99':>7} {'pg p50':>8} {'p99':>7} "
              f"{'pg/sqlite p99':>14} same")
        for name, queries in classes.items():
            times: dict[str, list[float]] = {"file": [], "server": []}
            same = 0
            for q in queries:
                results = []
                for side, svc in (("file", desk.search), ("server", on_server)):
                    started = time.perf_counter()
                    found = svc.caller(q) if name == "caller id (exact)" else svc.search(q, limit=20)
                    times[side].append((time.perf_counter() - started) * 1000)
                    results.append([h.customer_id for h in found])
                same += results[0] == results[1]
            f99, s99 = percentile(times["file"], 99), percentile(times["server"], 99)
            print(f"{name:<20} {percentile(times['file'], 50):>10.2f} {f99:>7.2f} "
                  f"{percentile(times['server'], 50):>8.2f} {s99:>7.2f} {s99 / f99:>14.1f} "
                  f"{same}/{len(queries)}")
        conn.close()
        desk.close()
    finally:
        cluster.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
