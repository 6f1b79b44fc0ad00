"""After an erase on the server: no trace of the customer left in any table's or index's pages
(issue 15, item 6), the server's counterpart of the file's scrub; store/erase_traces.scrub calls
it on a server with the tables the erase touched.

Why VACUUM FULL and not VACUUM: a deleted or updated row's old version is a dead tuple, and
plain VACUUM marks its space free without overwriting it: a tuple that sat at the start of its
page's tuple area stays there, readable, until a later row happens to land on it; and a B-tree
or GIN index keeps the deleted keys (an e-mail, a phone number, a name's words) in its pages
after VACUUM removed their row pointers (tests/store/server/test_erase_scrub.py shows both on a
real cluster). VACUUM FULL writes each touched table and all its indexes (and TOAST) into new
files holding only the live rows and unlinks the old ones.

The rewrite's ANALYZE refreshes the planner's statistics, whose old rows in pg_statistic hold
sampled column values (a name, an e-mail): that catalog is rewritten last, the same way.

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

from collections.abc import Callable

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


# What a table the erase left empty is given for one moment, so ANALYZE has a row to sample
# (see _forget_statistics_if_empty): the tables whose columns feed a generated column, which
# PostgreSQL will not let ALTER COLUMN TYPE touch. Blank values; the row never commits.
_PLACEHOLDERS = {
    "customers": "INSERT INTO customers (last_seen_at, created_at, updated_at) "
                 "VALUES ('', '', '') RETURNING id",
    "notes": "INSERT INTO notes (customer_id, body, created_at) "
             "VALUES ((SELECT min(id) FROM customers), '', '') RETURNING id",
}


def _forget_statistics_if_empty(conn: psycopg.Connection, table: str) -> None:
    """Drop the planner statistics an emptied table still holds.

    ANALYZE of a table with no rows keeps its previous statistics (the most common values and
    histogram bounds: names, e-mails, note words of the rows just erased). Two ways to replace
    them, both inside one transaction on an empty table (instant): ALTER COLUMN ... TYPE to its
    own type drops a column's statistics; where a generated column depends on the column (which
    that ALTER refuses), ANALYZE samples a blank placeholder row this transaction inserted, and
    the placeholder is deleted before the commit. The old pg_statistic rows left dead are
    rewritten away by the caller's VACUUM FULL of pg_statistic."""
    if conn.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table))).fetchone():
        return  # it has rows: ANALYZE replaced every column's statistics with theirs
    columns = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated <> '' "
        "FROM pg_stats s JOIN pg_attribute a ON a.attrelid = %s::regclass AND a.attname = s.attname "
        "WHERE s.schemaname = 'public' AND s.tablename = %s",
        [table, table],
    ).fetchall()
    if not columns:
        return
    with conn.transaction():
        if table in _PLACEHOLDERS:
            # (Only these rows are deleted again, by id: another counter may add real ones.)
            added: list[tuple[str, int]] = []
            if table == "notes" and not conn.execute("SELECT 1 FROM customers LIMIT 1").fetchone():
                added.append(("customers", _one_id(conn, _PLACEHOLDERS["customers"])))
            added.append((table, _one_id(conn, _PLACEHOLDERS[table])))
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
            for name, row_id in reversed(added):
                conn.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(name)),
                             [row_id])
            return
        for name, type_name, _generated in columns:
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(type_name)))


def _one_id(conn: psycopg.Connection, insert: str) -> int:
    row = conn.execute(insert).fetchone()
    assert row is not None  # INSERT ... RETURNING gives its row
    return int(row[0])


def scrub_after_erase(
    conn: psycopg.Connection,
    tables: tuple[str, ...] = ERASE_TABLES,
    *,
    progress: Callable[[int, int], bool] | None = None,
) -> list[str]:
    """VACUUM FULL the erase's tables (outside any transaction: VACUUM cannot run inside one).

    Returns the tables another counter kept busy (not rewritten; try again), [] when all were.
    `progress(done, total)` before each table and at the end; False stops before the next table
    (the ones left are reported as not rewritten).
    """
    present = set(schema.user_tables(conn))
    todo = [t for t in dict.fromkeys(tables) if t in present]  # an older schema may lack one
    busy: list[str] = []
    previous = conn.autocommit
    conn.autocommit = True
    try:
        conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
        for done, table in enumerate(todo):
            if progress is not None and not progress(done, len(todo)):
                busy.extend(todo[done:])
                break
            try:
                conn.execute(sql.SQL("VACUUM (FULL, ANALYZE) {}").format(sql.Identifier(table)))
                _forget_statistics_if_empty(conn, table)
            except psycopg.errors.LockNotAvailable:
                busy.append(table)
        else:
            if len(busy) < len(todo):
                # ANALYZE above wrote new planner statistics; the old rows of pg_statistic
                # (sampled column values: names, e-mails, phone digits) stay as dead tuples of
                # that catalog until it is rewritten too. The database's owner may (csdesk's
                # role owns its database, README step 2); another role gets a warning only.
                try:
                    conn.execute("VACUUM (FULL) pg_statistic")
                except psycopg.errors.LockNotAvailable:
                    busy.append("pg_statistic")
            if progress is not None:
                progress(len(todo), len(todo))
    finally:
        conn.execute("RESET lock_timeout")
        conn.autocommit = previous
    return busy
