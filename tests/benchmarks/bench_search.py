"""Search latency by query class: the whole call, query text in, display rows out.

    python tests/benchmarks/bench_search.py --customers 1000000 --db /tmp/bench-1m.db

Reuses the database when it already holds that many customers. Prints p50/p99 per class.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.services.phone import pretty
from csdesk.services.text import tokens


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def build(desk: Desk, customers: int) -> None:
    have = desk.customers.count()
    if have >= customers:
        print(f"reusing {desk.path} with {have:,} customers")
        return
    started = time.perf_counter()
    demo.generate(desk.context, customers - have, seed=1)
    print(f"generated {customers - have:,} customers in {time.perf_counter() - started:.1f} s")


def sample_queries(desk: Desk, rng: random.Random, per_class: int) -> dict[str, list[str]]:
    top = desk.db.execute("SELECT max(id) FROM customers").fetchone()[0]
    picks = []
    while len(picks) < per_class:
        cid = rng.randint(1, top)
        row = desk.db.execute(
            "SELECT first_name, last_name, email FROM customers WHERE id = ?", [cid]
        ).fetchone()
        phone = desk.db.execute(
            "SELECT raw, e164 FROM customer_phones WHERE customer_id = ? LIMIT 1", [cid]
        ).fetchone()
        if row and phone and row[1] and tokens(row[0]) and tokens(row[1]):
            picks.append((row, phone))
    classes: dict[str, list[str]] = {
        k: []
        for k in (
            "1 letter",
            "2 letters",
            "3 letters",
            "two words",
            "full phone",
            "phone last 4",
            "phone partial 7",
            "e-mail prefix",
            "caller id (exact)",
            "empty (recent)",
        )
    }
    for (first, last, email), (raw, e164) in picks:
        f = tokens(first)[0]
        lt = tokens(last)[0]
        classes["1 letter"].append(f[:1])
        classes["2 letters"].append(f[:2])
        classes["3 letters"].append(lt[:3])
        classes["two words"].append(f"{lt[:4]} {f[:3]}")
        classes["full phone"].append(pretty(e164))
        classes["phone last 4"].append(e164[-4:])
        classes["phone partial 7"].append(f"{e164[-7:-4]}-{e164[-4:]}")
        classes["e-mail prefix"].append((email or "maria.g@")[: max(3, len(email) // 2)] + "@"[:0])
        classes["caller id (exact)"].append(raw)
        classes["empty (recent)"].append("")
    return classes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/csdesk-bench-search.db"))
    parser.add_argument("--queries", type=int, default=300, help="queries per class")
    parser.add_argument("--limit", type=int, default=20, help="rows per search (the window shows 20)")
    args = parser.parse_args()
    desk = Desk.open(args.db)
    build(desk, args.customers)
    rng = random.Random(7)
    classes = sample_queries(desk, rng, args.queries)
    print(f"{desk.customers.count():,} customers; {args.queries} queries per class; limit {args.limit}\n")
    print(f"{'class':<20} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean hits':>10}")
    worst = 0.0
    for name, queries in classes.items():
        timings, hits = [], []
        for q in queries:
            started = time.perf_counter()
            if name == "caller id (exact)":
                found = desk.search.caller(q)
            elif name == "e-mail prefix":
                found = desk.search.search(q, limit=args.limit)
            else:
                found = desk.search.search(q, limit=args.limit)
            timings.append((time.perf_counter() - started) * 1000)
            hits.append(len(found))
        p99 = percentile(timings, 99)
        worst = max(worst, p99)
        print(
            f"{name:<20} {percentile(timings, 50):>8.2f} {p99:>8.2f} {max(timings):>8.2f} "
            f"{statistics.mean(hits):>10.1f}"
        )
    print(f"\nworst p99: {worst:.2f} ms (target < 16 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
