"""What the erase's scrub (store/server/erase.scrub_after_erase: VACUUM FULL of the touched
tables) costs on a server: seconds per table and its size, i.e. how long counters wait on each.

    csdesk --db /tmp/demo-100k.db demo --customers 100000
    python tests/benchmarks/bench_erase_scrub.py --file /tmp/demo-100k.db

Migrates the file to a throwaway cluster (tests/pg_cluster.py: fsync off, so the rewrite is an
upper bound for a real server's disk), deletes one customer as erase does, then times each
table's VACUUM FULL. Prints the machine's load with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from psycopg import sql  # noqa: E402

from csdesk.services.server import migrate_file  # noqa: E402
from csdesk.store.server import connect  # noqa: E402
from csdesk.store.server.erase import ERASE_TABLES, scrub_after_erase  # noqa: E402
from tests.pg_cluster import PgCluster  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args()
    cluster = PgCluster().start()
    try:
        url = cluster.url(cluster.new_database())
        report = migrate_file(args.file, url, lambda *a: True)
        assert report.ok
        conn = connect.connect(url)
        (cid,) = conn.execute("SELECT max(id) FROM customers").fetchone()  # type: ignore[misc]
        with conn.transaction():
            conn.execute("UPDATE visits SET customer_id = NULL, purpose = '' WHERE customer_id = %s", [cid])
            conn.execute("DELETE FROM customers WHERE id = %s", [cid])
        print(f"file {args.file} ({args.file.stat().st_size / 1e6:.0f} MB), load {os.getloadavg()[0]:.1f}")
        print(f"{'table':<22}{'rows':>10}{'MB':>8}{'VACUUM FULL s':>15}")
        total = 0.0
        for table in ERASE_TABLES:
            (rows, size) = conn.execute(  # type: ignore[misc]
                sql.SQL("SELECT count(*), pg_total_relation_size({}) FROM {}").format(
                    sql.Literal(table), sql.Identifier(table)),
            ).fetchone()
            started = time.perf_counter()
            assert scrub_after_erase(conn, (table,)) == []
            spent = time.perf_counter() - started
            total += spent
            print(f"{table:<22}{rows:>10,}{size / 1e6:>8.1f}{spent:>15.2f}")
        print(f"{'all':<40}{total:>15.2f}   load {os.getloadavg()[0]:.1f}")
        conn.close()
    finally:
        cluster.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
