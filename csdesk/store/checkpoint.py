"""Background WAL checkpoints, so no commit at the counter pays for one.

In WAL mode SQLite copies the log back into the database file every ~1000 pages, inside
whichever commit crosses the line: that one commit then waits for the copy and its fsync (tens
of milliseconds on a large file) while every other commit takes a fraction of a millisecond.
A long-running app (the window) starts a Checkpointer: its own connection on its own thread
checkpoints passively every second, and the app's connection raises its automatic threshold
so it only checkpoints itself if this thread ever falls far behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import sqlite_utils

log = logging.getLogger(__name__)

# The app's own fallback: about 80 MB of log before a commit checkpoints by itself.
FALLBACK_AUTOCHECKPOINT_PAGES = 20_000


class Checkpointer:
    def __init__(self, path: Path, *, interval_s: float = 1.0) -> None:
        self.path = Path(path)
        self.interval_s = interval_s
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, db: sqlite_utils.Database) -> None:
        """Start checkpointing for `db` (the app's connection to self.path)."""
        if self._thread is not None:
            return
        db.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_AUTOCHECKPOINT_PAGES}")
        self._thread = threading.Thread(target=self._run, name="csdesk-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(str(self.path), timeout=5, isolation_level=None)
        except sqlite3.Error:
            log.exception("background checkpoints disabled: cannot open %s", self.path)
            return
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    # PASSIVE never blocks writers or readers; what it cannot copy now waits.
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.runs += 1
                except sqlite3.Error:
                    log.warning("background checkpoint skipped", exc_info=True)
        finally:
            conn.close()
