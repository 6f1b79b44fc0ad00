"""Import 100,000 generated customers from a Shopify-style CSV into a fresh database.

Run: PYTHONPATH=$PWD python tests/benchmarks/bench_import.py [ROWS]
Prints the time to read + plan (the preview) and to write (apply), and batch p50/p99.
"""

from __future__ import annotations

import csv
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from csdesk.services.demo import FIRST, LAST
from csdesk.services.desk import Desk
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


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "customers.csv"
        write_csv(src, rows)
        desk = Desk.open(Path(tmp) / "bench.db")
        desk.auth.act_as_cli()
        c0, t0 = time.process_time(), time.perf_counter()
        plan = desk.imports.preview(src)
        c1, t1 = time.process_time(), time.perf_counter()
        stamps = [time.perf_counter()]

        def progress(done: int, total: int) -> bool:
            stamps.append(time.perf_counter())
            return True

        result = desk.imports.apply(plan, progress)
        c2, t2 = time.process_time(), time.perf_counter()
        batch_ms = sorted((b - a) * 1000 for a, b in itertools.pairwise(stamps))
        print(f"rows: {rows:,}  format: {plan.fmt}  summary: {plan.summary()}")
        print(f"preview (read + validate + match): {t1 - t0:6.2f} s")
        print(f"apply (write {result.created:,} new):   {t2 - t1:6.2f} s")
        print(
            f"total:                             {t2 - t0:6.2f} s  ({rows / (t2 - t0):,.0f} rows/s)"
        )
        # CPU time is what an idle machine would take; wall time includes other processes.
        print(f"CPU time: preview {c1 - c0:.2f} s, apply {c2 - c1:.2f} s, total {c2 - c0:.2f} s")
        if batch_ms:
            p99 = batch_ms[min(len(batch_ms) - 1, int(len(batch_ms) * 0.99))]
            print(
                f"batch of 1,000 rows: p50 {statistics.median(batch_ms):.0f} ms, p99 {p99:.0f} ms"
            )
        t3 = time.perf_counter()
        again = desk.imports.preview(src)
        t4 = time.perf_counter()
        print(f"re-import preview (all matched): {t4 - t3:6.2f} s  {again.summary()}")
        t5 = time.perf_counter()
        undo = desk.imports.undo(result.batch_id)
        print(f"undo ({undo.removed:,} removed):        {time.perf_counter() - t5:6.2f} s")
        desk.close()


if __name__ == "__main__":
    main()
