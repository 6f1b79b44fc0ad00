"""Key to painted results in the search panel, typing at a steady rate with QTest keystrokes.

    QT_QPA_PLATFORM=offscreen nice -n 10 python tests/benchmarks/bench_search_ui.py \
        --db /tmp/bench-1m.db --rate 8

The panel is the window's own (SearchPanel with its one SearchWorker thread) on a real database
file. For every key: the time from the key press to the first paint of the result list that
shows the text typed so far (or later text, if the typist was faster than the search), and
whether a list was ever shown for text that was no longer in the field (stale: must be 0).
"Painted" is when the list's viewport receives its paint event after the list was set.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from csdesk.services.desk import Desk
from csdesk.services.text import tokens
from csdesk.ui.widgets.search_panel import SearchPanel


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class PaintClock(QObject):
    """Notes when the result list paints after a new list was set, and for which text."""

    def __init__(self, panel: SearchPanel) -> None:
        super().__init__()
        self.panel = panel
        self.pending: str | None = None
        self.painted: list[tuple[float, str]] = []
        self.stale = 0
        panel.results_shown.connect(self._shown)
        panel.results.viewport().installEventFilter(self)

    def _shown(self, query: str) -> None:
        if query != self.panel.field.text():
            self.stale += 1
        self.pending = query

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.pending is not None:
            self.painted.append((time.perf_counter(), self.pending))
            self.pending = None
        return False


def sample_texts(db: Path, count: int) -> list[str]:
    desk = Desk.open(db)
    rng = random.Random(11)
    top = desk.db.execute("SELECT max(id) FROM customers").fetchone()[0]
    texts = ["maria garcia", "thompson", "mari"]
    while len(texts) < count:
        first, last = desk.db.execute(
            "SELECT first_name, last_name FROM customers WHERE id = ?", [rng.randint(1, top)]
        ).fetchone()
        if tokens(first) and tokens(last) and (first + last).isascii():  # QTest types ASCII keys
            texts.append(rng.choice([f"{tokens(first)[0]} {tokens(last)[0][:3]}", tokens(last)[0]]))
    phone = desk.db.execute("SELECT national FROM customer_phones WHERE id = 12345").fetchone()
    if phone:
        texts.append(phone[0][2:8])  # digits from the middle of a number
    desk.close()
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--rate", type=float, default=8.0, help="keys per second")
    parser.add_argument("--texts", type=int, default=30, help="texts typed, one after another")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    texts = sample_texts(args.db, args.texts)
    panel = SearchPanel(args.db)
    panel.resize(420, 900)
    panel.show()
    QTest.qWaitForWindowExposed(panel)
    clock = PaintClock(panel)
    gap = 1.0 / args.rate
    latencies: list[float] = []
    slowest: list[tuple[float, str]] = []
    missed = 0
    for text in texts:
        panel.field.clear()
        deadline = time.perf_counter() + 5
        while panel.shown_query != "" and time.perf_counter() < deadline:
            QTest.qWait(5)
        QTest.qWait(200)
        clock.painted.clear()
        keys: list[tuple[float, str]] = []
        next_at = time.perf_counter()
        for i, ch in enumerate(text):
            while time.perf_counter() < next_at:
                QTest.qWait(1)
            keys.append((time.perf_counter(), text[: i + 1]))
            QTest.keyClick(panel.field, ch)
            next_at += gap
        deadline = time.perf_counter() + 5
        while panel.shown_query != text and time.perf_counter() < deadline:
            QTest.qWait(2)
        QTest.qWait(100)
        for at, typed in keys:
            # the first paint at or after the key of a list for this text or a later one
            later = [t for t, q in clock.painted if t >= at and len(q) >= len(typed) and text.startswith(q)]
            if later:
                latencies.append((later[0] - at) * 1000)
                slowest.append((latencies[-1], typed))
            else:
                missed += 1
    panel.stop()
    app.processEvents()
    print(f"{len(texts)} texts, {len(latencies)} keys at {args.rate:g} keys/s on {args.db}")
    print(
        f"key to painted results: p50 {percentile(latencies, 50):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms (target p99 < 100 ms)"
    )
    print(f"stale lists shown: {clock.stale}; keys never painted: {missed}")
    print("slowest keys:", ", ".join(f"{t!r} {ms:.0f} ms" for ms, t in sorted(slowest)[-6:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
