"""What an engine keeps of an erased customer's rows after the DELETEs, and removing it: the one
place that knows how each engine does it (store/privacy.erase calls it; services never ask
which engine they run on).

- The file: FTS5 keeps deleted tokens in old index segments until they are merged ('optimize',
  inside the erase's transaction); freed pages are zeroed by secure_delete, and VACUUM plus a
  WAL truncate afterwards leave no old page in the file or its journal.
- The server: the search vectors are generated columns of customers (nothing to merge), but a
  deleted row stays in its table as a dead tuple and its keys stay in the index pages after a
  plain VACUUM: store/server/erase VACUUM FULLs the tables the erase touched, one at a time,
  after the erase's transaction committed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from csdesk.store.dialect import is_server_db
from csdesk.store.integrity import fts_tables

# progress(done, total) -> False to stop early (the rest stays for a later scrub); as the
# window's Progress token.
ScrubProgress = Callable[[int, int], bool]


def forget_search_words(db: Any) -> None:
    """Inside the erase's transaction: make the search index drop the deleted rows' words."""
    if is_server_db(db):
        return  # generated columns: the words went with the rows (the index pages: scrub)
    # Every FTS5 index, so a notes or issues index added later is covered too.
    for table in fts_tables(db.conn):
        db.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'optimize\')')


def scrub(db: Any, tables: Sequence[str], progress: ScrubProgress | None = None) -> str:
    """After the erase committed (outside any transaction): rewrite what still holds the erased
    rows' old bytes. '' when done; 'busy' when another program kept the file's WAL open, or on a
    server 'tables_busy' when other counters kept some tables busy (or the caller stopped it);
    on the file also 'no_space' / 'write_failed' when the disk refused the rewrite. What was
    erased is committed either way; `csdesk check --repair` rewrites what is left.

    `tables` are the ones the erase changed (the server rewrites only those: each rewrite locks
    its table, and at a million customers the big ones take minutes); the file is rewritten
    whole either way.
    """
    if is_server_db(db):
        from csdesk.store.server.erase import scrub_after_erase

        busy = scrub_after_erase(db.conn, tuple(tables), progress=progress)
        return "tables_busy" if busy else ""
    if progress is not None:
        progress(0, 1)
    problem = scrub_file(db)
    if progress is not None:
        progress(1, 1)
    return problem


def scrub_file(db: Any) -> str:
    """Rewrite the file without free pages and empty the WAL ('' / 'busy' / 'no_space' /
    'write_failed'). Must run outside any transaction (VACUUM cannot run inside one)."""
    try:
        db.execute("VACUUM")
        busy, _log, _done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "full" in text or "no space" in text:
            return "no_space"
        if "i/o" in text:
            return "write_failed"  # the disk refused the write (a file size limit, a fault)
        return "busy"
    return "busy" if busy else ""
