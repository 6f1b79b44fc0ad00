"""Live counters: a commit on one connection -> the other window's timeline shows it.

Usage: python tests/benchmarks/bench_live.py [--customers N] [--runs R] [--db FILE] [--server]

Two Desks on one file, as two counters: the second is a real MainWindow (offscreen) with a
customer open. Each run logs a visit for that customer on the first connection (in another
thread, as another counter would) and waits, pumping the window's event loop, until the
window's timeline holds the new line. Also: what a poll costs when nothing changed (the price
paid every 300 ms) and when one change arrives. --db copies that file first (e.g. the 1M demo).
--server: the same on a throwaway PostgreSQL cluster (tests/pg_cluster.py, Unix socket), where
the window LISTENs and the commit's NOTIFY wakes it (its poll then runs only every 5 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--server", action="store_true", help="on a throwaway PostgreSQL cluster")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from csdesk.domain import CustomerDraft
    from csdesk.services import demo
    from csdesk.services.desk import Desk
    from csdesk.ui.main_window import MainWindow

    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    os.environ["CSDESK_DATA_DIR"] = str(folder / "data")
    path: Path | str = folder / "live.db"
    cluster = None
    if args.server:
        from csdesk.services.server import init_server
        from tests.pg_cluster import PgCluster

        cluster = PgCluster().start()
        path = cluster.url(cluster.new_database())
        init_server(path)
        setup = Desk.open(path)
        demo.generate(setup.context, args.customers, seed=1)
        setup.close()
    elif args.db is not None:
        shutil.copy(args.db, path)
    else:
        setup = Desk.open(path)
        demo.generate(setup.context, args.customers, seed=1)
        setup.close()
    setup = Desk.open(path)
    maria = setup.customers.create(CustomerDraft(first_name="Maria", last_name="Bench"))
    setup.close()
    customers = int(Desk.open(path).db.execute("SELECT count(*) FROM customers").fetchone()[0])

    app = QApplication.instance() or QApplication([])
    window = MainWindow(Desk.open(path, computer="Counter 2"))
    window.show()
    window.open_customer(maria.id)
    model = window.customer_view.timeline_model

    def log_visit(i: int) -> None:  # another counter: its own connection on its own thread
        other = Desk.open(path, computer="Counter 1")
        other.visits.log(maria.id, purpose=f"bench visit {i}")
        other.close()

    latencies: list[float] = []
    for i in range(args.runs):
        before = model.rowCount()
        writer = threading.Thread(target=log_visit, args=(i,))
        writer.start()
        writer.join()
        committed = time.perf_counter()
        while model.rowCount() == before:
            app.processEvents()
            time.sleep(0.001)
            if time.perf_counter() - committed > 5:
                raise SystemExit("the window never showed the other counter's visit")
        latencies.append(time.perf_counter() - committed)
        time.sleep(0.05 + (i % 7) * 0.037)  # commits land at every point of the poll interval

    feed = window.desk.live
    idle: list[float] = []
    for _ in range(2000):
        started = time.perf_counter()
        feed.poll()
        idle.append(time.perf_counter() - started)
    window.teardown()
    window.desk.close()
    if cluster is not None:
        cluster.destroy()
    ms = [x * 1000 for x in latencies]
    how = "PostgreSQL, LISTEN/NOTIFY (poll every 5 s)" if args.server else "SQLite, poll every 300 ms"
    print(f"{how}: customers {customers}, runs {len(ms)}")
    print(f"commit -> other window's timeline refreshed: p50 {pct(ms, 50):.0f} ms, "
          f"p99 {pct(ms, 99):.0f} ms, max {max(ms):.0f} ms")
    us = [x * 1e6 for x in idle]
    print(f"idle poll (nothing changed): p50 {pct(us, 50):.0f} us, p99 {pct(us, 99):.0f} us")
    print(f"mean {statistics.mean(ms):.0f} ms; load {os.getloadavg()[0]:.2f}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
