"""The outbox: e-mail queued, being sent, sent, failed or cancelled (migration 0014_outbox).

Every state change is one UPDATE guarded by the state (and lease) it expects, so two senders
(the window and a cron job) never both take a row: the one whose UPDATE changed a row owns it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from csdesk.store.rows import Row, all_rows, inserted_id, one_row

STATES = ("queued", "sending", "sent", "failed", "cancelled")
# What a list shows: everything but the bodies and the attachment bytes.
LIST_COLUMNS = (
    "id, customer_id, letter_id, to_address, to_name, subject, attachment_name, marketing, "
    "message_id, state, attempts, next_attempt_at, data_started_at, last_error, created_at, "
    "created_by, sent_at, updated_at"
)

# One arm of the customer's timeline: an e-mail is there once the server has accepted it.
TIMELINE_SQL = (
    "SELECT 'email_sent' AS kind, id AS ref_id, customer_id, sent_at AS at, "
    "'email' AS channel, subject AS title, to_address AS detail, created_by AS staff_id "
    "FROM outbox WHERE sent_at IS NOT NULL"
)
# The daily log's arm (store/reports.py): same columns as its other arms.
REPORT_SQL = (
    "SELECT sent_at, 'email_sent', id, customer_id, 'email', created_by, subject, to_address, NULL,"
    " 'sent', NULL, '' FROM outbox WHERE sent_at >= :start AND sent_at < :end"
)


def _encoded(row: dict[str, Any]) -> dict[str, Any]:
    data = row.get("attachment")
    return {**row, "attachment": None if data is None else base64.b64encode(data).decode("ascii")}


def _decoded(row: Row | None) -> Row | None:
    if row is not None and row.get("attachment") is not None:
        row["attachment"] = base64.b64decode(row["attachment"])
    return row


def insert_many(db: sqlite_utils.Database, rows: Sequence[dict[str, Any]]) -> list[int]:
    """`attachment` is bytes (or None); stored as base64 text (migration 0014_outbox says why)."""
    ids: list[int] = []
    for row in map(_encoded, rows):
        cur = db.execute(
            f"INSERT INTO outbox ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
            list(row.values()),
        )
        ids.append(inserted_id(cur))
    return ids


def get(db: sqlite_utils.Database, outbox_id: int) -> Row | None:
    return _decoded(one_row(db.execute("SELECT * FROM outbox WHERE id = ?", [outbox_id])))


def listing(
    db: sqlite_utils.Database, *, states: Sequence[str] | None = None, limit: int = 200
) -> list[Row]:
    """Newest first; without bodies."""
    where, params = "", []
    if states:
        where = f"WHERE state IN ({', '.join('?' for _ in states)})"
        params = list(states)
    cur = db.execute(
        f"SELECT {LIST_COLUMNS} FROM outbox {where} ORDER BY id DESC LIMIT ?", [*params, limit]
    )
    return all_rows(cur)


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    cur = db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")
    found = {state: 0 for state in STATES}
    found.update({str(s): int(n) for s, n in cur.fetchall()})
    return found


def pending_count(db: sqlite_utils.Database) -> int:
    """Queued, sending or failed: what the status bar shows (sent and cancelled are done)."""
    row = db.execute(
        "SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending', 'failed')"
    ).fetchone()
    return int(row[0])


def due_ids(db: sqlite_utils.Database, now: str, limit: int) -> list[int]:
    cur = db.execute(
        "SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? "
        "ORDER BY next_attempt_at, id LIMIT ?",
        [now, limit],
    )
    return [int(r[0]) for r in cur.fetchall()]


def claim(db: sqlite_utils.Database, outbox_id: int, lease_id: str, until: str, now: str) -> bool:
    """Take a queued row for sending; False when someone else took (or cancelled) it first."""
    cur = db.execute(
        "UPDATE outbox SET state = 'sending', lease_id = ?, lease_until = ?, attempts = attempts + 1, "
        "data_started_at = NULL, updated_at = ? WHERE id = ? AND state = 'queued'",
        [lease_id, until, now, outbox_id],
    )
    return cur.rowcount == 1


def mark_data_started(db: sqlite_utils.Database, outbox_id: int, lease_id: str, now: str) -> bool:
    cur = db.execute(
        "UPDATE outbox SET data_started_at = ?, updated_at = ? "
        "WHERE id = ? AND state = 'sending' AND lease_id = ?",
        [now, now, outbox_id, lease_id],
    )
    return cur.rowcount == 1


def finish(
    db: sqlite_utils.Database,
    outbox_id: int,
    lease_id: str,
    *,
    state: str,
    now: str,
    error: str = "",
    next_attempt_at: str | None = None,
) -> bool:
    """End an attempt the lease holder made: sent, back to queued (a retry later) or failed."""
    cur = db.execute(
        "UPDATE outbox SET state = ?, last_error = ?, lease_id = NULL, lease_until = NULL, "
        "next_attempt_at = COALESCE(?, next_attempt_at), "
        "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
        "data_started_at = CASE WHEN ? = 'sent' THEN data_started_at ELSE NULL END, "
        "updated_at = ? WHERE id = ? AND state = 'sending' AND lease_id = ?",
        [state, error, next_attempt_at, state, now, state, now, outbox_id, lease_id],
    )
    return cur.rowcount == 1


def sending(db: sqlite_utils.Database) -> list[Row]:
    """Rows some sender holds, to see whether it is still alive (services/outbox_sender.py)."""
    return all_rows(
        db.execute(
            "SELECT id, lease_id, lease_until, data_started_at, customer_id FROM outbox "
            "WHERE state = 'sending'"
        )
    )


def recover(
    db: sqlite_utils.Database, outbox_id: int, lease_id: str | None, *, state: str, error: str,
    now: str,
) -> bool:
    """Take a row from a sender that is gone: only if that sender still holds it."""
    cur = db.execute(
        "UPDATE outbox SET state = ?, last_error = ?, lease_id = NULL, lease_until = NULL, "
        "next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'sending' AND lease_id IS ?",
        [state, error, now, now, outbox_id, lease_id],
    )
    return cur.rowcount == 1


def set_state(
    db: sqlite_utils.Database, outbox_id: int, *, to: str, allowed: Sequence[str], now: str
) -> bool:
    """retry (failed -> queued, now) and cancel (queued/failed -> cancelled)."""
    cur = db.execute(
        f"UPDATE outbox SET state = ?, next_attempt_at = ?, data_started_at = NULL, updated_at = ? "
        f"WHERE id = ? AND state IN ({', '.join('?' for _ in allowed)})",
        [to, now, now, outbox_id, *allowed],
    )
    return cur.rowcount == 1


def for_customer(db: sqlite_utils.Database, customer_id: int) -> list[Row]:
    """Everything queued or sent to a customer (the privacy export): bodies, no attachment bytes."""
    return all_rows(
        db.execute(
            "SELECT id, letter_id, to_address, to_name, subject, text_body, html, attachment_name, "
            "marketing, message_id, state, attempts, last_error, created_at, created_by, sent_at "
            "FROM outbox WHERE customer_id = ? ORDER BY id",
            [customer_id],
        )
    )


def delete_for_customer(db: sqlite_utils.Database, customer_id: int) -> int:
    return db.execute("DELETE FROM outbox WHERE customer_id = ?", [customer_id]).rowcount


def ids_for_customer(db: sqlite_utils.Database, customer_id: int) -> list[int]:
    cur = db.execute("SELECT id FROM outbox WHERE customer_id = ?", [customer_id])
    return [int(r[0]) for r in cur.fetchall()]
