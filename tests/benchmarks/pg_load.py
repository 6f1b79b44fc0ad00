"""Load a csdesk file into a throwaway server fast, for benchmarks (not the shop's `csdesk migrate`).

`csdesk migrate` copies about 5,400 rows/s: every row goes through the server's indexes and
triggers as it arrives, in 10,000-row transactions, which is right for a shop's move (progress,
a batch at a time) and far too slow for the 6.7 million rows of a 1,000,000-customer demo. Here,
on a cluster nobody else uses: the schema is made by `server init`, the secondary indexes are
dropped, each table is one COPY with triggers and foreign-key checks off (session_replication_role
= replica; the derived visit_slots is copied from the file instead of counted by its trigger),
and the indexes are built again afterwards, as pg_restore does. Generated columns (the search
vectors) are computed by the server as rows arrive, as on any insert. The result has the same
rows as `csdesk migrate` gives; the benchmark compares every search's customers on both engines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from csdesk.store.server import copy, schema


def load_file(path: Path, conn: psycopg.Connection, say: Callable[[str], None] = print) -> int:
    """Copy every table of the csdesk file at `path` into the empty database of `conn`; rows copied."""
    src = copy.open_source(path)
    try:
        schema.init(conn)
        tables = copy.file_tables(src)
        started = time.perf_counter()
        total = 0
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            indexes = conn.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            ).fetchall()
            for name, _ddl in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            for table in tables:
                columns = copy.file_columns(src, table)
                key = copy.primary_key(src, table)
                cols = ", ".join(f'"{c}"' for c in columns)
                if table in copy.SEED_TABLES:
                    conn.execute(f'DELETE FROM "{table}"')
                t0 = time.perf_counter()
                n = 0
                with conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as out:
                    for row in copy._file_rows(src, table, columns, key):
                        out.write_row(row)
                        n += 1
                total += n
                if n:
                    say(f"  {table}: {n:,} rows in {time.perf_counter() - t0:.1f} s")
            t0 = time.perf_counter()
            for _name, ddl in indexes:
                conn.execute(ddl)
            say(f"  {len(indexes)} indexes built in {time.perf_counter() - t0:.1f} s")
            for table in tables:
                if "id" in copy.file_columns(src, table) and copy.primary_key(src, table) == ["id"]:
                    conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'GREATEST(max(id), 1), max(id) IS NOT NULL) FROM "{table}"'
                    )
        conn.execute("VACUUM (ANALYZE)")  # visibility map (index-only scans) and the planner's sizes
        say(f"loaded {total:,} rows in {time.perf_counter() - started:.1f} s")
        return total
    finally:
        src.close()
