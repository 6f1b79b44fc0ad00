"""Background WAL checkpoints, so no commit pays for one.

In WAL mode SQLite copies the log back into the database file every ~1000 pages, inside
whichever commit crosses the line: that one commit then waits for the copy and its fsync (tens
of milliseconds on a small file, seconds on a 2 GB one with a busy disk) while every other commit
takes a fraction of a millisecond. So every connection that writes raises that threshold far out
of the way (FALLBACK_AUTOCHECKPOINT_PAGES, only reached if checkpoints cannot keep up), and a
Checkpointer does the copying instead: its own connection on its own thread checkpoints
passively, which never blocks a writer or a reader.

The window starts one when it opens (`start`). Every other writer (a command, a script, a test)
gets one lazily: `watch` registers the connection and the first commit that wrote starts the
thread (`committed`), so read-only commands (`csdesk call`, `csdesk search`) start nothing.
The log stays bounded either way: the thread runs about once a second while commits arrive,
and the last connection to close copies the rest (SQLite does that on close).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from pathlib import Path

import sqlite_utils

log = logging.getLogger(__name__)

# The writers' own fallback: about 80 MB of log before a commit checkpoints by itself.
FALLBACK_AUTOCHECKPOINT_PAGES = 20_000


class Checkpointer:
    def __init__(self, path: Path, *, interval_s: float = 1.0) -> None:
        self.path = Path(path)
        self.interval_s = interval_s
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, db: sqlite_utils.Database) -> None:
        """Start checkpointing for `db` (the app's connection to self.path)."""
        if self._thread is not None:
            return
        db.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_AUTOCHECKPOINT_PAGES}")
        self._stop.clear()
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


# Connections whose first write starts their checkpointer (see `watch`).
_WATCHED: weakref.WeakKeyDictionary[sqlite_utils.Database, Checkpointer] = (
    weakref.WeakKeyDictionary()
)


def watch(db: sqlite_utils.Database, checkpointer: Checkpointer) -> None:
    """Let `db`'s first committed write start `checkpointer`; until then no thread runs.

    The commit threshold is raised now, so even the first commits never checkpoint inline."""
    db.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_AUTOCHECKPOINT_PAGES}")
    _WATCHED[db] = checkpointer


def unwatch(db: sqlite_utils.Database) -> None:
    _WATCHED.pop(db, None)


def committed(db: sqlite_utils.Database) -> None:
    """Called after a write transaction on `db` committed: make sure someone copies the log."""
    checkpointer = _WATCHED.get(db)
    if checkpointer is not None and not checkpointer.running:
        try:
            checkpointer.start(db)
        except (sqlite3.Error, RuntimeError):  # no thread to be had: SQLite's own threshold stays
            log.warning("background checkpoints not started", exc_info=True)
