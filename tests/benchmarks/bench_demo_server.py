"""`csdesk demo` into a PostgreSQL server: rows per second, for building the 1,000,000-customer
benchmark database (issue 15's performance section) on the server directly.

    python tests/benchmarks/bench_demo_server.py --customers 100000 [--executemany]

Starts a throwaway cluster (tests/pg_cluster.py: fsync off, Unix socket), `server init`, then
demo.generate into it as `csdesk --db URL demo` does, and prints customers/s, rows/s (every
table the demo fills) and the machine's load. --executemany loads with psycopg's executemany
instead of COPY, to compare. --keep leaves the cluster running and prints its URL.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from csdesk.services import demo  # noqa: E402
from csdesk.services.desk import Desk  # noqa: E402
from csdesk.services.server import init_server  # noqa: E402
from csdesk.store import db as store_db  # noqa: E402
from tests.pg_cluster import PgCluster  # noqa: E402

TABLES = ("customers", "customer_phones", "customer_emails", "visits", "notes", "visit_slots")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--executemany", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.executemany:  # the way before COPY: one INSERT statement, executemany'd
        def by_executemany(db, table, columns, rows):  # type: ignore[no-untyped-def]
            marks = ", ".join("?" for _ in columns)
            db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(rows))
        store_db.insert_rows = by_executemany  # type: ignore[assignment]
        import csdesk.store.bulk as bulk
        bulk.insert_rows = by_executemany  # type: ignore[assignment]
    print(f"load before: {os.getloadavg()}")
    cluster = PgCluster().start()
    try:
        url = cluster.url(cluster.new_database())
        init_server(url)
        desk = Desk.open(url)
        desk.auth.act_as_cli()
        started = time.perf_counter()
        added = demo.generate(desk.context, args.customers, seed=1)
        seconds = time.perf_counter() - started
        rows = {t: int(desk.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}
        size = desk.db.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        desk.close()
        total = sum(rows.values())
        way = "executemany" if args.executemany else "COPY"
        print(f"{way}: {added:,} customers in {seconds:.1f} s = {added / seconds:,.0f} customers/s; "
              f"{total:,} rows = {total / seconds:,.0f} rows/s; database {size}")
        print("rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
        print(f"load after: {os.getloadavg()}")
        if args.keep:
            print(f"kept: {url}")
            return 0
    finally:
        if not args.keep:
            cluster.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
