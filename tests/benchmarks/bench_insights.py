"""Insights at 1,000,000 customers, ~3,000,000 visits and 100,000 issues.

    python tests/benchmarks/bench_insights.py [--source /work/bench/demo-1m.db] [--db /tmp/insights-1m.db]

Copies the (read-only, shared) demo database to --db once, opens it (migration 0012 counts its
visits into visit_slots: timed), adds 100,000 issues with events, goodwill and follow-ups spread
over the visits' years, then times, as p50/p99:
  compute   the service's figures for 4 weeks and a quarter (this period and the one before)
  screen    compute + every chart built and the Insights view shown and painted offscreen
  lists     the list behind a bar (InsightLists.behind) for the quarter: each kind of place
  pdf       `report insights` for a quarter, written to a file
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from csdesk.services.desk import Desk

ISSUES = 100_000


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def add_issues(desk: Desk, count: int, rng: random.Random) -> None:
    db = desk.db
    have = db.execute("SELECT COUNT(*) FROM issues").fetchone()[0]
    if have >= count:
        print(f"reusing {have:,} issues")
        return
    lo, hi = db.execute("SELECT min(at), max(at) FROM visits").fetchone()
    start, end = datetime.fromisoformat(lo), datetime.fromisoformat(hi)
    span = (end - start).total_seconds()
    top = db.execute("SELECT max(id) FROM customers").fetchone()[0]
    staff = [r[0] for r in db.execute("SELECT id FROM staff")]
    issues, events, goodwill, followups = [], [], [], []
    for n in range(have + 1, count + 1):
        created = start + timedelta(seconds=rng.random() * span)
        due = created + timedelta(hours=rng.choice((4, 24, 72, 120)))
        resolved = created + timedelta(hours=rng.expovariate(1 / 40)) if rng.random() < 0.85 else None
        if resolved is not None and resolved > end:
            resolved = None
        status = "resolved" if resolved else rng.choice(("open", "in_progress", "waiting"))
        prio = rng.choice(("low", "normal", "normal", "high", "urgent"))
        owner = rng.choice(staff)
        issues.append((n, rng.randint(1, top), f"Issue {n}", rng.randint(1, 5), prio,
                       ("low", "normal", "high", "urgent").index(prio), owner, status, iso(due),
                       iso(resolved) if resolved else None, iso(created), iso(created)))
        events.append((n, iso(created), owner, "created", None, "open"))
        if resolved:
            events.append((n, iso(resolved), owner, "status", "open", "resolved"))
        if rng.random() < 0.1:
            goodwill.append((n, rng.choice(("refund", "discount", "gift")), rng.randint(100, 5000),
                             owner, iso(created)))
        if rng.random() < 0.3:
            fdue = created + timedelta(days=2)
            done = fdue + timedelta(hours=rng.uniform(-30, 30)) if rng.random() < 0.8 else None
            followups.append((issues[-1][1], n, "Call back", iso(fdue), owner,
                              iso(done) if done else None, owner if done else None,
                              iso(created), iso(created)))
    with desk.db.atomic():
        db.conn.executemany(
            "INSERT INTO issues (id, customer_id, title, category_id, priority, priority_rank,"
            " owner_id, status, due_at, resolved_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", issues)
        db.conn.executemany(
            "INSERT INTO issue_events (issue_id, at, staff_id, kind, from_status, to_status)"
            " VALUES (?, ?, ?, ?, ?, ?)", events)
        db.conn.executemany(
            "INSERT INTO goodwill (issue_id, kind, amount_cents, approved_by, at)"
            " VALUES (?, ?, ?, ?, ?)", goodwill)
        db.conn.executemany(
            "INSERT INTO followups (customer_id, issue_id, title, due_at, owner_id, done_at,"
            " done_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", followups)
    print(f"added {len(issues):,} issues, {len(goodwill):,} goodwill, {len(followups):,} follow-ups")


def timed(fn, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), percentile(samples, 99)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default="/work/bench/demo-1m.db")
    parser.add_argument("--db", default="/tmp/insights-1m.db")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    db = Path(args.db)
    if not db.exists():
        t = time.perf_counter()
        shutil.copyfile(args.source, db)
        print(f"copied {args.source} in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    desk = Desk.open(db)
    print(f"opened (migrations) in {time.perf_counter() - t:.1f} s")
    add_issues(desk, ISSUES, random.Random(1))
    counts = {k: desk.db.execute(f"SELECT COUNT(*) FROM {k}").fetchone()[0]
              for k in ("customers", "visits", "issues", "visit_slots", "followups")}
    print("sizes:", ", ".join(f"{k} {v:,}" for k, v in counts.items()),
          f"file {db.stat().st_size / 1e9:.2f} GB")
    desk.auth.act_as_cli()
    last = datetime.fromisoformat(desk.db.execute("SELECT max(at) FROM visits").fetchone()[0])
    today = last.date()
    periods = {
        "4 weeks": desk.insights.preset("last_4_weeks", today),
        "quarter": desk.insights.custom(today - timedelta(days=90), today),
    }
    for name, period in periods.items():
        ins = desk.insights.compute(period)
        p50, p99 = timed(lambda p=period: desk.insights.compute(p), args.runs)
        print(f"compute {name:8} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  ({ins.headline.visits:,} visits,"
              f" {ins.headline.opened:,} issues opened)")
    _lists(desk, desk.insights.compute(periods["quarter"]), args.runs)
    from csdesk.render.qt import QtRenderer, ensure_gui_app

    ensure_gui_app()
    screen = _screen(desk)
    if screen is not None:
        for name, period in periods.items():
            p50, p99 = timed(lambda p=period: screen(p), args.runs)
            print(f"screen  {name:8} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
    out = Path("/tmp/insights-bench.pdf")
    samples = []
    for _ in range(max(3, args.runs // 4)):
        out.unlink(missing_ok=True)
        t = time.perf_counter()
        pages = desk.insight_exports.export_pdf(periods["quarter"], out, QtRenderer())
        samples.append((time.perf_counter() - t) * 1000)
    print(f"pdf     quarter  p50 {statistics.median(samples):7.1f} ms  p99 {percentile(samples, 99):7.1f} ms"
          f"  ({pages} pages, {out.stat().st_size / 1024:.0f} KB)")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    desk.close()
    return 0


def _lists(desk: Desk, ins, runs: int) -> None:  # type: ignore[no-untyped-def]
    """What a click on each kind of bar costs (the window asks it off the UI thread)."""
    week, day = len(ins.weeks) - 2, len(ins.days) - 2  # a whole week / day, not today's part
    places = [
        ("visits", day, None), ("satisfaction", week, "Answers"), ("satisfaction", week, "5"),
        ("returning", week, "By returning customers"), ("returning", week, "New customers"),
        ("issues", week, "Resolved"), ("categories", 0, "Overdue now"), ("goodwill", 0, None),
        ("followups", 0, "Still due"), ("staff", 0, None), ("summary", 0, None),
        ("heat", 2, "11"),
    ]
    for key, row, column in places:
        listing = desk.insights.lists.behind(ins, key, row, column)
        p50, p99 = timed(lambda k=key, r=row, c=column: desk.insights.lists.behind(ins, k, r, c),
                         max(5, runs // 2))
        said = listing.said if listing is not None else "-"
        print(f"list    {key:12} {column or '':22} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  ({said})")


def _screen(desk: Desk):  # type: ignore[no-untyped-def]
    """The Insights view computing a period and painting it, or None before the view exists."""
    try:
        from csdesk.ui.widgets.insights_view import InsightsView
    except ImportError:
        return None
    from PySide6.QtWidgets import QApplication

    view = InsightsView(desk.insights)
    view.resize(1280, 900)
    view.show()

    def show(period):  # type: ignore[no-untyped-def]
        view.show_insights(desk.insights.compute(period))
        view.grab()  # painted, every chart
        QApplication.processEvents()

    return show


if __name__ == "__main__":
    sys.exit(main())
