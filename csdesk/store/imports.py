"""Import batches and what each one created or changed, for undo."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlite_utils

from csdesk.store.db import execute_many
from csdesk.store.rows import Row, all_rows, inserted_id, one_row


def start_batch(
    db: sqlite_utils.Database,
    *,
    file_name: str,
    fmt: str,
    at: str,
    by: int | None,
    total: int,
    owner: str = "",
    file_path: str = "",
    file_sha256: str = "",
    options: dict[str, Any] | None = None,
) -> int:
    cur = db.execute(
        "INSERT INTO import_batches (file_name, format, started_at, started_by, rows_total, owner, "
        "file_path, file_sha256, options, progress_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [file_name, fmt, at, by, total, owner, file_path, file_sha256, json.dumps(options or {}), at],
    )
    return inserted_id(cur)


def add_counts(
    db: sqlite_utils.Database,
    batch_id: int,
    *,
    created: int,
    updated: int,
    skipped: int,
    at: str | None = None,
) -> None:
    """Counted in the same transaction as the rows: the counts are what really committed."""
    db.execute(
        "UPDATE import_batches SET created_count = created_count + ?, "
        "updated_count = updated_count + ?, skipped_count = skipped_count + ?, "
        "progress_at = coalesce(?, progress_at) WHERE id = ?",
        [created, updated, skipped, at, batch_id],
    )


def running(db: sqlite_utils.Database) -> list[Row]:
    return all_rows(db.execute("SELECT * FROM import_batches WHERE status = 'running' ORDER BY id"))


def mark_interrupted(
    db: sqlite_utils.Database, batch_id: int, *, at: str, reason: str, owner: str
) -> bool:
    """Only while it is still the same run (`owner`): a run that finished meanwhile stays done."""
    cur = db.execute(
        "UPDATE import_batches SET status = 'interrupted', interrupted_at = ?, stop_reason = ? "
        "WHERE id = ? AND status = 'running' AND owner = ?",
        [at, reason, batch_id, owner],
    )
    return cur.rowcount == 1


def restart_batch(db: sqlite_utils.Database, batch_id: int, *, owner: str) -> None:
    db.execute(
        "UPDATE import_batches SET status = 'running', owner = ?, interrupted_at = NULL, "
        "stop_reason = '', finished_at = NULL WHERE id = ?",
        [owner, batch_id],
    )


def unfinished(db: sqlite_utils.Database) -> list[Row]:
    """Interrupted imports nobody has undone or finished yet, newest first."""
    return all_rows(
        db.execute("SELECT * FROM import_batches WHERE status = 'interrupted' ORDER BY id DESC")
    )


def finish_batch(db: sqlite_utils.Database, batch_id: int, *, at: str, status: str) -> None:
    db.execute(
        "UPDATE import_batches SET finished_at = ?, status = ? WHERE id = ?",
        [at, status, batch_id],
    )


def mark_undone(db: sqlite_utils.Database, batch_id: int, *, at: str, by: int | None) -> None:
    db.execute(
        "UPDATE import_batches SET status = 'undone', undone_at = ?, undone_by = ? WHERE id = ?",
        [at, by, batch_id],
    )


def add_items(
    db: sqlite_utils.Database, batch_id: int, items: Sequence[tuple[int, str, Any]]
) -> None:
    """(customer_id, action, before) triples; `before` is stored as JSON."""
    execute_many(db,
        "INSERT INTO import_items (batch_id, customer_id, action, before) VALUES (?, ?, ?, ?)",
        [
            (batch_id, cid, action, None if before is None else json.dumps(before, default=str))
            for cid, action, before in items
        ],
    )


def get_batch(db: sqlite_utils.Database, batch_id: int) -> Row | None:
    return one_row(db.execute("SELECT * FROM import_batches WHERE id = ?", [batch_id]))


def list_batches(db: sqlite_utils.Database, limit: int = 50) -> list[Row]:
    return all_rows(db.execute("SELECT * FROM import_batches ORDER BY id DESC LIMIT ?", [limit]))


def items(db: sqlite_utils.Database, batch_id: int) -> Iterator[tuple[int, str, Any]]:
    """Newest first, so undo unwinds in reverse order."""
    cur = db.execute(
        "SELECT customer_id, action, before FROM import_items WHERE batch_id = ? ORDER BY id DESC",
        [batch_id],
    )
    for cid, action, before in cur.fetchall():
        yield cid, action, None if before is None else json.loads(before)


def later_changes(db: sqlite_utils.Database, customer_id: int, since: str) -> int:
    """Visits and notes recorded for a customer after `since`: undo must not throw them away."""
    row = db.execute(
        "SELECT (SELECT count(*) FROM visits WHERE customer_id = ? AND created_at > ?) + "
        "(SELECT count(*) FROM notes WHERE customer_id = ? AND created_at > ?)",
        [customer_id, since, customer_id, since],
    ).fetchone()
    return int(row[0])


def delete_customers(db: sqlite_utils.Database, ids: Sequence[int]) -> None:
    execute_many(db, "DELETE FROM customers WHERE id = ?", [(i,) for i in ids])


def delete_note(db: sqlite_utils.Database, note_id: int) -> None:
    db.execute("DELETE FROM notes WHERE id = ?", [note_id])
