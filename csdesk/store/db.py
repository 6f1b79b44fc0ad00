"""Opening the database: WAL, foreign keys, a busy timeout, and one connection per thread."""

from __future__ import annotations

import os
import sqlite3
import sys
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import sqlite_utils

from csdesk.errors import DatabaseLocked, UserError
from csdesk.store import checkpoint
from csdesk.store.dialect import is_server_db

BUSY_TIMEOUT_MS = 5000

# The engine's error for a query that could not run (bad syntax, busy, I/O), under the store's
# own name: services catch this, never sqlite3's, so they stay as they are when a second engine comes.
QueryFailed = sqlite3.OperationalError
EngineError = sqlite3.Error  # any error the engine raises, for services that must not import it
DatabaseFailed = sqlite3.DatabaseError  # the file or a query failed (damaged, busy, full)


class EmptyDatabaseFile(UserError):
    """A zero-byte file where a database should be: never silently turned into a new, empty one."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The database file {path} is empty (0 bytes): its data is not there. "
            "Restore a backup with `csdesk restore FILE`, or delete the empty file to start afresh."
        )
        self.path = path


class MissingFolder(UserError):
    """A new database was asked for in a folder that does not exist (a typo, an unmounted share)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"There is no folder {path.parent}, so there is no database {path.name} in it. "
            f"Check the path; to start a new database there, run `csdesk init {path}`."
        )
        self.path = path


# Databases opened read-only, and why (a sentence that tells the user what to do). Kept beside the
# Database object, not on it, so the rest of the code keeps using plain sqlite_utils.Database.
_READ_ONLY: weakref.WeakKeyDictionary[sqlite_utils.Database, str] = weakref.WeakKeyDictionary()

# csdesk itself never sets user_version; a file with one was written by a program that does.
KNOWN_USER_VERSION = 0


# Which window or command a connection writes for (a random session id) and at which computer:
# the change log and the audit log record them beside every write (see store.changes).
_IDENTITY: weakref.WeakKeyDictionary[sqlite_utils.Database, tuple[str, str]] = (
    weakref.WeakKeyDictionary()
)


def set_identity(db: sqlite_utils.Database, *, session: str, computer: str) -> None:
    _IDENTITY[db] = (session, computer)


def identity(db: sqlite_utils.Database) -> tuple[str, str]:
    """(session, computer) this connection writes as; ('', '') when nobody said."""
    return _IDENTITY.get(db, ("", ""))


def read_only_reason(db: sqlite_utils.Database) -> str | None:
    """Why writes to `db` are refused, or None when it is writable."""
    return _READ_ONLY.get(db)


def _uri(path: Path, *, immutable: bool) -> str:
    # Quote the path: a folder called "Shop #2" or "what?" must not end the file name early.
    return f"file:{quote(path.absolute().as_posix())}?mode=ro" + ("&immutable=1" if immutable else "")


