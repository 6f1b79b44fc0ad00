"""After an erase on the server: no trace of the customer left in any table's or index's pages
(issue 15, item 6), the server's counterpart of the file's scrub (store/privacy.scrub_problem).

Why VACUUM FULL and not VACUUM: a deleted or updated row's old version is a dead tuple, and
plain VACUUM marks its space free without overwriting it: a tuple that sat at the start of its
page's tuple area stays there, readable, until a later row happens to land on it; and a B-tree
or GIN index keeps the deleted keys (an e-mail, a phone number, a name's words) in its pages
after VACUUM removed their row pointers (tests/store/server/test_erase_scrub.py shows both on a
real cluster). VACUUM FULL writes each touched table and all its indexes (and TOAST) into new
files holding only the live rows and unlinks the old ones.

What it costs: VACUUM FULL holds an exclusive lock on each table while it rewrites it, so the
counters wait that long for that table (for customers, the size of the customer book). It takes
the tables one at a time and gives up on one that another counter keeps busy for LOCK_TIMEOUT,
reporting it (the erase itself is committed either way; run it again later), as the file's
scrub reports 'busy'. Measured (tests/benchmarks/bench_erase_scrub.py, 100,000 demo customers,
fsync off, load 9): 21 s for all tables, visits 9.6 s, customers 4.9 s, phones 4.4 s; so at a
million customers each of those tables is locked for about ten times as long. Run it off the
UI thread, after the erase has committed.

What stays elsewhere (README, "Your shop's server"): the write-ahead log segments until the
server recycles them (after its next checkpoints), any WAL archive or streaming replica the
shop set up, dumps made before the erase, and the unlinked files' old blocks on the server's
disk until the filesystem reuses them.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from csdesk.store.server import schema

# Every table the erase deletes from or overwrites (store/privacy.erase), and the audit log its
# redaction rewrites.
ERASE_TABLES = (
    "customers", "customer_phones", "customer_emails", "notes", "visits", "issues", "issue_events",
    "followups", "outbox", "letters", "import_items", "audit", "audit_redaction_open", "changes",
    "presence",
)
LOCK_TIMEOUT = "5s"


def scrub_after_erase(conn: psycopg.Connection, tables: tuple[str, ...] = ERASE_TABLES) -> list[str]:
    """VACUUM FULL the erase's tables (outside any transaction: VACUUM cannot run inside one).

    Returns the tables another counter kept busy (not rewritten; try again), [] when all were.
    """
    present = set(schema.user_tables(conn))
    busy: list[str] = []
    previous = conn.autocommit
    conn.autocommit = True
    try:
        conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
        for table in tables:
            if table not in present:
                continue  # an older schema without it
            try:
                conn.execute(sql.SQL("VACUUM (FULL, ANALYZE) {}").format(sql.Identifier(table)))
            except psycopg.errors.LockNotAvailable:
                busy.append(table)
    finally:
        conn.execute("RESET lock_timeout")
        conn.autocommit = previous
    return busy
