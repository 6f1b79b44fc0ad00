"""Search on both engines side by side, on the same data: p50/p99 per query class and their ratio.

    nice -n 5 python tests/benchmarks/bench_search_server.py --file /work/bench/demo1m.db \\
        --work /work/bench/pgsearch

The file is copied into --work once (csdesk writes to a database it opens; the source is never
changed), and loaded into a throwaway cluster kept in --work/pg (tests/pg_cluster.py; fsync off,
which searches do not feel) by pg_load.load_file, so a rerun starts the cluster again instead of
loading 6.7 million rows again. The cluster is stopped at the end (--drop: and deleted).

Every class of bench_search.py runs at limit 20 (a script) and 50 (the window), over the Unix
socket, csdesk's whole call (SearchService.search / caller) on each engine in turn for each query,
after one untimed run of the same query (as typing warms the caches). Per class it prints both
engines' p50/p99, the ratio PostgreSQL/SQLite, the bare SQL the server call sends timed on its
own (so the rest is csdesk's Python and the driver), the statements (round trips) per search, and
how many queries gave the same customers in the same order on both engines. Then caller-ID
exact lookups and logging a visit (the write a counter does most), on both.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "benchmarks")]

from bench_search import percentile, sample_queries  # noqa: E402
from pg_load import load_file  # noqa: E402

from csdesk.domain import SearchHit  # noqa: E402
from csdesk.services.desk import Desk  # noqa: E402
from csdesk.store.server import connect  # noqa: E402
from tests.pg_cluster import PgCluster  # noqa: E402

DATABASE = "bench"
# A shop's server as Debian installs it (shared_buffers 128MB), with what a search-heavy csdesk
# server wants said in the README; fsync is off only because this cluster is thrown away.
VISITS_AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # after every demo visit
SETTINGS = {"shared_buffers": "128MB", "max_connections": "40"}


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def prepare(args: argparse.Namespace) -> tuple[Path, PgCluster, str]:
    args.work.mkdir(parents=True, exist_ok=True)
    copy = args.work / "file.db"
    # Which source the copy was made from, not the copy's size: each run's logged visits grow
    # the copy and the server alike, and a copy made again (its size no longer the source's)
    # while the server kept the earlier runs' visits gave lists that differ ("same" 0/200 for
    # the empty search). A new copy loads the server again.
    stamp = args.work / "file.source"
    source = f"{args.file.resolve()} {args.file.stat().st_size} {args.file.stat().st_mtime_ns}"
    fresh = not copy.exists() or not stamp.exists() or stamp.read_text() != source
    if fresh:
        started = time.perf_counter()
        shutil.copyfile(args.file, copy)
        stamp.write_text(source)
        print(f"copied {args.file} to {copy} in {time.perf_counter() - started:.1f} s")
    settings = dict(SETTINGS)
    if args.shared_buffers:
        settings["shared_buffers"] = args.shared_buffers
    cluster = PgCluster(root=args.work / "pg", settings=settings).start()
    exists = cluster.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'").strip()
    url = cluster.url(DATABASE)
    if exists and (args.reload or fresh):
        cluster.psql(f'DROP DATABASE "{DATABASE}"')
        exists = ""
    if not exists:
        cluster.psql(f'CREATE DATABASE "{DATABASE}"')
        print(f"loading {copy} into the server ({uptime()})")
        conn = connect.connect(url)
        try:
            load_file(copy, conn)
        finally:
            conn.close()
    return copy, cluster, url


def sizes(file_desk: Desk, server_desk: Desk, path: Path) -> str:
    pg = server_desk.db.execute
    total = pg("SELECT pg_database_size(current_database())").fetchone()[0]
    parts = [f"file {path.stat().st_size / 1e6:,.0f} MB", f"server database {total / 1e6:,.0f} MB"]
    for name in ("customers", "customer_phones", "customer_emails", "notes", "visits"):
        rel = pg("SELECT pg_total_relation_size(?::regclass)", [name]).fetchone()[0]
        parts.append(f"{name} {rel / 1e6:,.0f} MB")
    for index in ("customers_search", "customers_recent", "phones_e164_trgm", "notes_search"):
        found = pg("SELECT pg_relation_size(?::regclass)", [index]).fetchone()
        if found:
            parts.append(f"{index} {found[0] / 1e6:,.0f} MB")
    customers = file_desk.customers.count()
    return f"{customers:,} customers; " + ", ".join(parts)


Statement = tuple[str, Any]


def record(desk: Desk, call: Callable[[], Any]) -> list[Statement]:
    """The statements one call sends, with their parameters (a list or a dict), in order."""
    db = desk.db
    sent: list[Statement] = []
    original = db.execute

    def recording(sql: str, params: Any = ()) -> Any:
        sent.append((sql, params))
        return original(sql, params)

    db.execute = recording  # type: ignore[method-assign]
    try:
        call()
    finally:
        del db.execute  # back to the class's method
    return sent


def bare(desk: Desk, statements: list[Statement]) -> None:
    for sql, params in statements:
        desk.db.execute(sql, params).fetchall()


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def run_classes(
    file_desk: Desk, server_desk: Desk, classes: dict[str, list[str]], limits: list[int], only: str
) -> list[dict[str, Any]]:
    print(
        f"\n{'class':<20} {'limit':>5} {'sqlite p50':>10} {'p99':>6} {'pg p50':>7} {'p99':>6} "
        f"{'x p50':>6} {'x p99':>6} {'pgSQL p50':>9} {'p99':>6} {'stmts':>5} {'hits':>5} same"
    )
    table = []
    for limit in limits:
        for name, queries in classes.items():
            if only not in name or name == "caller id (exact)":
                continue
            times: dict[str, list[float]] = {"file": [], "server": [], "sql": []}
            statements, hits, same = [], [], 0
            for q in queries:
                found: dict[str, list[int]] = {}
                for side, desk in (("file", file_desk), ("server", server_desk)):

                    def call(q: str = q, desk: Desk = desk, limit: int = limit) -> list[SearchHit]:
                        return desk.search.search(q, limit=limit)

                    sent = record(desk, call)  # the untimed run: caches warm, statements known
                    ms, result = timed(call)
                    times[side].append(ms)
                    found[side] = [h.customer_id for h in result]
                    if side == "server":
                        statements.append(len(sent))
                        times["sql"].append(timed(lambda sent=sent: bare(server_desk, sent))[0])
                hits.append(len(found["file"]))
                same += found["file"] == found["server"]
            row = {
                "class": name, "limit": limit,
                "f50": percentile(times["file"], 50), "f99": percentile(times["file"], 99),
                "s50": percentile(times["server"], 50), "s99": percentile(times["server"], 99),
                "q50": percentile(times["sql"], 50), "q99": percentile(times["sql"], 99),
                "stmts": statistics.mean(statements), "hits": statistics.mean(hits),
                "same": f"{same}/{len(queries)}",
            }
            table.append(row)
            print(
                f"{name:<20} {limit:>5} {row['f50']:>10.2f} {row['f99']:>6.2f} {row['s50']:>7.2f} "
                f"{row['s99']:>6.2f} {row['s50'] / row['f50']:>6.1f} {row['s99'] / row['f99']:>6.1f} "
                f"{row['q50']:>9.2f} {row['q99']:>6.2f} {row['stmts']:>5.1f} {row['hits']:>5.1f} "
                f"{row['same']}",
                flush=True,
            )
    return table


def run_callers(file_desk: Desk, server_desk: Desk, numbers: list[str]) -> None:
    times: dict[str, list[float]] = {"file": [], "server": []}
    same = 0
    for number in numbers:
        found = {}
        for side, desk in (("file", file_desk), ("server", server_desk)):
            desk.search.caller(number)
            ms, result = timed(lambda desk=desk, number=number: desk.search.caller(number))
            times[side].append(ms)
            found[side] = [h.customer_id for h in result]
        same += found["file"] == found["server"]
    report("caller id (exact)", times, f"same {same}/{len(numbers)}; target pg p99 < 5 ms")


def run_visits(file_desk: Desk, server_desk: Desk, customers: list[int]) -> None:
    """Logging a visit: one transaction (the visit, the customer's last-seen facts, the visit
    slot, the audit row, the change log). Written to the bench's copies, never to --file."""
    times: dict[str, list[float]] = {"file": [], "server": []}
    for i, cid in enumerate(customers):
        # The same moment on both engines (not "now", which moves between the two writes), so
        # both keep the same last_seen_at and later runs still compare equal results.
        at = VISITS_AT + timedelta(seconds=i)
        for side, desk in (("file", file_desk), ("server", server_desk)):
            ms, _ = timed(
                lambda desk=desk, cid=cid, at=at: desk.visits.log(cid, purpose="bench", at=at)
            )
            times[side].append(ms)
    report("log a visit", times, "target pg p99 < 20 ms")