def _wal_is_empty(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return not wal.exists() or wal.stat().st_size == 0


def _can_write(path: Path) -> bool:
    """Write permission on the file and on its folder (WAL needs its -wal and -shm files there).

    os.access answers for the real user and sees read-only mounts (EROFS), even for root.
    """
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _set_pragmas(conn: sqlite3.Connection, path: Path, *, read_only: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if read_only:
        # Belt and braces: mode=ro already refuses writes; query_only says so for any connection.
        conn.execute("PRAGMA query_only = ON")
    else:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal" and str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")
    # Reads through the OS page cache without copying; searches touch scattered pages.
    conn.execute("PRAGMA mmap_size = 1073741824")
    conn.execute("PRAGMA cache_size = -32768")


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """mode=ro first (sees other writers); immutable when even the -shm file cannot be made,
    which on read-only media is true: nobody can change the file there."""
    conn = sqlite3.connect(_uri(path, immutable=False), uri=True, isolation_level=None,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if "unable to open" not in str(exc).lower() and "readonly" not in str(exc).lower():
            raise
    return sqlite3.connect(_uri(path, immutable=True), uri=True, isolation_level=None,
                           timeout=BUSY_TIMEOUT_MS / 1000)


def _newer_schema(db: sqlite_utils.Database) -> bool:
    """Written by a newer csdesk: a migration this one does not know, or a user_version it never sets."""
    from csdesk.store.migrations import migrations

    if int(db.execute("PRAGMA user_version").fetchone()[0]) > KNOWN_USER_VERSION:
        return True
    known = {m.name for m in migrations._migrations}
    return any(m.name not in known for m in migrations.applied(db))


def open_db(
    path: Path | str, *, migrate: bool = True, create_folder: bool = False
) -> sqlite_utils.Database:
    """Open (creating if needed) the csdesk database at `path` and bring its schema up to date.

    `path` may be a PostgreSQL URL or libpq conninfo (store.server.target.is_server): then the
    answer is a store.server.sql.PgDatabase, which speaks the part of sqlite_utils.Database the
    store and the services use (typed as one, so their signatures stay those of the file's).

    A new database needs its folder to exist unless `create_folder` (the default database in the
    data folder): a mistyped --db must not quietly start an empty customer list somewhere else.
    A file csdesk may not write (permissions, read-only media) or one made by a newer csdesk opens
    read-only: reads work and every write says why it cannot (read_only_reason).
    Each thread must open its own connection: sqlite3 connections are not shared across threads.
    """
    from csdesk.store.migrations import migrations
    from csdesk.store.server.target import is_server

    if not isinstance(path, Path) and is_server(path):
        from csdesk.store.server.sql import open_server  # psycopg only for a server

        return cast(sqlite_utils.Database, open_server(str(path), migrate=migrate))
    path = Path(path)
    memory = str(path) == ":memory:"
    reason: str | None = None
    try:
        if not memory and not path.exists():
            if create_folder:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise UserError(
                        f"Cannot make the folder {path.parent} for the database: "
                        f"{exc.strerror or exc}. Choose a folder you can write to "
                        "(--db PATH, or CSDESK_DATA_DIR for the whole data folder)."
                    ) from exc
            elif not path.parent.is_dir():
                raise MissingFolder(path)
        elif not memory and path.is_file() and path.stat().st_size == 0 and _wal_is_empty(path):
            raise EmptyDatabaseFile(path)
        if not memory and path.exists() and not _can_write(path):
            reason = (
                f"The database {path} is read-only (no write permission, or read-only media): "
                "searching, viewing, exports and backups work, changes cannot be saved. "
                "Copy it to a folder you can write to, or fix its permissions."
            )
            conn = _connect_read_only(path)
        else:
            # isolation_level=None: we open transactions ourselves (db.atomic()), never implicitly.
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        _set_pragmas(conn, path, read_only=reason is not None)
    except sqlite3.DatabaseError as exc:
        raise translate_error(exc, path) from exc
    except OSError as exc:
        raise UserError(
            f"Cannot open the database {path}: {exc.strerror or exc}. "
            "Check that the folder exists and that you may use it."
        ) from exc
    # No sqlite-utils plugins: finding them scans every installed package (~100 ms of each start),
    # and a plugin someone installed must not change how csdesk's connections behave.
    db = sqlite_utils.Database(conn, execute_plugins=False)
    try:
        if reason is None and _newer_schema(db):
            reason = (
                f"The database {path} was made by a newer csdesk: update csdesk to change it. "
                "Until then it opens read-only (searching and viewing work)."
            )
            conn.execute("PRAGMA query_only = ON")
        if reason is not None:
            _READ_ONLY[db] = reason
            if migrate and not _newer_schema(db) and migrations.pending(db):
                db.close()
                raise UserError(
                    f"The database {path} was made by an older csdesk and needs an upgrade, but it "
                    "is read-only. Copy it to a folder you can write to and open the copy."
                )
        elif migrate:
            migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise translate_error(exc, path) from exc
    return db


def engine_error_message(exc: BaseException) -> UserError | None:
    """The clear message for an error the database engine raised, or None if `exc` is not one."""
    if isinstance(exc, sqlite3.Error):
        return translate_error(exc)
    if "psycopg" in sys.modules:  # only a server command loads it; never imported for a file
        from csdesk.store.server import connect

        if connect.is_engine_error(exc):
            return connect.translate(exc)
    return None


def translate_error(exc: sqlite3.Error, path: Path | None = None) -> UserError:
    """Turn SQLite's terse errors into a message that says what to do."""
    text = str(exc).lower()
    where = f" ({path})" if path else ""
    if "audit log cannot be changed" in text:
        return UserError("The audit log cannot be changed: it is a permanent record.")
    if "locked" in text or "busy" in text:
        return DatabaseLocked(
            f"The database{where} is busy in another program. "
            "Close other csdesk windows or commands and try again; nothing was lost."
        )
    if "readonly" in text or "read-only" in text:
        return UserError(
            f"The database{where} is read-only. Check the file's permissions; nothing was changed."
        )
    if "disk is full" in text or "full" in text or "no space" in text:
        return UserError(
            f"The disk holding the database{where} is full. Free some space and try again; "
            "what you typed is still on screen."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return UserError(
            f"The file{where} is not a readable csdesk database. "
            "Restore a backup with `csdesk restore FILE`."
        )
    if "disk i/o error" in text:
        return UserError(
            f"The disk holding the database{where} reported a read or write error. "
            "Check the drive (is it still connected?), then run `csdesk check`."
        )
    if "unable to open" in text:
        return UserError(
            f"Cannot open the database{where}. Check that the folder exists and is writable."
        )
    return UserError(f"The database reported an error{where}: {exc}")


@contextmanager
def _transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE for an outermost write: it takes the write lock first, waiting up to the
    busy timeout for another counter's commit. A deferred BEGIN whose first statement reads would
    hold a snapshot, and SQLite refuses to turn that into a write once another connection has
    committed since (busy at once, the timeout never used): several counters writing at the same
    moment then fail where they only needed to wait. Nested blocks are savepoints, as before;
    a read-only database keeps the deferred BEGIN (its writes fail at their own statement)."""
    if db.conn.in_transaction or read_only_reason(db) is not None:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise


@contextmanager
def without_lock_wait(db: sqlite_utils.Database) -> Iterator[None]:
    """Writes inside fail at once (DatabaseLocked) where another connection holds the write
    lock, instead of waiting up to BUSY_TIMEOUT_MS for it: the window's UI thread tries a save
    this way and waits, when it must, on a worker. Nothing is written by a write that met the
    lock (BEGIN IMMEDIATE takes it first; a refused COMMIT rolls back), so it can be run again.
    A server's writes wait on row locks another way: nothing changes there."""
    if is_server_db(db):
        yield
        return
    waits = int(db.conn.execute("PRAGMA busy_timeout").fetchone()[0])
    db.conn.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {waits}")


@contextmanager
def atomic(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One transaction for one write; SQLite errors come out as UserError.

    On a database opened read-only the write fails at its first statement (query_only), is rolled
    back, and the user is told why this database is read-only.
    """
    if is_server_db(db):
        with _server_transaction(db):
            yield db
        return
    outermost = not db.conn.in_transaction
    changes = db.conn.total_changes
    try:
        with _transaction(db):
            yield db
    except sqlite3.IntegrityError as exc:
        if "audit log" not in str(exc):
            raise  # a broken constraint is a bug in csdesk, not something the user can fix
        raise translate_error(exc) from exc
    except sqlite3.DatabaseError as exc:  # locked, read-only, full disk, corrupt file
        reason = read_only_reason(db)
        if reason is not None and "readonly" in str(exc).lower().replace("read-only", "readonly"):
            raise UserError(reason) from exc
        raise translate_error(exc) from exc
    if outermost and db.conn.total_changes != changes:
        # Committed and wrote: the log is copied back off this commit's path (store.checkpoint).
        checkpoint.committed(db)


@contextmanager
def _server_transaction(db: Any) -> Iterator[Any]:
    """atomic() on a PostgreSQL server: one transaction (READ COMMITTED, each statement sees
    what others committed before it; row locks make a second writer wait, as BEGIN IMMEDIATE
    does on the file). Errors come out as UserError, as on the file; a broken constraint other
    than the audit log's guard stays a bug."""
    from csdesk.store.server import connect

    try:
        with db.write():
            yield db
    except connect.IntegrityError as exc:
        if "audit log" not in str(exc):
            raise
        raise UserError("The audit log cannot be changed: it is a permanent record.") from exc
    except connect.EngineError as exc:
        raise connect.translate(exc) from exc


def in_transaction(db: sqlite_utils.Database) -> bool:
    """Inside a write's transaction (on either engine)?"""
    if is_server_db(db):
        return bool(cast(Any, db).in_transaction)
    return db.conn.in_transaction


def insert_rows(
    db: sqlite_utils.Database, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Many new rows into one table, the fastest way each engine has: executemany of one INSERT
    on the file (sqlite3 steps one prepared statement), COPY on a server (psycopg's executemany
    is a round of protocol messages per row)."""
    if is_server_db(db):
        cast(Any, db).copy_rows(table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def execute_many(db: sqlite_utils.Database, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """One statement for many rows (sqlite3's executemany, psycopg's on a server)."""
    if is_server_db(db):
        cast(Any, db).executemany(sql, list(rows))
    else:
        db.conn.executemany(sql, rows)
