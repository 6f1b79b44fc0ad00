"""A pulled cable, again and again: how soon the window says so, how long its UI thread was ever
blocked, how soon it is back once the cable is.

Usage: python tests/benchmarks/bench_outage.py [--cycles N] [--held S]

One real MainWindow (offscreen) on a throwaway PostgreSQL cluster, reached over TCP through
tests/net_proxy.py. Each cycle: the proxy stops forwarding without closing anything (a pulled
cable), the window's event loop is pumped until the outage line shows, the cable stays out
--held seconds, then the proxy forwards again and the loop is pumped until the line is gone.
A 10 ms QTimer ticks all along; the widest gap between ticks is the longest the UI thread was
blocked. Prints p50/p99/max of each figure and the load.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--held", type=float, default=3.0)
    args = parser.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from csdesk.domain import CustomerDraft
    from csdesk.services.desk import Desk
    from csdesk.ui.features.live import LiveCounters
    from csdesk.ui.features.outage import Outage
    from csdesk.ui.main_window import MainWindow
    from tests.net_proxy import proxied_database
    from tests.pg_cluster import PgCluster

    app = QApplication.instance() or QApplication([])
    cluster = PgCluster().start()
    try:
        with proxied_database(cluster) as (direct, via_proxy, proxy):
            seed = Desk.open(direct)
            maria = seed.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
            seed.close()
            desk = Desk.open(via_proxy, computer="Counter 1")
            win = MainWindow(desk)
            win.show()
            live, outage = win.feature(LiveCounters), win.feature(Outage)
            ticks: list[float] = []
            timer = QTimer()
            timer.setInterval(10)
            timer.timeout.connect(lambda: ticks.append(time.monotonic()))
            timer.start()

            def pump_until(done: object, limit: float) -> bool:
                deadline = time.monotonic() + limit
                while not done() and time.monotonic() < deadline:  # type: ignore[operator]
                    app.processEvents()
                    time.sleep(0.002)
                return bool(done())  # type: ignore[operator]

            assert pump_until(lambda: live.listener is not None and live.listener.listening, 15)
            win.open_customer(maria.id)
            shown, blocked, back = [], [], []
            for _ in range(args.cycles):
                pump_until(lambda: False, 1.0)  # settled, connected
                proxy.hold()
                held_at = time.monotonic()
                if not pump_until(lambda: outage.showing, 15):
                    raise SystemExit("the outage line never showed")
                shown.append(time.monotonic() - held_at)
                pump_until(lambda: False, max(0.0, args.held - shown[-1]))
                proxy.resume()
                resumed_at = time.monotonic()
                if not pump_until(lambda: not outage.showing, 30):
                    raise SystemExit("the window never came back")
                back.append(time.monotonic() - resumed_at)
                span = [held_at, *(t for t in ticks if held_at < t < resumed_at), resumed_at]
                blocked.append(max(b - a for a, b in itertools.pairwise(span)))
            timer.stop()
            win.teardown()
            desk.close()
    finally:
        cluster.destroy()
    load = os.getloadavg()[0]
    print(f"pulled cable x {args.cycles} (held {args.held:g} s), PostgreSQL over TCP via a "
          "loopback proxy")
    for name, values in (("outage line shown after", shown), ("UI thread blocked at most", blocked),
                         ("back after the cable", back)):
        print(f"{name}: p50 {statistics.median(values):.2f} s, p99 {pct(values, 99):.2f} s, "
              f"max {max(values):.2f} s")
    print(f"load {load:.2f}")


if __name__ == "__main__":
    main()
