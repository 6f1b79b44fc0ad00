"""Benchmark: the daily log of a busy day (5,000 events) on top of months of history.

Run: PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_reports.py
     [--events 5000] [--history 100000] [--runs 20]
Prints p50/p99 of: opening the view (count + first page + summary, as the dialog does, and the
same through the Qt model), the CSV export, the XLSX export, and the PDF.
Targets: view under 200 ms, CSV under 1 s, PDF under 10 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from csdesk.domain import Role
from csdesk.services import demo
from csdesk.services.clock import iso
from csdesk.services.desk import Desk
from csdesk.store import staff as staff_store
from csdesk.store.db import atomic


def set_setting(desk: Desk, key: str, value: object) -> None:
    """Set-up through the one audited setter, as the command line's admin."""
    previous = desk.actor
    desk.auth.act_as_cli()
    desk.shop.set(key, value)
    desk.actor = previous

DAY = date(2026, 11, 30)
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CHANNELS = ("in_person", "in_person", "phone", "phone", "email", "chat")


def populate(desk: Desk, events: int, history: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    demo.generate(desk.context, 3000, seed=seed)
    customers = [r[0] for r in desk.db.execute("SELECT id FROM customers")]
    with atomic(desk.db):
        staff = [
            staff_store.insert(desk.db, f"Staff {i}", Role.LEAD.value, iso(NOW)) for i in range(8)
        ]
    day_start = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)

    def moment(day_offset: int = 0) -> str:
        return iso(day_start + timedelta(days=day_offset, seconds=rng.randint(0, 86399)))

    db = desk.db
    with atomic(db):
        # months of history on other days: the day's queries must not pay for it
        db.conn.executemany(
            "INSERT INTO visits (customer_id, at, channel, purpose, staff_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (rng.choice(customers), t, rng.choice(CHANNELS), "older visit",
                 rng.choice(staff), t)
                for t in (moment(-rng.randint(1, 200)) for _ in range(history))
            ],
        )
        n_visits, n_notes, n_issues = int(events * 0.6), int(events * 0.15), events // 25
        db.conn.executemany(
            "INSERT INTO visits (customer_id, at, channel, purpose, outcome, staff_id,"
            " satisfaction, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (rng.choice(customers), t, rng.choice(CHANNELS),
                 f"asked about order {rng.randint(1000, 9999)}", rng.choice(("", "sorted")),
                 rng.choice(staff), rng.choice((None, 3, 4, 5)), t)
                for t in (moment() for _ in range(n_visits))
            ],
        )
        db.conn.executemany(
            "INSERT INTO notes (customer_id, body, created_at, created_by) VALUES (?, ?, ?, ?)",
            [(rng.choice(customers), "Prefers e-mail; size 42", moment(), rng.choice(staff))
             for _ in range(n_notes)],
        )
        issue_rows = []
        for _ in range(n_issues):
            t = moment()
            issue_rows.append((rng.choice(customers), "Late delivery", t, t, iso(NOW), rng.choice(staff)))
        db.conn.executemany(
            "INSERT INTO issues (customer_id, title, created_at, updated_at, due_at, owner_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            issue_rows,
        )
        issues = list(db.execute("SELECT id, customer_id, created_at FROM issues"))
        left = events - n_visits - n_notes
        per_issue = max(1, (left // 2) // len(issues))
        ev = []
        for issue_id, customer_id, created in issues:
            ev.append((issue_id, customer_id, created, rng.choice(staff), "created", None, "open"))
            for _ in range(per_issue - 1):
                ev.append((issue_id, customer_id, moment(), rng.choice(staff), "comment", None,
                           None))
        db.conn.executemany(
            "INSERT INTO issue_events (issue_id, customer_id, at, staff_id, kind, from_status,"
            " to_status, comment) VALUES (?, ?, ?, ?, ?, ?, ?, 'Called the courier')",
            ev,
        )
        left -= len(ev)
        fu = []
        # every follow-up is set this day; all but one (when the count is odd) done the same day
        for _ in range(max(0, (left + 1) // 2)):
            t = moment()
            fu.append((rng.choice(customers), "Call back", iso(NOW), rng.choice(staff), t, t,
                       rng.choice(staff), t, t))
        db.conn.executemany(
            "INSERT INTO followups (customer_id, title, due_at, owner_id, created_at, done_at,"
            " done_by, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r[:5], r[5] if i or left % 2 == 0 else None, r[6] if i or left % 2 == 0 else None,
              r[7], r[3]) for i, r in enumerate(fu)],
        )
    db.execute("ANALYZE")


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples), p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        desk = Desk.open(folder / "bench.db", clock=lambda: NOW)
        set_setting(desk, "timezone", "UTC")
        set_setting(desk, "shop_name", "Benchmark Outfitters")
        started = time.perf_counter()
        populate(desk, args.events, args.history)
        desk.auth.act_as_cli()
        rng = desk.reports.day(DAY)
        count = desk.reports.count(rng)
        print(f"populated in {time.perf_counter() - started:.1f} s: {count} events on {DAY}, "
              f"{args.history} older visits")

        def open_view() -> None:
            desk.reports.count(rng)
            desk.reports.page(rng, 0, 200)
            desk.reports.summary(rng)

        p50, p99 = timed(open_view, args.runs)
        print(f"view data (count + first page + summary)  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms"
              "  (target < 200)")

        from csdesk.render.qt import ensure_gui_app

        ensure_gui_app()
        from csdesk.ui.models.daily_log_model import DailyLogModel

        model = DailyLogModel(desk)

        def open_model() -> None:
            model.set_range(rng)
            desk.reports.summary(rng)

        p50, p99 = timed(open_model, args.runs)
        print(f"view through the Qt model                 p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
        from csdesk.ui.dialogs.daily_log import DailyLogDialog
        from csdesk.ui.main_window import MainWindow

        window = MainWindow(desk)
        started = time.perf_counter()
        dialog = DailyLogDialog(window)
        back = DAY.toordinal() - desk.reports.today().toordinal()
        dialog.date_edit.setDate(dialog.date_edit.date().addDays(back))
        dialog.show()
        opened = (time.perf_counter() - started) * 1000
        print(f"daily log window, first open on the day   {opened:7.1f} ms")
        p50, p99 = timed(dialog.refresh, args.runs)
        print(f"daily log window, refresh                 p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
        dialog.close()
        window.search.stop()
        exports = desk.report_exports
        p50, p99 = timed(lambda: exports.export_csv(rng, folder / "day.csv", overwrite=True),
                         max(3, args.runs // 4))
        size = (folder / "day.csv").stat().st_size / 1e6
        print(f"CSV export ({size:.1f} MB)                    p50 {p50:7.1f} ms  p99 {p99:7.1f} ms"
              "  (target < 1000)")
        p50, p99 = timed(lambda: exports.export_xlsx(rng, folder / "day.xlsx", overwrite=True), 3)
        print(f"XLSX export                               p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
        from csdesk.render.qt import QtRenderer

        pages: list[int] = []

        def pdf() -> None:
            desk.report_exports.export_pdf(rng, folder / "day.pdf", QtRenderer(), overwrite=True)

        p50, p99 = timed(pdf, 2)
        import subprocess

        info = subprocess.run(["pdfinfo", str(folder / "day.pdf")], capture_output=True,
                              text=True).stdout
        pages = [int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages")]
        print(f"PDF ({pages[0] if pages else '?'} pages)                           "
              f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  (target < 10000)")
        desk.close()


if __name__ == "__main__":
    main()
