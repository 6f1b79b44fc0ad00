"""The call timer: starts when a caller's record opens (or by hand, F6), shows mm:ss in the window.

The clock is injected (seconds, monotonic) so tests move time by hand instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from csdesk.ui.dialogs.visit_dialog import clock_text

Seconds = Callable[[], float]


class CallTimer(QObject):
    """One call at a time. `changed` fires on start, stop and every second while running."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None, *, clock: Seconds = time.monotonic) -> None:
        super().__init__(parent)
        self.setObjectName("callTimer")
        self.clock = clock
        self._started: float | None = None
        self.customer_id: int | None = None
        self.customer_name = ""
        self.direction = "in"
        self.tick = QTimer(self)
        self.tick.setObjectName("callTimerTick")
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self.changed)

    @property
    def running(self) -> bool:
        return self._started is not None

    def start(self, customer_id: int | None, name: str = "", direction: str = "in") -> None:
        """A new call (a running one is replaced: the phone rang again)."""
        self._started = self.clock()
        self.customer_id = customer_id
        self.customer_name = name
        self.direction = direction if direction in ("in", "out") else "in"
        self.tick.start()
        self.changed.emit()

    def elapsed(self) -> int:
        if self._started is None:
            return 0
        return max(0, int(self.clock() - self._started))

    def stop(self) -> int:
        """Stop and return the call's length in whole seconds (0 if none was running)."""
        seconds = self.elapsed()
        self._started = None
        self.tick.stop()
        self.changed.emit()
        return seconds


class CallTimerLabel(QLabel):
    """Status bar: '● 02:15 on the phone with Maria (incoming) · F7 logs the call'. Hidden when idle.

    One status area, one text at a time: while the status bar shows a message, the label steps
    aside (QStatusBar hides its widgets for a message, but the label's tick would show itself
    again every second and draw over it) and comes back when the message is gone.
    """

    def __init__(
        self, timer: CallTimer, status_bar: QStatusBar | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("callTimerLabel")
        self.setAccessibleName("Call timer")
        self.setProperty("tone", "alert")
        self.setStyleSheet("QLabel { font-weight: 600; padding: 0 10px; }")
        self._timer = timer
        self._bar = status_bar
        timer.changed.connect(self.refresh)
        if status_bar is not None:
            status_bar.messageChanged.connect(lambda _text: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        t = self._timer
        if not t.running:
            self.hide()
            self.setText("")
            return
        who = f" with {t.customer_name}" if t.customer_name else ""
        arrow = "incoming" if t.direction == "in" else "outgoing"
        # the time first: a narrow window cuts the end of the line, the hint matters least
        self.setText(f"● {clock_text(t.elapsed())} on the phone{who} ({arrow}) · F7 logs the call")
        self.setVisible(self._bar is None or not self._bar.currentMessage())
