"""Live counters in the window: what other windows and commands write shows here by itself, and
the customer view says who else has this customer open.

- Every POLL_INTERVAL_MS the window's Desk looks at the file (services.live.LiveFeed.poll: one
  pragma when nothing changed, a small indexed read when something did). What others wrote comes
  out of the Desk's change sink as the same Change reports its own writes make, so the ChangeBus
  and every view refresh exactly as after a local write.
- Every HEARTBEAT_S, and whenever the customer on screen or the call changes, the window says
  where it is (a tiny write, run as an Op so the UI thread never waits on the database lock).
- The greeting gains one calm line, "Anna has Maria open at Counter 2", while that is true.
"""

from __future__ import annotations

import logging

from csdesk.errors import CsdeskError
from csdesk.services.desk import Desk
from csdesk.services.live import HEARTBEAT_S, POLL_INTERVAL_MS, Presence
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import Op, Progress, run_op

log = logging.getLogger(__name__)

BANNER_SOURCE = "live"
PRESENCE_REFRESH_MS = 2000


class LiveCounters(Feature):
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
        self.poll_timer.start()
        self.beat_timer.start()
        self.presence_timer.start()
        self.beat()

    # -- what others wrote ---------------------------------------------------------------------
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
        if self.desk.read_only is not None or self.window.overlay is not None:
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
        try:
            if self.desk.read_only is None:
                self.desk.live.leave()  # gone at once, not 30 s later (the window is closing)
        except CsdeskError:
            pass


def install(window: Shell) -> None:
    LiveCounters(window)
