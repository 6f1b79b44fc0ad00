"""Letters in the window: Ctrl+Shift+W to a rendered preview, and the Letters tab's reload.

    PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_letters_ui.py

Target: the letter dialog with its preview on screen in under 300 ms after the key press.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CSDESK_DATA_DIR", tempfile.mkdtemp(prefix="csdesk-bench-"))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.letter_dialog import LetterDialog
from csdesk.ui.features.letters import LettersFeature
from csdesk.ui.main_window import MainWindow


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    work = Path(tempfile.mkdtemp(prefix="csdesk-bench-lui-"))
    now = [datetime(2026, 11, 30, 15, tzinfo=UTC)]
    desk = Desk.open(work / "bench.db", clock=lambda: now[0])
    demo.generate(desk.context, 2000, seed=11)
    customer = 17
    for _ in range(300):  # a customer with years of letters
        now[0] += timedelta(days=1)
        desk.letters.produce("thank_you", customer)
    window = MainWindow(desk)
    window.show()
    window.activateWindow()
    while not window.isActiveWindow():  # shortcuts reach the active window only
        app.processEvents()
    window.open_customer(customer)
    feature = window.findChild(LettersFeature, "lettersFeature")
    assert isinstance(feature, LettersFeature)

    shown: list[float] = []

    def stop_at_preview(dialog: LetterDialog) -> int:
        dialog.show()
        render = dialog.preview_op  # rendered off the UI thread: wait in an event loop, as
        if render is not None:  # exec() would (polling in Python took the GIL from the worker)
            render.wait()
        assert dialog.preview.toPlainText()
        dialog.grab()  # laid out and painted, as a person would see it
        shown.append(time.perf_counter())
        dialog.close()
        return 0

    LetterDialog.exec = stop_at_preview  # type: ignore[method-assign]
    opened: list[float] = []
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    for i in range(30):
        window.activateWindow()  # the dialog's own event loop (its preview renders off the UI
        while not window.isActiveWindow():  # thread) moved the activation: shortcuts need it
            app.processEvents()
        start = time.perf_counter()
        QTest.keyClick(window.search.field, Qt.Key.Key_W, mods)
        assert len(shown) == i + 1, "Ctrl+Shift+W opened no letter dialog"
        opened.append((shown[-1] - start) * 1000)
    reloads: list[float] = []
    for _ in range(30):
        start = time.perf_counter()
        feature.model.reload()
        app.processEvents()
        reloads.append((time.perf_counter() - start) * 1000)
    print(f"Ctrl+Shift+W to preview (ms): p50 {pct(opened, 0.5):.1f}  p99 {pct(opened, 0.99):.1f}")
    print(
        f"Letters tab reload, {feature.model.rowCount()} letters (ms): "
        f"p50 {pct(reloads, 0.5):.1f}  p99 {pct(reloads, 0.99):.1f}"
    )
    window.search.stop()


if __name__ == "__main__":
    main()
