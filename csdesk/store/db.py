"""Opening the database: WAL, foreign keys, a busy timeout, and one connection per thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from csdesk.errors import UserError

BUSY_TIMEOUT_MS = 5000


def open_db(path: Path | str, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the csdesk database at `path` and bring its schema up to date.

    Each thread must open its own connection: sqlite3 connections are not shared across threads.
    """
    from csdesk.store.migrations import migrations

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves (db.atomic()), never implicitly.
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal" and str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")
        # Reads through the OS page cache without copying; searches touch scattered pages.
        conn.execute("PRAGMA mmap_size = 1073741824")
        conn.execute("PRAGMA cache_size = -32768")
    except sqlite3.DatabaseError as exc:
        raise translate_error(exc, path) from exc
    db = sqlite_utils.Database(conn)
    if migrate:
        try:
            migrations.apply(db)
        except sqlite3.DatabaseError as exc:
            raise translate_error(exc, path) from exc
    return db


def translate_error(exc: sqlite3.Error, path: Path | None = None) -> UserError:
    """Turn SQLite's terse errors into a message that says what to do."""
    text = str(exc).lower()
    where = f" ({path})" if path else ""
    if "audit log cannot be changed" in text:
        return UserError("The audit log cannot be changed: it is a permanent record.")
    if "locked" in text or "busy" in text:
        return UserError(
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
def atomic(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One transaction for one write; SQLite errors come out as UserError."""
    try:
        with db.atomic():
            yield db
    except sqlite3.IntegrityError as exc:
        if "audit log" not in str(exc):
            raise  # a broken constraint is a bug in csdesk, not something the user can fix
        raise translate_error(exc) from exc
    except sqlite3.DatabaseError as exc:  # locked, read-only, full disk, corrupt file
        raise translate_error(exc) from exc