def report(name: str, times: dict[str, list[float]], extra: str) -> None:
    f50, f99 = percentile(times["file"], 50), percentile(times["file"], 99)
    s50, s99 = percentile(times["server"], 50), percentile(times["server"], 99)
    print(
        f"{name:<20} sqlite p50 {f50:.2f} p99 {f99:.2f} ms; pg p50 {s50:.2f} p99 {s99:.2f} ms; "
        f"x p50 {s50 / f50:.1f} x p99 {s99 / f99:.1f}; {len(times['file'])} runs; {extra}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--file", type=Path, default=Path("/work/bench/demo1m.db"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/csdesk-bench-search-server"))
    parser.add_argument("--queries", type=int, default=200, help="queries per class")
    parser.add_argument("--limits", default="20,50")
    parser.add_argument("--only", default="", help="run only classes containing this text")
    parser.add_argument("--visits", type=int, default=200, help="visits logged on each engine")
    parser.add_argument("--shared-buffers", default="", help="the server's shared_buffers")
    parser.add_argument("--reload", action="store_true", help="load the server database again")
    parser.add_argument("--drop", action="store_true", help="delete the kept cluster at the end")
    args = parser.parse_args()
    print(f"start: {uptime()}")
    path, cluster, url = prepare(args)
    try:
        file_desk = Desk.open(path)
        server_desk = Desk.open(url)
        print(sizes(file_desk, server_desk, path))
        print(f"PostgreSQL {server_desk.db.execute('SHOW server_version').fetchone()[0]}, "
              f"Unix socket, shared_buffers {server_desk.db.execute('SHOW shared_buffers').fetchone()[0]}")
        classes = sample_queries(file_desk, random.Random(7), args.queries)
        print(f"{args.queries} queries per class (ms): {uptime()}")
        run_classes(file_desk, server_desk, classes, [int(x) for x in args.limits.split(",")], args.only)
        print()
        if not args.only or "caller" in args.only:
            run_callers(file_desk, server_desk, classes["caller id (exact)"])
        if args.visits and not args.only:
            top = file_desk.db.execute("SELECT max(id) FROM customers").fetchone()[0]
            rng = random.Random(11)
            run_visits(file_desk, server_desk, [rng.randint(1, top) for _ in range(args.visits)])
        print(f"end: {uptime()}")
        file_desk.close()
        server_desk.close()
    finally:
        if args.drop:
            cluster.destroy()
        else:
            cluster.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("CSDESK_DATA_DIR", "/tmp/csdesk-bench-search-server-data")
    sys.exit(main())
