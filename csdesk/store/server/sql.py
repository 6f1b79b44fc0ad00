"""The thin dialect layer: one SQL text for both engines where one works on both.

The store writes `?` (and `:name`) placeholders, as sqlite3 wants; psycopg wants `%s` (and
`%(name)s`). PgDatabase speaks the part of sqlite_utils.Database the store and the services use
(`execute(sql, params)` returning a cursor with fetchone/fetchall/description/rowcount, `close`),
plus the transaction the file gets from BEGIN IMMEDIATE (store.db.atomic asks `write()` for it),
so a statement that is plain SQL on both engines is written once, in the store module that owns
it, and runs on either. What truly differs (the search index, DDL, backup, erase) has its own
module under store/server/; the few SQLite functions the store's shared statements use and
PostgreSQL spells differently are renamed here, in one table (FUNCTIONS), not at each call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import pq, sql
from psycopg.adapt import Loader

from csdesk.errors import SaveUncertain, UserError

# SQLite function -> the PostgreSQL function with the same arguments and the same answer.
# instr(haystack, needle) and strpos(string, substring): 1-based position, 0 when absent.
FUNCTIONS = {"instr": "strpos"}
_FUNCTION_CALL = re.compile(r"\b(" + "|".join(FUNCTIONS) + r")\s*\(", re.IGNORECASE)
_NAMED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# SQLite's `x IS ?` / `x IS NOT ?` (NULL-safe comparison with a parameter) is PostgreSQL's
# IS [NOT] DISTINCT FROM; `IS NULL` and `IS NOT NULL` are the same on both and stay.
_IS_PARAM = re.compile(r"\bIS(\s+NOT)?\s+(%s|%\(\w+\)s)", re.IGNORECASE)


def _rename_functions(chunk: str) -> str:
    chunk = _IS_PARAM.sub(
        lambda m: ("IS DISTINCT FROM " if m.group(1) else "IS NOT DISTINCT FROM ") + m.group(2), chunk
    )
    return _FUNCTION_CALL.sub(lambda m: FUNCTIONS[m.group(1).lower()] + "(", chunk)


@lru_cache(maxsize=4096)  # the store's statements are a fixed, small set
def to_pg(sql: str) -> str:
    """`?` -> `%s` and `:name` -> `%(name)s` outside quoted strings and identifiers; a literal
    `%` -> `%%`; `::` casts stay; the SQLite-only function names in FUNCTIONS renamed."""
    out: list[str] = []
    plain: list[str] = []  # the unquoted text since the last quote, for the function renames
    quote = ""
    i = 0
    n = len(sql)

    def flush() -> None:
        if plain:
            out.append(_rename_functions("".join(plain)))
            plain.clear()

    while i < n:
        ch = sql[i]
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = ""
            i += 1
            continue
        if ch in ("'", '"'):
            flush()
            quote = ch
            out.append(ch)
        elif ch == "?":
            plain.append("%s")
        elif ch == "%":
            plain.append("%%")
        elif ch == ":" and i + 1 < n and sql[i + 1] == ":":
            plain.append("::")
            i += 2
            continue
        elif ch == ":" and (i == 0 or sql[i - 1] != ":") and (found := _NAMED.match(sql, i + 1)):
            plain.append(f"%({found.group(0)})s")
            i = found.end()
            continue
        else:
            plain.append(ch)
        i += 1
    flush()
    return "".join(out)


class _NumericAsNumber(Loader):
    """numeric -> int when whole, else float: sum() and avg() of integer columns are numeric on
    PostgreSQL and int/float on SQLite; services add cents and count visits either way."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


def _no_nul(value: Any) -> Any:
    """PostgreSQL's text cannot hold NUL (U+0000), SQLite's can. No text a person types means
    one (a pasted binary fragment at most), and a search or a save must not fail on it: it is
    dropped here, the one door every parameter goes through."""
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _params(params: Sequence[Any] | Mapping[str, Any]) -> Any:
    if isinstance(params, Mapping):
        return {k: _no_nul(v) for k, v in params.items()}
    return [_no_nul(v) for v in params]


def _prepare(conn: psycopg.Connection) -> None:
    """What every connection of a PgDatabase needs before its first statement."""
    conn.adapters.register_loader("numeric", _NumericAsNumber)
    # Times are ISO text in UTC; casts of a zone-less one (a visit slot) must read it as UTC
    # whatever zone the server or the shop's computer is set to (store.dialect.shifted).
    conn.execute("SET TIME ZONE 'UTC'")


