"""Figures for the security UI: sign-in on the lock screen, the idle filter's cost per input event,
and how long closing waits for the exit backup.

Run: PYTHONPATH=. QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_security_ui.py [CUSTOMERS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    tmp = Path(tempfile.mkdtemp())
    os.environ["CSDESK_DATA_DIR"] = str(tmp / "data")
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    from csdesk.services import demo
    from csdesk.services.desk import Desk
    from csdesk.ui.app import application
    from csdesk.ui.features.backups import backups
    from csdesk.ui.features.security import security
    from csdesk.ui.main_window import MainWindow

    app = application()
    desk = Desk.open(tmp / "csdesk.db")
    demo.generate(desk.context, customers, seed=1)
    desk.auth.setup_admin("Sam", "482913")
    window = MainWindow(desk)
    window.show()
    guard = security(window)

    sign_in: list[float] = []
    for _ in range(10):
        guard.lock()
        guard.lock_screen.pin.setText("482913")
        started = time.perf_counter()
        guard.lock_screen.submit()
        sign_in.append((time.perf_counter() - started) * 1000)
        assert not guard.locked
    print(f"sign-in (real scrypt) p50={pct(sign_in, .5):.0f} ms p99={pct(sign_in, .99):.0f} ms")

    target = window.search.field
    events = 20_000
    move = QMouseEvent(
        QEvent.Type.MouseMove, QPointF(5, 5), QPointF(5, 5),
        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )
    started = time.perf_counter()
    for _ in range(events):
        app.sendEvent(target, move)
    with_filter = (time.perf_counter() - started) / events * 1e6
    app.removeEventFilter(guard)
    started = time.perf_counter()
    for _ in range(events):
        app.sendEvent(target, move)
    without = (time.perf_counter() - started) / events * 1e6
    print(f"mouse move: {with_filter:.1f} µs with the idle filter, {without:.1f} µs without")

    started = time.perf_counter()
    backups(window).on_exit()
    size = (tmp / "csdesk.db").stat().st_size / 1_048_576
    print(f"exit backup of {customers:,} customers ({size:.0f} MB): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")
    window.search.stop()
    desk.close()


if __name__ == "__main__":
    main()
