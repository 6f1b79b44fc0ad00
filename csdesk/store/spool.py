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


class SpoolMap:
    """Text keys -> int for as many keys as a file has, in bounded memory: the newest `memory`
    keys in a dict, the older ones in a private table on disk (another of SQLite's private
    temporary databases), and a bitmap of their hashes so that a key never stored (almost every
    key a file has) costs no query. An import remembers each row's e-mails and phone numbers
    to find the file's own repeats: as a dict that grew ~150 bytes a key, ~300 MB for the
    largest file csdesk reads (1,300,000 rows, two keys a row)."""

    _BITS = 1 << 27  # 16 MB of bitmap: ~1.5% of the lookups of new keys reach the table at 2M keys

    def __init__(self, memory: int = 100_000) -> None:
        self._memory = memory
        self._recent: dict[str, int] = {}
        self._bitmap: bytearray | None = None  # made when the first keys go to disk
        self._conn: sqlite3.Connection | None = None

    def get(self, key: str) -> int | None:
        found = self._recent.get(key)
        if found is not None or self._bitmap is None:
            return found
        bit = hash(key) & (self._BITS - 1)
        if not self._bitmap[bit >> 3] & (1 << (bit & 7)):
            return None
        assert self._conn is not None
        row = self._conn.execute("SELECT v FROM keys WHERE k = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def __setitem__(self, key: str, value: int) -> None:
        self._recent[key] = value
        if len(self._recent) >= self._memory:
            self._spill()

    def _spill(self) -> None:
        if self._conn is None:
            self._conn = sqlite3.connect("", isolation_level=None)
            self._conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            self._conn.execute("PRAGMA journal_mode = OFF")
            self._conn.execute("PRAGMA synchronous = OFF")
            self._conn.execute("CREATE TABLE keys (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID")
            self._bitmap = bytearray(self._BITS >> 3)
        bitmap, mask = self._bitmap, self._BITS - 1
        assert bitmap is not None
        for key in self._recent:
            bit = hash(key) & mask
            bitmap[bit >> 3] |= 1 << (bit & 7)
        self._conn.execute("BEGIN")
        # A key set again replaces its value, as in a dict.
        self._conn.executemany("INSERT OR REPLACE INTO keys (k, v) VALUES (?, ?)", self._recent.items())
        self._conn.execute("COMMIT")
        self._recent = {}

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