@dataclass(frozen=True)
class PendingWrite:
    """A write whose COMMIT was sent but never answered: its transaction, the server session
    (backend) that ran it, and the rows it wrote as its change log names them ((entity, id)),
    so a face that learns "saved" can show what was saved, as after a normal save."""

    xid: str
    backend_pid: int
    written: tuple[tuple[str, int], ...] = ()


@dataclass
class _WriteMark:
    open: bool = False
    committing: bool = False
    xid: str | None = None
    written: list[tuple[str, int]] = field(default_factory=list)


class PgDatabase:
    """A psycopg connection as the store and the services use a sqlite_utils.Database.

    The connection is in autocommit mode (as the file's isolation_level=None): a read outside a
    write is its own snapshot, and every write is one explicit transaction (`write()`).
    """

    engine = "postgresql"

    def __init__(self, conn: psycopg.Connection, target: str = "") -> None:
        self.target = target  # as typed (may hold a password: only for connect.translate)
        self._answer_within: float | None = None
        self._on_lost: list[Callable[[], None]] = []
        self._write = _WriteMark()
        _prepare(conn)
        self.conn = conn

    # -- the connection, and a new one after an outage -------------------------------------------
    def answer_within(self, seconds: float | None) -> None:
        """From now on (and on every later connection) the server's answers are waited for at
        most `seconds` (store.server.connect): the window's own connection, read on the UI
        thread, fails fast on a silent server instead of freezing the window."""
        from csdesk.store.server import connect

        self._answer_within = seconds
        connect.answer_within(self.conn, seconds)

    @contextmanager
    def answering_within(self, seconds: float) -> Iterator[None]:
        """answer_within for the statements inside only (shorter, never longer than the
        connection's own): the window's small periodic reads, which may simply be skipped."""
        from csdesk.store.server import connect

        kept = self._answer_within
        if kept is not None and kept <= seconds:
            yield
            return
        connect.answer_within(self.conn, seconds)
        try:
            yield
        finally:
            connect.answer_within(self.conn, kept)

    def on_lost(self, callback: Callable[[], None]) -> None:
        """Call `callback()` (on the thread that met it) when a statement finds the connection
        lost; the window then shows the outage and makes a new connection off its thread."""
        self._on_lost.append(callback)

    @property
    def lost(self) -> bool:
        """Is the connection known to be gone (closed or broken)? No I/O."""
        return bool(self.conn.closed or self.conn.broken)

    def fresh_connection(self) -> psycopg.Connection:
        """A new, ready connection to the same server, for `adopt` to take. It touches nothing
        of this object's connection, so another thread may make it (the window's reconnect
        runs off the UI thread): only the thread that uses this object calls `adopt`."""
        from csdesk.store.server import connect

        fresh = connect.connect(self.target, answer_within=self._answer_within)
        try:
            _prepare(fresh)
        except psycopg.Error as exc:
            fresh.close()
            raise connect.translate(exc, self.target) from None
        return fresh

    def adopt(self, fresh: psycopg.Connection) -> None:
        """Use `fresh` (from fresh_connection) in place of the broken connection, so everything
        holding this object (the Desk's services) works again. Closing the old one sends at most
        a goodbye into the socket's buffer: it never waits for the server."""
        old, self.conn = self.conn, fresh
        with suppress(psycopg.Error):
            old.close()

    @staticmethod
    def discard(fresh: psycopg.Connection) -> None:
        """Close a connection fresh_connection made that will not be adopted (its window closed
        while it was being made): else it stays open on the server until garbage collection."""
        with suppress(psycopg.Error):
            fresh.close()

    def reconnect(self) -> None:
        """After the server went away and came back: a new connection in place of the broken
        one, made on this thread (a command, a writer thread; the window uses fresh_connection
        off its UI thread, then adopt). UserError while the server still does not answer; the
        old connection stays then."""
        self.adopt(self.fresh_connection())

    def execute(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> psycopg.Cursor[Any]:
        try:
            cur = self.conn.cursor()
            cur.execute(to_pg(sql), _params(params))
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None
        return cur

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]] | Iterator[Any]) -> None:
        try:
            with self.conn.cursor() as cur:
                cur.executemany(to_pg(sql), [_params(r) for r in rows])
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None

    def _lost(self, exc: psycopg.OperationalError) -> Exception:
        """A read (or a write) that found the server gone: one clear line (UserError), as a
        write's error is, wherever the statement ran, so no face meets psycopg's own text. An
        error of the statement on a live connection (a full disk) stays psycopg's, for
        atomic() and connect.translate to word as before."""
        from csdesk.store.server import connect

        if self.lost:
            self._tell_lost()
            return connect.translate(exc, self.target)
        if isinstance(exc, psycopg.errors.QueryCanceled):  # answer_within on a slow server
            return connect.translate(exc, self.target)
        return exc

    def _tell_lost(self) -> None:
        for callback in list(self._on_lost):
            callback()

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Many new rows through COPY ... FROM STDIN: one stream, no statement per row (about
        ten times psycopg's executemany for a bulk load; row triggers and generated columns
        still apply). Inside the caller's transaction; NUL dropped from text as in execute()."""
        target = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with self.conn.cursor() as cur, cur.copy(target) as copy:
            for row in rows:
                copy.write_row(_params(row))

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != pq.TransactionStatus.IDLE

    # -- writes ----------------------------------------------------------------------------------
    def note_transaction(self, xid: object, entity: str = "", entity_id: int | None = None
                         ) -> None:
        """The id of the write's transaction as the server gave it (store.changes.record reads
        it with the change log's row, no extra round trip), and which row that change names:
        kept until the COMMIT's answer."""
        if self._write.open:
            self._write.xid = None if xid is None else str(xid)
            if entity and entity_id is not None:
                self._write.written.append((entity, entity_id))

    @contextmanager
    def write(self) -> Iterator[PgDatabase]:
        """One transaction (a savepoint inside an outer one), committed when the block ends.

        A COMMIT whose answer never came (the connection lost after it was sent) may or may not
        have committed: that is not reported as "not saved" but as SaveUncertain, carrying what
        `outcome()` needs to tell, once the server is back, which it was (the transaction's id,
        from PostgreSQL's pg_xact_status, which exists for exactly this)."""
        if self._write.open or self.in_transaction:  # nested: a savepoint; the outer commits
            with self.conn.transaction():
                yield self
            return
        mark = self._write
        mark.open, mark.xid, mark.committing = True, None, False
        mark.written = []
        backend = self.conn.info.backend_pid
        try:
            with self.conn.transaction():
                yield self
                if mark.xid is None:  # a write that logged no change: ask (one round trip)
                    found = self.execute(
                        "SELECT pg_current_xact_id_if_assigned()::text").fetchone()
                    mark.xid = found[0] if found else None
                mark.committing = True
        except psycopg.OperationalError:
            if not (mark.committing and self.lost):
                raise
            self._tell_lost()
            if mark.xid is None:  # it wrote nothing: nothing can have been saved
                raise
            from csdesk.store.server import connect

            written = tuple(mark.written)
            raise SaveUncertain(connect.uncertain_message(self.target),
                                ref=PendingWrite(mark.xid, backend, written),
                                written=written) from None
        finally:
            mark.open, mark.committing = False, False

    def outcome(self, ref: object) -> bool | None:
        """Did the write SaveUncertain named commit? True or False for certain; None while it
        cannot be told yet (its old session still holds it open on the server: told to end now,
        so the next look says False)."""
        assert isinstance(ref, PendingWrite)
        found = self.execute("SELECT pg_xact_status(CAST(? AS xid8))", [ref.xid]).fetchone()
        status = found[0] if found else None
        if status == "committed":
            return True
        if status == "aborted":
            return False
        if status == "in progress":
            # COMMIT never reached the server (a half-open connection): the old session waits
            # for a client that is gone; ending it rolls the write back, as the server would by
            # itself once its keepalives notice (hours, by default).
            self.execute("SELECT pg_terminate_backend(?)", [ref.backend_pid])
            return None
        raise UserError(
            "The server cannot tell any more whether that save went through (too long ago): "
            "look at the record before saving it again."
        )

    def close(self) -> None:
        self.conn.close()


def open_server(target: str, *, migrate: bool = True) -> PgDatabase:
    """Connect to the shop's server, check that its database is csdesk's, and bring its schema
    up to date (as open_db does for the file): errors as one clear line (UserError)."""
    from csdesk.store.server import connect, schema

    conn = connect.connect(target)
    try:
        schema.require_csdesk(conn)
        if migrate:
            schema.upgrade(conn)
        return PgDatabase(conn, target)  # its first statement too: a lost server is one line
    except psycopg.Error as exc:
        conn.close()
        raise connect.translate(exc, target) from None
    except BaseException:
        conn.close()
        raise
