"""What the two engines spell differently inside the store's shared statements, in one place.

Most of the store's SQL is one text for both engines (store.server.sql turns `?` into `%s` and
renames the few functions that differ only in name). What differs in form is here, as small
functions that return a piece of SQL for the connection at hand, so a store module writes its
statement once and asks this module for the differing piece; no store module asks which engine
it runs on. Bigger differences (DDL, the search index, backup, erase) have modules of their own
(store/server/*, store.search_index).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any


def is_server_db(db: object) -> bool:
    """Is `db` a connection to a PostgreSQL server (store.server.sql.PgDatabase)? Asked only
    here, by store.db (atomic, execute_many) and by store.bulk (loading): the places that hold
    what differs between the engines. A leaf module: it imports nothing of the store."""
    return getattr(db, "engine", "sqlite") == "postgresql"


def greatest(db: Any, *exprs: str) -> str:
    """The largest of several values: SQLite's scalar max(a, b), PostgreSQL's greatest(a, b).
    (Both ignore nothing: every argument here is NOT NULL or coalesced by the caller.)"""
    return ("greatest(" if is_server_db(db) else "max(") + ", ".join(exprs) + ")"


def joined_ids(db: Any, column: str) -> str:
    """An aggregate of the distinct integer ids in `column`, as text joined by commas."""
    if is_server_db(db):
        return f"string_agg(DISTINCT {column}::text, ',')"
    return f"group_concat(DISTINCT {column})"


def data_version(db: Any) -> str:
    """A query whose one value changes when another connection committed a change.

    SQLite: PRAGMA data_version (bumped by another connection's commit, microseconds to read).
    PostgreSQL: the newest change-log id (an index's last entry; every audited write adds one);
    a window there is told by LISTEN/NOTIFY (change_listener) and polls this only as a fallback.
    """
    if is_server_db(db):
        return "SELECT coalesce(max(id), 0) FROM changes"
    return "PRAGMA data_version"


def announce_change(db: Any, change_id: int) -> None:
    """Tell the other counters at once that change `change_id` is coming: on PostgreSQL a NOTIFY
    inside the write's own transaction (delivered at COMMIT, never for a rollback; LISTENed for by
    store.server.listen). SQLite has no such thing; its windows see data_version move."""
    if is_server_db(db):
        db.execute("SELECT pg_notify('csdesk_changes', ?)", [str(change_id)])


def change_listener(db: Any, heard: Callable[[str], None]) -> Any:
    """A started listener calling `heard("change" | "up" | "down")` from its own thread, with a
    `stop()` and a `listening` flag; None where the engine has no notifications (the file)."""
    if not is_server_db(db):
        return None
    from csdesk.store.server.listen import ChangeListener  # psycopg only on a server

    return ChangeListener(db.target, heard).start()


def reconnect(db: Any) -> None:
    """A server's connection anew after an outage (store.server.sql.PgDatabase.reconnect); the
    file has no connection to lose: nothing to do."""
    if is_server_db(db):
        db.reconnect()


# -- a connection that can be lost (the server's; the file's cannot) ------------------------------
# What the window needs so that its UI thread never waits on a silent server: a deadline for
# the answers (answer_within), word of a lost connection (on_lost, lost), and a new connection
# made on another thread (fresh_connection) that the owning thread then takes (adopt).
def answer_within(db: Any, seconds: float | None) -> None:
    if is_server_db(db):
        db.answer_within(seconds)


def answering_within(db: Any, seconds: float) -> AbstractContextManager[None]:
    return db.answering_within(seconds) if is_server_db(db) else nullcontext()


def on_lost(db: Any, callback: Callable[[], None]) -> None:
    if is_server_db(db):
        db.on_lost(callback)


def connection_lost(db: Any) -> bool:
    return bool(is_server_db(db) and db.lost)


def fresh_connection(db: Any) -> object | None:
    """Made on any thread; None for the file (nothing to make)."""
    return db.fresh_connection() if is_server_db(db) else None


def adopt(db: Any, fresh: object | None) -> None:
    if is_server_db(db) and fresh is not None:
        db.adopt(fresh)


def discard(db: Any, fresh: object | None) -> None:
    """Close a fresh_connection that will not be adopted."""
    if is_server_db(db) and fresh is not None:
        db.discard(fresh)


# -- a write whose COMMIT's answer was lost (store.server.sql.PgDatabase.write) -------------------
def transaction_id(db: Any) -> str:
    """A select-list item naming the current transaction (PostgreSQL's xid8, as text); NULL on
    the file, whose COMMIT cannot be half-heard: it is a call in this process."""
    return "pg_current_xact_id()::text" if is_server_db(db) else "NULL"


def note_transaction(db: Any, xid: object, entity: str, entity_id: int | None) -> None:
    if is_server_db(db):
        db.note_transaction(xid, entity, entity_id)


def outcome(db: Any, ref: object) -> bool | None:
    """Did the write SaveUncertain named commit (None: cannot be told yet)? Only a server
    raises SaveUncertain, so the file never gets here."""
    if not is_server_db(db):
        raise ValueError("only a server's write can have an uncertain outcome")
    result: bool | None = db.outcome(ref)
    return result


def using_index(db: Any, index: str) -> str:
    """SQLite's INDEXED BY (its planner can pick a worse index for a LIMITed walk); PostgreSQL
    has no hints and plans these from its statistics. Goes right after the table name."""
    return "" if is_server_db(db) else f"INDEXED BY {index}"


def new_ids(db: Any, table: str, count: int) -> list[int]:
    """`count` ids for new rows of `table` that the caller inserts with explicit ids (a bulk
    load), ascending. SQLite: the next after max(id), the file having one writer at a time.
    PostgreSQL: taken from the table's identity sequence, so concurrent inserts by other
    counters (which take theirs from the same sequence) never collide with them."""
    if count <= 0:
        return []
    if is_server_db(db):
        cur = db.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, ?)",
            [count],
        )
        return sorted(int(r[0]) for r in cur.fetchall())
    first = int(db.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])
    return list(range(first, first + count))


def two_digits(db: Any, expr: str) -> str:
    """An integer 0-99 as two digits of text ('05'): printf on SQLite, lpad on PostgreSQL."""
    if is_server_db(db):
        return f"lpad(CAST({expr} AS text), 2, '0')"
    return f"printf('%02d', {expr})"


def shifted(db: Any, column: str, modifier: str) -> str:
    """`column` (UTC ISO text) moved by `modifier` (an SQL expression giving text such as
    '+60 minutes'), as 'YYYY-MM-DD HH:MM:SS': SQLite's datetime(x, modifier). On PostgreSQL the
    session's zone is UTC (store.server.sql), so a zone-less time reads as UTC there too."""
    if is_server_db(db):
        return (f"to_char(CAST({column} AS timestamptz) + CAST({modifier} AS interval), "
                "'YYYY-MM-DD HH24:MI:SS')")
    return f"datetime({column}, {modifier})"


def shifted_iso(db: Any, column: str, modifier: str) -> str:
    """As `shifted`, but as the stored form 'YYYY-MM-DDTHH:MM:SS+00:00' (to compare with it)."""
    if is_server_db(db):
        return (f"to_char(CAST({column} AS timestamptz) + CAST({modifier} AS interval), "
                "'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')")
    return f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {column}, {modifier})"


def hours_between(db: Any, later: str, earlier: str) -> str:
    """Hours from `earlier` to `later` (ISO text), fractional."""
    if is_server_db(db):
        return (f"EXTRACT(EPOCH FROM CAST({later} AS timestamptz) - CAST({earlier} AS timestamptz))"
                " / 3600.0")
    return f"(julianday({later}) - julianday({earlier})) * 24"


def table_names(db: Any) -> set[str]:
    """The tables in the database (the catalog is sqlite_master on one, information_schema on
    the other)."""
    if is_server_db(db):
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {str(r[0]) for r in db.execute(sql).fetchall()}


def table_exists(db: Any, name: str) -> bool:
    return name in table_names(db)


def column_names(db: Any, table: str) -> set[str]:
    if is_server_db(db):
        cur = db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND table_name = ?",
            [table],
        )
        return {str(r[0]) for r in cur.fetchall()}
    return {str(r[1]) for r in db.execute(f'PRAGMA table_info("{table}")').fetchall()}
