"""Live counters in the window: what other windows and commands write shows here by itself, and
the customer view says who else has this customer open.

- Every POLL_INTERVAL_MS the window's Desk looks at the file (services.live.LiveFeed.poll: one
  pragma when nothing changed, a small indexed read when something did). On a server the
  window LISTENs instead (LiveFeed.listen, its own connection on its own thread): a NOTIFY
  arrives here as a queued signal and polls at once; the timer slows to LISTEN_POLL_MS while
  the listener is up and goes back to POLL_INTERVAL_MS whenever it is not. What others wrote comes
  out of the Desk's change sink as the same Change reports its own writes make, so the ChangeBus
  and every view refresh exactly as after a local write.
- Every HEARTBEAT_S, and whenever the customer on screen or the call changes, the window says
  where it is (a tiny write, run as an Op so the UI thread never waits on the database lock).
- The greeting gains one calm line, "Anna has Maria open at Counter 2", while that is true.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal

from csdesk.errors import CsdeskError
from csdesk.services.desk import Desk
from csdesk.services.live import HEARTBEAT_S, LISTEN_POLL_MS, POLL_INTERVAL_MS, Listener, Presence
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import Op, Progress, run_op

log = logging.getLogger(__name__)

BANNER_SOURCE = "live"
PRESENCE_REFRESH_MS = 2000
RECONNECT_RETRY_MS = 1000


class LiveCounters(Feature):
    # From the listener's thread: Qt queues it to this object's (the UI) thread.
    heard = Signal(str)
    # The server went away (False) or is back and this window's connection anew (True).
    connection_changed = Signal(bool)

    def __init__(self, window: Shell) -> None:
        super().__init__(window, "liveCounters")
        self.window = window
        self.desk = window.desk
        self._beat: Op | None = None
        self._beat_again = False
        self.others: list[Presence] = []
        self.desk.live.start()
        self.poll_timer = self.timer("livePollTimer", POLL_INTERVAL_MS, self.poll)
        self.beat_timer = self.timer("liveHeartbeatTimer", int(HEARTBEAT_S * 1000), self.beat)
        self.presence_timer = self.timer(
            "livePresenceTimer", PRESENCE_REFRESH_MS, self.show_presence
        )
        window.customer_view.customer_changed.connect(lambda _c: self._moved())
        window.call_started.connect(lambda _c, _d: self._moved())
        self.heard.connect(self._heard)
        self.down = False  # the server is not answering (heard from the listener)
        self.reconnect_timer = self.timer("liveReconnectTimer", RECONNECT_RETRY_MS, self._back)
        self.reconnect_timer.setSingleShot(True)
        self.listener: Listener | None = None
        try:
            self.listener = self.desk.live.listen(self.heard.emit)
        except CsdeskError as exc:  # cannot listen: the poll does the job
            log.info("live: not listening: %s", exc)
        self.poll_timer.start()
        self.beat_timer.start()
        self.presence_timer.start()
        self.beat()

    # -- what others wrote ---------------------------------------------------------------------
    def _heard(self, event: str) -> None:
        """The listener's news, on the UI thread: read the log now, and set the safety net's
        pace (slow while LISTEN is up, the file's pace while it is down)."""
        listening = self.listener is not None and self.listener.listening
        self.poll_timer.setInterval(LISTEN_POLL_MS if listening else POLL_INTERVAL_MS)
        if event == "down":
            self._gone()
        elif event == "up" and self.down:
            self._back()
        elif not self.down:
            self.poll()

    def _gone(self) -> None:
        if self.down:
            return
        self.down = True
        self.poll_timer.stop()  # nothing to read until it is back; the listener retries
        self.connection_changed.emit(False)

    def _back(self) -> None:
        """The listener is connected again: this window's own connection anew, then read what
        the others wrote meanwhile (the change log keeps it), as after any NOTIFY."""
        try:
            self.desk.reconnect()
        except CsdeskError as exc:  # up for the listener, not yet for us: again shortly
            log.info("live: reconnect failed: %s", exc)
            self.reconnect_timer.start()
            return
        self.down = False
        self.poll_timer.start()
        self.poll()
        self.connection_changed.emit(True)

    def poll(self) -> None:
        try:
            self.desk.live.poll()  # what arrives goes out through the desk's sink to the bus
        except CsdeskError as exc:  # busy or gone for a moment: next tick
            log.info("live poll skipped: %s", exc)

    # -- where this window is -------------------------------------------------------------------
    def _on_call(self) -> bool:
        from csdesk.ui.features.visits import VisitsFeature

        visits = self.window.find_feature(VisitsFeature)
        return bool(visits is not None and visits.calls.running)

    def _moved(self) -> None:
        self.beat()
        self.show_presence()

    def beat(self) -> None:
        if self.desk.read_only is not None or self.window.overlay is not None or self.down:
            return  # nothing to say from a read-only file; a locked window shows nobody
        if self._beat is not None and self._beat.running:
            self._beat_again = True  # one at a time; the newest place goes next
            return
        customer = self.window.customer_view.customer
        customer_id = customer.id if customer else None
        on_call = self._on_call()

        def say(desk: Desk, _progress: Progress) -> None:
            desk.live.beat(customer_id, on_call=on_call)

        self._beat = run_op(self.desk, say, parent=self)
        self._beat.ended.connect(self._beat_ended)
        self._beat.start()

    def _beat_ended(self) -> None:
        if self._beat_again:
            self._beat_again = False
            self.beat()

    def show_presence(self) -> None:
        if self.down:
            return
        try:
            self.others = self.desk.live.others()
        except CsdeskError:
            return
        customer = self.window.customer_view.customer
        lines: list[str] = []
        if customer is not None:
            lines = [
                p.says(customer.display_name) + "." for p in self.others
                if p.customer_id == customer.id
            ]
        self.window.customer_view.banner.set_extra_lines(BANNER_SOURCE, lines)

    def teardown(self) -> None:
        # A heartbeat still running finishes on its own thread with its own connection; no
        # waiting here (a local event loop would let the other features' timers fire).
        super().teardown()
        if self.listener is not None:
            self.listener.stop(timeout=0)  # its thread ends at its next wait; nothing to join
            self.listener = None
        try:
            if self.desk.read_only is None:
                self.desk.live.leave()  # gone at once, not 30 s later (the window is closing)
        except CsdeskError:
            pass


def install(window: Shell) -> None:
    LiveCounters(window)
