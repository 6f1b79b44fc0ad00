"""Benchmark: the issue list and the follow-up due queue over 100,000 issues (and follow-ups).

Run: PYTHONPATH=$PWD python tests/benchmarks/bench_issues.py [--issues 100000] [--runs 200]
Prints p50/p99 per query, measured through the services (what the window calls), first page of 50.
Target: every first page under 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from csdesk.domain import IssueStatus, Priority, Role
from csdesk.services import demo
from csdesk.services.clock import iso
from csdesk.services.desk import Desk
from csdesk.services.issues import IssueQuery
from csdesk.store import followups as followup_store
from csdesk.store import issues as issue_store
from csdesk.store import staff as staff_store
from csdesk.store.db import atomic


def set_setting(desk: Desk, key: str, value: object) -> None:
    """Set-up through the one audited setter, as the command line's admin."""
    previous = desk.actor
    desk.auth.act_as_cli()
    desk.shop.set(key, value)
    desk.actor = previous

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
STATUSES = (
    [IssueStatus.OPEN] * 12 + [IssueStatus.IN_PROGRESS] * 8 + [IssueStatus.WAITING] * 5
    + [IssueStatus.RESOLVED] * 25 + [IssueStatus.CLOSED] * 50
)  # fmt: skip


def populate(desk: Desk, n_issues: int, n_customers: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    demo.generate(desk.context, n_customers, seed=seed)
    with atomic(desk.db):
        staff = [desk.actor.id] + [
            staff_store.insert(desk.db, f"Staff {i}", rng.choice(list(Role)).value, iso(NOW))
            for i in range(12)
        ]
    categories = [c.id for c in desk.issues.categories()]
    issues, followups = [], []
    for n in range(n_issues):
        created = NOW - timedelta(minutes=rng.randint(10, 400 * 24 * 60))
        status = rng.choice(STATUSES)
        priority = rng.choice(list(Priority))
        due = created + timedelta(hours=rng.choice((4, 24, 72, 168)))
        if status.is_open:  # open work spreads around now: some overdue, most not
            due = NOW + timedelta(minutes=rng.randint(-10 * 24 * 60, 20 * 24 * 60))
        resolved = iso(created + timedelta(days=1)) if not status.is_open else None
        owner = rng.choice(staff)
        issues.append((
            rng.randint(1, n_customers), f"Issue {n} {rng.choice(('late', 'broken', 'billing'))}",
            "", rng.choice(categories), priority.value, priority.rank, "phone", owner,
            status.value, iso(due), "fixed" if resolved else "", None, resolved, iso(created),
            owner, iso(created), owner, 1,
        ))  # fmt: skip
        done = rng.random() < 0.6
        f_due = NOW + timedelta(minutes=rng.randint(-14 * 24 * 60, 30 * 24 * 60))
        followups.append((
            rng.randint(1, n_customers), None, f"Call back {n}", iso(f_due), owner,
            iso(f_due) if done else None, owner if done else None, "called" if done else "",
            iso(created), owner, iso(created), owner, 1,
        ))  # fmt: skip
    with atomic(desk.db):
        issue_store.insert_many(desk.db, issues)
        followup_store.insert_many(desk.db, followups)
    desk.db.execute("ANALYZE")


def measure(fn: Callable[[], object], runs: int) -> tuple[float, float, int]:
    fn()  # warm the page cache once, as a window that has just opened would have
    times = []
    rows = 0
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        rows = len(result) if isinstance(result, list) else int(result)  # type: ignore[arg-type]
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.median(times), p99, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        desk = Desk.open(path, clock=lambda: NOW)
        set_setting(desk, "timezone", "UTC")
        start = time.perf_counter()
        populate(desk, args.issues, args.customers)
        print(
            f"populated {args.issues:,} issues + {args.issues:,} follow-ups for "
            f"{args.customers:,} customers in {time.perf_counter() - start:.1f} s"
        )
        lead = desk.issues.owner_named("Staff 3")
        newest = IssueQuery(status="all", sort="created")
        cases: list[tuple[str, Callable[[], object]]] = [
            ("issue list: open, soonest due", lambda: desk.issues.page(IssueQuery())),
            ("issue list: overdue", lambda: desk.issues.page(IssueQuery(overdue=True))),
            ("issue list: by priority", lambda: desk.issues.page(IssueQuery(sort="priority"))),
            ("issue list: one owner", lambda: desk.issues.page(IssueQuery(owner_id=lead))),
            ("issue list: resolved", lambda: desk.issues.page(IssueQuery(status="resolved"))),
            ("issue list: all, newest", lambda: desk.issues.page(newest)),
            ("issue list: page 20 (offset 950)", lambda: desk.issues.page(offset=950)),
            ("issue count: open", lambda: desk.issues.count()),
            ("due queue: today + overdue", lambda: desk.followups.queue("today")),
            ("due queue: overdue", lambda: desk.followups.queue("overdue")),
            ("due queue: one owner", lambda: desk.followups.queue("today", owner_id=lead)),
            ("banner: open summaries", lambda: desk.issues.open_summaries(17)),
        ]  # fmt: skip
        print(f"{'query':<36} {'p50 ms':>8} {'p99 ms':>8} {'rows':>6}")
        for name, fn in cases:
            p50, p99, rows = measure(fn, args.runs)
            flag = "" if p99 < 50 else "  <-- over 50 ms"
            print(f"{name:<36} {p50:>8.2f} {p99:>8.2f} {rows:>6}{flag}")
        desk.close()


if __name__ == "__main__":
    main()
