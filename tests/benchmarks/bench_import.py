"""Import 100,000 generated customers from a Square (or Shopify) CSV into a database.

Run: PYTHONPATH=$PWD python tests/benchmarks/bench_import.py [ROWS] [--format square|shopify]
     [--db EXISTING.db] [--preview-only]
     (--db: imports into that file itself: give it a copy, never a shared file)
Prints the time to read + plan (the preview) and to write (apply), rows/s, CPU, peak memory and
batch p50/p99, and the machine's load. CPU time is this process's and its helper processes'
(services/importing/pool.py: a big CSV file's rows are validated in two of them), the helpers'
share said apart. Peak memory twice: the process's peak RSS (which counts
the database pages SQLite maps in: at 1,000,000 customers most of that is the file, shared with
the page cache) and the peak of its anonymous memory (heap: what the plan and Python hold),
sampled at every progress report. The preview's first page: when the preview hands over its
first rows (what the window shows while the rest of the file is planned).
The issue's goals: >= 10,000 rows/s into an empty database, >= 5,000 rows/s into one with
1,000,000 customers, peak memory < 200 MB at any file size, first page < 1 s.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from csdesk.services.demo import FIRST, LAST
from csdesk.services.desk import Desk
from csdesk.services.importing import service as import_service
from csdesk.services.text import fold

HEADER = [
    "First Name", "Last Name", "Email", "Company", "Address1", "Address2", "City", "Province",
    "Province Code", "Country", "Country Code", "Zip", "Phone", "Accepts Marketing",
    "Total Spent", "Total Orders", "Tags", "Note", "Tax Exempt",
]  # fmt: skip


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            local = "".join(c for c in fold(f"{first}.{last}") if c.isascii() and c.isalnum())
            email = f"{local or 'c'}{i}@example.com" if rng.random() < 0.8 else ""
            phone = rng.choice(
                (
                    f"'+1 212 {200 + i // 10000:03d} {i % 10000:04d}",
                    f"(312) {200 + i // 10000:03d}-{i % 10000:04d}",
                    f"+44 20 7{i:07d}"[:17],
                    "",
                )
            )
            out.writerow([first, last, email, "", f"{i} Main St", "", "Springfield", "", "IL",
                          "United States", "US", f"{i % 99999:05d}", phone,
                          rng.choice(("yes", "no")), "0", "0", "", "", "no"])  # fmt: skip


SQUARE_HEADER = [
    "Square Customer ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname",
    "Company Name", "Street Address 1", "Street Address 2", "City", "State", "Postal Code",
    "Birthday", "Memo", "Reference ID", "Email Subscription Status",
]  # fmt: skip


def write_square_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Square's customer directory export, with the phones as shops type them."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(SQUARE_HEADER)
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            local = "".join(c for c in fold(f"{first}.{last}") if c.isascii() and c.isalnum())
            email = f"{local or 'c'}.sq{i}@example.com" if rng.random() < 0.8 else ""
            phone = rng.choice(
                (
                    f"+1 415-{300 + i // 10000:03d}-{i % 10000:04d}",
                    f"(646) {300 + i // 10000:03d}-{i % 10000:04d}",
                    f"+44 7700 9{i:05d}"[:16],
                    "",
                )
            )
            memo = "prefers email" if rng.random() < 0.05 else ""
            bday = f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            out.writerow([f"SQ{i:08d}", first, last, email, phone, "", "", f"{i} Market St", "",
                          "San Francisco", "CA", f"{94000 + i % 999}", bday if i % 3 == 0 else "",
                          memo, "", rng.choice(("subscribed", "unsubscribed", ""))])  # fmt: skip


def _anon_mb() -> float:
    """This process's anonymous (non-file) resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu() -> tuple[float, float]:
    """(this process's CPU seconds, its ended child processes' CPU seconds) so far."""
    t = os.times()
    return t.user + t.system, t.children_user + t.children_system


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--format", choices=("square", "shopify"), default="square")
    parser.add_argument("--db", type=Path, help="Import into this database (a copy you may change).")
    parser.add_argument("--preview-only", action="store_true",
                        help="Stop after the preview: its time, first page and memory at big sizes.")
    parser.add_argument("--helpers", choices=("auto", "0", "1", "2"), default="auto",
                        help="Helper processes for the preview (auto: pool.helpers_for decides "
                        "by the file's size and the machine's load).")
    parser.add_argument("--pipeline", action="store_true",
                        help="Import as `csdesk import` does (ImportService.import_file: each batch "
                        "written as soon as it is planned), not preview() then apply(): the total "
                        "is the figure; preview and apply are not apart.")
    parser.add_argument("--no-after", action="store_true",
                        help="Stop after the import (no re-import preview, no undo): A/B runs.")
    args = parser.parse_args()
    rows = args.rows
    if args.helpers != "auto":
        from csdesk.services.importing import pool

        pool.helpers_for = lambda size, load=None, n=int(args.helpers): n  # type: ignore[misc]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "customers.csv"
        (write_square_csv if args.format == "square" else write_csv)(src, rows)
        desk = Desk.open(args.db or Path(tmp) / "bench.db")
        print(f"database: {desk.customers.count():,} customers before the import")
        desk.auth.act_as_cli()
        print(f"load before: {_load()}")
        anon = [_anon_mb()]

        def planning(done: int, total: int) -> bool:
            anon.append(_anon_mb())
            return True

        first: list[float] = []
        (c0, h0), t0 = _cpu(), time.perf_counter()
        if args.pipeline:
            stamps = [t0]

            def written(done: int, total: int) -> bool:
                stamps.append(time.perf_counter())
                anon.append(_anon_mb())
                return True

            plan, result = desk.imports.import_file(src, progress=written)
            (c2, h2), t2 = _cpu(), time.perf_counter()
            c2 += h2 - h0
            batch_ms = sorted((b - a) * 1000 for a, b in itertools.pairwise(stamps[1:]))
            print(f"rows: {rows:,}  format: {plan.fmt}  summary: {plan.summary()}  (pipeline)")
            print(f"import (plan + write {result.created:,} new): {t2 - t0:6.2f} s  "
                  f"({rows / (t2 - t0):,.0f} rows/s); first batch in after {stamps[1] - t0:.2f} s")
            print(f"CPU time: {c2 - c0:.2f} s, of which helpers {h2 - h0:.2f} s "
                  f"({rows / (c2 - c0):,.0f} rows/s by CPU)")
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak memory (RSS): {peak_mb:,.0f} MB (mapped database pages included); "
                  f"peak anonymous (heap): {max(anon):,.0f} MB")
            if batch_ms:
                p99 = batch_ms[min(len(batch_ms) - 1, int(len(batch_ms) * 0.99))]
                print(f"between batches of {import_service.BATCH_ROWS:,} rows: "
                      f"p50 {statistics.median(batch_ms):.0f} ms, p99 {p99:.0f} ms")
            print(f"load after: {_load()}")
            desk.close()
            return
        plan = desk.imports.preview(
            src, progress=planning, first_page=lambda _plan: first.append(time.perf_counter())
        )
        (c1, h1), t1 = _cpu(), time.perf_counter()
        helpers = h1 - h0  # the preview's helpers have ended with it
        c1 += helpers
        if args.preview_only:
            print(f"rows: {rows:,} ({src.stat().st_size / 1e6:,.0f} MB)  format: {plan.fmt}  "
                  f"summary: {plan.summary()}")
            print(f"preview (read + validate + match): {t1 - t0:6.2f} s, CPU {c1 - c0:.2f} s "
                  f"of which helpers {helpers:.2f} s ({rows / (c1 - c0):,.0f} rows/s by CPU)")
            print(f"preview's first page ready after: {(first or [t1])[0] - t0:6.2f} s")
            print(f"peak anonymous memory (heap) while planning: {max(anon):,.0f} MB "
                  f"(at the start {anon[0]:,.0f})")
            print(f"load after: {_load()}")
            desk.close()
            return
        stamps = [time.perf_counter()]

        def progress(done: int, total: int) -> bool:
            stamps.append(time.perf_counter())
            anon.append(_anon_mb())
            return True

        result = desk.imports.apply(plan, progress)
        c2, t2 = _cpu()[0] + helpers, time.perf_counter()
        batch_ms = sorted((b - a) * 1000 for a, b in itertools.pairwise(stamps))
        print(f"rows: {rows:,}  format: {plan.fmt}  summary: {plan.summary()}")
        print(f"preview (read + validate + match): {t1 - t0:6.2f} s")
        print(f"apply (write {result.created:,} new):   {t2 - t1:6.2f} s")
        print(
            f"total:                             {t2 - t0:6.2f} s  ({rows / (t2 - t0):,.0f} rows/s)"
        )
        # CPU time is what an idle machine would take; wall time includes other processes.
        print(f"CPU time: preview {c1 - c0:.2f} s (helpers {helpers:.2f} s), apply {c2 - c1:.2f} s, "
              f"total {c2 - c0:.2f} s")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (RSS) after the import: {peak_mb:,.0f} MB (mapped database pages included)")
        print(f"peak anonymous memory (heap) while planning and writing: {max(anon):,.0f} MB")
        print(f"preview's first page ready after: {(first or [t1])[0] - t0:6.2f} s")
        print(f"rows/s by CPU time: {rows / (c2 - c0):,.0f}")
        if batch_ms:
            p99 = batch_ms[min(len(batch_ms) - 1, int(len(batch_ms) * 0.99))]
            print(
                f"batch of {import_service.BATCH_ROWS:,} rows: "
                f"p50 {statistics.median(batch_ms):.0f} ms, p99 {p99:.0f} ms"
            )
        if args.no_after:
            print(f"load after: {_load()}")
            desk.close()
            return
        t3 = time.perf_counter()
        again = desk.imports.preview(src)
        t4 = time.perf_counter()
        print(f"re-import preview (all matched): {t4 - t3:6.2f} s  {again.summary()}")
        t5 = time.perf_counter()
        undo = desk.imports.undo(result.batch_id)
        print(f"undo ({undo.removed:,} removed):        {time.perf_counter() - t5:6.2f} s")
        print(f"load after: {_load()}")
        desk.close()


if __name__ == "__main__":
    main()
