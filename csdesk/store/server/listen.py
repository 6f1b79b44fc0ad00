"""LISTEN for the change log's NOTIFY: the server tells a window at once that another counter
committed, where the file's windows must look (PRAGMA data_version).

Every change-log row is announced by `pg_notify(CHANNEL, id)` in the transaction that writes it
(store.changes.record through store.dialect.announce_change), so PostgreSQL delivers it at COMMIT
and never for a write that rolled back. The payload is only the row's id: what changed is read
from the change log itself (store.changes.since), which the listener does not touch.

The listener holds its own connection on its own thread (a psycopg connection is not to be
shared between threads, and the Desk's is busy with the window's reads): it waits in
`conn.notifies(timeout=...)` and calls `heard(event)` from that thread:
  "change"  a NOTIFY arrived (its payload is the newest id, unused: the feed reads the log);
  "up"      listening (at start and after every reconnect: the feed reads what it missed);
  "down"    the connection was lost; it tries again by itself with backoff until stopped.
The receiver must hop to its own thread (the window: a queued Qt signal).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

import psycopg

from csdesk.store.server import connect

log = logging.getLogger(__name__)

CHANNEL = "csdesk_changes"
WAIT_S = 0.5  # how long one notifies() wait lasts: how soon stop() is noticed
PROBE_EVERY = 2  # waits between two `SELECT 1`: a server gone is noticed within ~1 s
# A silent server (a pulled cable, a peer that acknowledges and forwards nothing) sends no
# error at all: the probe's answer is waited for this long (store.server.connect), so the
# window hears "down" within PROBE_EVERY * WAIT_S + PROBE_ANSWER_S + a cancel's try (~3 s).
PROBE_ANSWER_S = 1.5
BACKOFF_S = (0.25, 0.5, 1.0, 2.0, 4.0)  # between reconnect attempts, then every 4 s


class ChangeListener:
    def __init__(self, target: str, heard: Callable[[str], None]) -> None:
        self._target = target
        self._heard = heard
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection | None = None
        self.listening = False  # read from other threads: a bool is set atomically

    def start(self) -> ChangeListener:
        self._thread = threading.Thread(target=self._run, name="csdesk-listen", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _tell(self, event: str) -> None:
        try:
            self._heard(event)
        except Exception:  # the receiver's trouble must not end the listening
            log.exception("change listener: the receiver failed on %s", event)

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                conn = connect.connect(self._target, answer_within=PROBE_ANSWER_S)
            except Exception as exc:  # down, refused, a timeout: try again later
                log.info("change listener: cannot connect: %s", exc)
                self._stop.wait(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                attempt += 1
                continue
            attempt = 0
            try:
                conn.execute(f"LISTEN {CHANNEL}")
                self.listening = True
                self._tell("up")
                waits = 0
                while not self._stop.is_set():
                    for note in conn.notifies(timeout=WAIT_S):
                        log.debug("change listener: heard %s", note.payload)
                        self._tell("change")
                    # A closed socket raises in notifies(); a server gone without a word (a
                    # pulled cable) only shows when asked: ask now and then, cheaply.
                    waits += 1
                    if waits % PROBE_EVERY == 0:
                        try:
                            conn.execute("SELECT 1")
                        except psycopg.errors.QueryCanceled:
                            continue  # slow, not gone: the cancel reached it (connect.py)
            except psycopg.Error as exc:
                log.info("change listener: connection lost: %s", exc)
            finally:
                was = self.listening
                self.listening = False
                with contextlib.suppress(psycopg.Error):
                    conn.close()
                if was and not self._stop.is_set():
                    self._tell("down")
            if not self._stop.is_set():
                self._stop.wait(BACKOFF_S[0])
