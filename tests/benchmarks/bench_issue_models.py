"""Benchmark: the window's issue list and due queue models over 100,000 issues and follow-ups.

Run: PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_issue_models.py
Times what the user waits for after Ctrl+Shift+I / Ctrl+D / a filter change: the model's reset
(count + first page) plus painting every visible cell's roles once. Target: under 50 ms.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from csdesk.services.desk import Desk
from csdesk.services.issues import IssueQuery
from csdesk.ui.models.issue_models import FollowUpModel, IssueListModel
from tests.benchmarks.bench_issues import NOW, measure, populate


def set_setting(desk: Desk, key: str, value: object) -> None:
    """Set-up through the one audited setter, as the command line's admin."""
    previous = desk.actor
    desk.auth.act_as_cli()
    desk.shop.set(key, value)
    desk.actor = previous

ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.FontRole,
)


def shown(model: IssueListModel | FollowUpModel, rows: int = 25) -> int:
    """Ask every role a painted row asks for, like a view showing the first screenful."""
    for r in range(min(rows, model.rowCount())):
        for c in range(model.columnCount()):
            for role in ROLES:
                model.data(model.index(r, c), role)
    return model.rowCount()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        desk = Desk.open(Path(tmp) / "bench.db", clock=lambda: NOW)
        set_setting(desk, "timezone", "UTC")
        populate(desk, args.issues, args.customers)
        issues = IssueListModel(desk)
        queue = FollowUpModel(desk)

        def list_with(query: IssueQuery) -> Callable[[], int]:
            return lambda: (issues.set_query(query), shown(issues))[1]

        def queue_with(which: str) -> Callable[[], int]:
            return lambda: (queue.set_queue(which), shown(queue))[1]

        cases = [
            ("issue list: open, soonest due", list_with(IssueQuery())),
            ("issue list: overdue", list_with(IssueQuery(overdue=True))),
            ("issue list: all, newest", list_with(IssueQuery(status="all", sort="created"))),
            ("due queue: today + overdue", queue_with("today")),
            ("due queue: all open", queue_with("all")),
        ]
        print(f"{args.issues:,} issues and follow-ups; model reset + first screen painted")
        print(f"{'model':<34} {'p50 ms':>8} {'p99 ms':>8} {'rows':>6}")
        for name, fn in cases:
            p50, p99, rows = measure(fn, args.runs)
            flag = "" if p99 < 50 else "  <-- over 50 ms"
            print(f"{name:<34} {p50:>8.2f} {p99:>8.2f} {rows:>6}{flag}")
        desk.close()
    del app


if __name__ == "__main__":
    main()
