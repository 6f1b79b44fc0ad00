"""A private scratch file for data too big to hold in memory: numbered blobs, written and read back.

An import's plan has one item per row of the file (a 200 MB file is over a million rows); kept as
Python objects it grew ~2 KB a row. The spool is SQLite's own private temporary database (the
empty file name): on disk once its small cache is full, deleted by SQLite when closed, never
seen by another connection. One lock around it: the window plans on a worker thread, pages the
preview on the UI thread and applies on another worker.
"""

from __future__ import annotations

import sqlite3
import threading

# Pages beyond this stay on disk: the spool itself holds a few MB whatever it stores.
_CACHE_KIB = 4096


class Spool:
    def __init__(self) -> None:
        self._conn = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        self._conn.execute("PRAGMA journal_mode = OFF")  # scratch: nothing to recover
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute("CREATE TABLE blobs (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
        self._lock = threading.Lock()

    def put(self, key: int, value: bytes) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO blobs (k, v) VALUES (?, ?)", (key, value))

    def get(self, key: int) -> bytes:
        with self._lock:
            row = self._conn.execute("SELECT v FROM blobs WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
