"""Letters: one letter from click to preview, and a batch of 500 letters into one PDF.

    PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_letters.py

Targets: one letter render + preview document under 300 ms; 500 letters to one PDF under 60 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CSDESK_DATA_DIR", tempfile.mkdtemp(prefix="csdesk-bench-"))

from PySide6.QtWidgets import QApplication, QTextBrowser

from csdesk.render.qt import QtRenderer
from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.services.rendering import PageSetup


def set_setting(desk: Desk, key: str, value: object) -> None:
    """Set-up through the one audited setter, as the command line's admin."""
    previous = desk.actor
    desk.auth.act_as_cli()
    desk.shop.set(key, value)
    desk.actor = previous


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    work = Path(tempfile.mkdtemp(prefix="csdesk-bench-letters-"))
    desk = Desk.open(work / "bench.db")
    demo.generate(desk.context, 600, seed=9)
    set_setting(desk, "shop_name", "Harbour Lane Outfitters")
    set_setting(desk, "shop_address", "14 Harbour Lane\nPortland, ME 04101")
    set_setting(desk, "shop_phone", "(207) 555-0142")
    templates = [t.name for t in desk.letters.templates()]
    browser = QTextBrowser()
    browser.resize(900, 700)
    browser.show()

    # Click to preview: render for a customer and lay out the preview (as the dialog does).
    first: list[float] = []
    timings: list[float] = []
    for i in range(100):
        name = templates[i % len(templates)]
        if i < len(templates):
            desk.letters.reload()  # a cold template: compiled on first use
        start = time.perf_counter()
        html = desk.letters.render(name, 1 + i, issue=None).html
        browser.setHtml(html)
        browser.document().size()  # force layout
        app.processEvents()
        (first if i < len(templates) else timings).append((time.perf_counter() - start) * 1000)
    print(f"one letter, render + preview (warm, n={len(timings)}): "
          f"p50 {statistics.median(timings):.1f} ms, p99 {pct(timings, 0.99):.1f} ms")
    print(f"one letter, first use of a template (cold, n={len(first)}): "
          f"max {max(first):.1f} ms")

    start = time.perf_counter()
    result = desk.letter_output.run_batch(
        QtRenderer(), "thank_you", list(range(1, 501)), work / "batch.pdf",
        setup=PageSetup("A4"))
    elapsed = time.perf_counter() - start
    size = (work / "batch.pdf").stat().st_size
    print(f"batch: {len(result.letters)} letters into one PDF in {elapsed:.1f} s "
          f"({elapsed / max(1, len(result.letters)) * 1000:.0f} ms per letter, "
          f"{size / 1e6:.1f} MB)")
    start = time.perf_counter()
    (work / "each").mkdir()
    result = desk.letter_output.run_batch(
        QtRenderer(), "we_miss_you", list(range(1, 101)), work / "each",
        setup=PageSetup("Letter"))
    elapsed = time.perf_counter() - start
    print(f"batch: {len(result.files)} letters, one PDF each, in {elapsed:.1f} s")
    desk.close()


if __name__ == "__main__":
    main()
