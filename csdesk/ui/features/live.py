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
- The server going away (the listener hears it, or a read of the window's own finds its
  connection lost) is `connection_changed(False)`; the UI thread never waits for it: the
  window's connection answers within UI_ANSWER_S or fails (store.server.connect), and a new one
  is made on a thread of its own once the listener is connected again, then only taken here.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QTimer, Signal

from csdesk.errors import CsdeskError, ServerUnavailable
from csdesk.services.desk import Desk
from csdesk.services.live import HEARTBEAT_S, LISTEN_POLL_MS, POLL_INTERVAL_MS, Listener, Presence
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import Op, Progress, run_op

log = logging.getLogger(__name__)

BANNER_SOURCE = "live"
PRESENCE_REFRESH_MS = 2000
RECONNECT_RETRY_MS = 1000
# The window's statements run on the UI thread: a healthy server answers them in milliseconds,
# so one that has said nothing for this long is treated as gone (a cancel is tried first: a
# merely slow server has that statement cancelled instead, and says so). The UI thread is then
# blocked at most about this plus connect.CANCEL_WITHIN_S, once; later reads fail at once.
UI_ANSWER_S = 1.5
# The window's own periodic reads (who else is here; the change log after a NOTIFY or on the
# safety-net timer) are tiny and may simply be skipped: they wait less, so when one is the first
# read to meet a silent server (it usually is) the UI thread is held about this plus
# connect.CANCEL_WITHIN_S (~1 s), not UI_ANSWER_S's ~2 s. What the views then read to refresh
# waits as long as any other read of the window.
PERIODIC_ANSWER_S = 0.5


class LiveCounters(Feature):
    # From the listener's thread: Qt queues it to this object's (the UI) thread.
    heard = Signal(str)
    # The server went away (False) or is back and this window's connection anew (True).
    connection_changed = Signal(bool)
    # A connection made off the UI thread (or None: the server did not answer yet).
    _fresh = Signal(object)

    def __init__(self, window: Shell) -> None:
        super().__init__(window, "liveCounters")
        self.window = window
        self.desk = window.desk
        self._beat: Op | None = None
        self._beat_again = False
        self._move_pending = False  # a move told on the next turn of the event loop
        self.others: list[Presence] = []
        self.desk.live.start()
        self.poll_timer = self.timer("livePollTimer", POLL_INTERVAL_MS, self.poll)
        self.beat_timer = self.timer("liveHeartbeatTimer", int(HEARTBEAT_S * 1000), self.beat)
        self.presence_timer = self.timer(
            "livePresenceTimer", PRESENCE_REFRESH_MS, self.show_presence
        )
        # On the next turn of the event loop: a caller opened by `csdesk call` is answered and
        # painted first (issue 17). Said at once, the heartbeat's thread took the interpreter
        # for ~4 ms and the presence query ran, both before the answer went back.
        window.customer_view.customer_changed.connect(lambda _c: self._moved_soon())
        window.call_started.connect(lambda _c, _d: self._moved_soon())
        self.heard.connect(self._heard)
        self.down = False  # the server is not answering (heard from the listener)
        self._reconnecting = False  # a new connection is being made off the UI thread
        self._closing = False
        self.reconnect_timer = self.timer("liveReconnectTimer", RECONNECT_RETRY_MS,
                                          self._reconnect)
        self.reconnect_timer.setSingleShot(True)
        self._fresh.connect(self._adopt)
        self.desk.expect_answers_within(UI_ANSWER_S)
        # Met inside a statement on the UI thread: acted on once that statement has unwound.
        self.desk.on_connection_lost(self._lost_soon)
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
            self._reconnect()
        elif not self.down:
            self.poll()

    def _lost_soon(self) -> None:
        if not self._closing:  # a Desk outliving its window tells nobody
            QTimer.singleShot(0, self, self._gone)

    def _gone(self) -> None:
        """The server is not answering (the listener says so, or a statement of the window's
        found its connection lost): say so, and make a new connection when it can be had."""
        if self.down:
            if not self.desk.connection_lost:
                return
        else:
            self.down = True
            self.poll_timer.stop()  # nothing to read until it is back; the listener retries
            self.connection_changed.emit(False)
        if self.listener is None or self.listener.listening:
            self._reconnect()  # the server answers others (the listener): try at once

    def _reconnect(self) -> None:
        """Make the window's new connection on a thread of its own: connecting to a server that
        is not there waits seconds (connect_timeout), which the UI thread must never do."""
        if self._reconnecting or self._closing or not self.down:
            return
        self._reconnecting = True
        desk, fresh = self.desk, self._fresh

        def make() -> None:
            try:
                made = desk.prepare_connection()
            except CsdeskError as exc:  # still away: the listener's "up" or the timer tries again
                log.info("live: reconnect failed: %s", exc)
                made = None
            except Exception:  # anything else must not end the thread with _reconnecting left on
                log.exception("live: reconnect failed unexpectedly; trying again later")
                made = None
            try:
                fresh.emit(made)
            except RuntimeError:  # the window closed meanwhile: nobody will take it
                log.debug("live: window gone before its new connection was ready")
                desk.discard_connection(made)

        threading.Thread(target=make, name="csdesk-reconnect", daemon=True).start()

    def _adopt(self, fresh: object) -> None:
        """On the UI thread: take the new connection (no waiting), then read what the others
        wrote meanwhile (the change log keeps it), as after any NOTIFY."""
        self._reconnecting = False
        if self._closing:  # torn down while it was being made: nobody takes it, so close it
            self.desk.discard_connection(fresh)
            return
        if fresh is None:
            if self.listener is None or self.listener.listening:
                self.reconnect_timer.start()
            return  # else the listener's next "up" tries again
        self.desk.adopt_connection(fresh)
        self.down = False
        self.poll_timer.start()
        self.poll()
        if not self.down:
            self.connection_changed.emit(True)

    def poll(self) -> None:
        if self.down:
            return
        try:
            with self.desk.answering_within(PERIODIC_ANSWER_S):
                heard = self.desk.live.collect()
            self.desk.live.publish(heard)  # out through the desk's sink to the bus and views
        except ServerUnavailable:
            self._gone()  # the connection was lost: on_connection_lost says so too
        except CsdeskError as exc:  # busy or gone for a moment: next tick
            log.info("live poll skipped: %s", exc)

    # -- where this window is -------------------------------------------------------------------
    def _on_call(self) -> bool:
        from csdesk.ui.features.visits import VisitsFeature

        visits = self.window.find_feature(VisitsFeature)
        return bool(visits is not None and visits.calls.running)

    def _moved_soon(self) -> None:
        if not self._move_pending:
            self._move_pending = True
            QTimer.singleShot(0, self, self._moved)

    def _moved(self) -> None:
        self._move_pending = False
        if self._closing:
            return  # the window closed meanwhile: leave() already said it is gone
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
            with self.desk.answering_within(PERIODIC_ANSWER_S):
                self.others = self.desk.live.others()
        except ServerUnavailable:
            self._gone()
            return
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
        self._closing = True
        if self.listener is not None:
            self.listener.stop(timeout=0)  # its thread ends at its next wait; nothing to join
            self.listener = None
        try:
            if self.desk.read_only is None and not self.down:
                self.desk.live.leave()  # gone at once, not 30 s later (the window is closing)
        except CsdeskError:
            pass


def install(window: Shell) -> None:
    LiveCounters(window)
