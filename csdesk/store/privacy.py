"""Everything held about one customer, and removing it (erasure) down to the file's free pages."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from csdesk.store import audit
from csdesk.store.backup import fts_tables
from csdesk.store.rows import Row, all_rows, one_row


def customer_row(db: sqlite_utils.Database, customer_id: int) -> Row | None:
    return one_row(db.execute("SELECT * FROM customers WHERE id = ?", [customer_id]))


def phones(db: sqlite_utils.Database, customer_id: int) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT id, position, label, raw, e164 FROM customer_phones WHERE customer_id = ? "
            "ORDER BY position",
            [customer_id],
        )
    )


def emails(db: sqlite_utils.Database, customer_id: int) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT id, position, label, address FROM customer_emails WHERE customer_id = ? "
            "ORDER BY position",
            [customer_id],
        )
    )


def visits(db: sqlite_utils.Database, customer_id: int) -> list[Row]:
    """All visits, including ones marked deleted: an export must show everything still held."""
    return all_rows(
        db.execute(
            "SELECT id, at, channel, purpose, outcome, staff_id, duration_s, satisfaction, "
            "direction, created_at, updated_at, deleted_at FROM visits WHERE customer_id = ? "
            "ORDER BY at, id",
            [customer_id],
        )
    )


def notes(db: sqlite_utils.Database, customer_id: int) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT id, body, kind, pinned, read_before_serving, expires_on, created_at, "
            "updated_at, deleted_at FROM notes WHERE customer_id = ? ORDER BY created_at, id",
            [customer_id],
        )
    )


def audit_rows(db: sqlite_utils.Database, targets: list[tuple[str, int]]) -> list[Row]:
    rows: list[Row] = []
    for entity, entity_id in targets:
        rows.extend(
            all_rows(
                db.execute(
                    "SELECT id, at, staff_id, action, entity, entity_id, before, after, source "
                    "FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id",
                    [entity, entity_id],
                )
            )
        )
    return sorted(rows, key=lambda r: r["id"])


def related_ids(db: sqlite_utils.Database, customer_id: int) -> list[tuple[str, int]]:
    """(entity, id) of the customer's issues, follow-ups and letters, for audit redaction."""
    found: list[tuple[str, int]] = []
    for entity, table in (
        ("issue", "issues"),
        ("issue_event", "issue_events"),
        ("followup", "followups"),
        ("letter", "letters"),
        ("email", "outbox"),
    ):
        cur = db.execute(f"SELECT id FROM {table} WHERE customer_id = ?", [customer_id])
        found.extend((entity, int(r[0])) for r in cur.fetchall())
    cur = db.execute(
        "SELECT g.id FROM goodwill g JOIN issues i ON i.id = g.issue_id WHERE i.customer_id = ?",
        [customer_id],
    )
    found.extend(("goodwill", int(r[0])) for r in cur.fetchall())
    return found


def erase(
    db: sqlite_utils.Database, customer_id: int, now: str, targets: list[tuple[str, int]]
) -> dict[str, Any]:
    """Remove the customer's personal data; visits stay as anonymous statistics.

    Runs inside the caller's transaction. secure_delete (set by open_db) zeroes the freed cells.
    """
    redacted = audit.redact(db, targets)
    anonymised = db.execute(
        "UPDATE visits SET customer_id = NULL, purpose = '', outcome = '', anonymised_at = ? "
        "WHERE customer_id = ?",
        [now, customer_id],
    ).rowcount
    notes_removed = db.execute("DELETE FROM notes WHERE customer_id = ?", [customer_id]).rowcount
    # Issues stay as statistics (category, priority, times, goodwill amounts) without a
    # customer or any free text; follow-ups and letters are personal through and through.
    db.execute(
        "UPDATE issue_events SET comment = '', customer_id = NULL WHERE customer_id = ?",
        [customer_id],
    )
    issues_anonymised = db.execute(
        "UPDATE issues SET customer_id = NULL, title = 'Erased customer', description = '', "
        "resolution = '' WHERE customer_id = ?",
        [customer_id],
    ).rowcount
    followups_removed = db.execute(
        "DELETE FROM followups WHERE customer_id = ?", [customer_id]
    ).rowcount
    # Its e-mail too, queued or sent: a queued one must never go out to an erased customer,
    # and the outbox row refers to the letter.
    emails_unsent = db.execute(
        "DELETE FROM outbox WHERE customer_id = ? AND state != 'sent'", [customer_id]
    ).rowcount
    emails_sent_removed = db.execute(
        "DELETE FROM outbox WHERE customer_id = ?", [customer_id]
    ).rowcount
    letters_removed = db.execute("DELETE FROM letters WHERE customer_id = ?", [customer_id]).rowcount
    phones_removed = db.execute(
        "DELETE FROM customer_phones WHERE customer_id = ?", [customer_id]
    ).rowcount
    emails_removed = db.execute(
        "DELETE FROM customer_emails WHERE customer_id = ?", [customer_id]
    ).rowcount
    # An import's undo snapshot holds the customer's earlier details: it goes too.
    db.execute("DELETE FROM import_items WHERE customer_id = ?", [customer_id])
    # The delete trigger tells the search index to forget the customer's words.
    db.execute("DELETE FROM customers WHERE id = ?", [customer_id])
    # FTS5 keeps deleted tokens in old segments until they are merged: merge every index now
    # (all of them, so a notes or issues index added later is covered too).
    for table in fts_tables(db.conn):
        db.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'optimize\')')
    return {
        "visits_anonymised": anonymised,
        "notes_removed": notes_removed,
        "phones_removed": phones_removed,
        "emails_removed": emails_removed,
        "issues_anonymised": issues_anonymised,
        "followups_removed": followups_removed,
        "letters_removed": letters_removed,
        "queued_emails_removed": emails_unsent,
        "sent_emails_removed": emails_sent_removed,
        "audit_rows_redacted": redacted,
    }


def scrub_file(db: sqlite_utils.Database) -> bool:
    """Rewrite the file without free pages and empty the WAL; False if that did not happen."""
    return not scrub_problem(db)


def scrub_problem(db: sqlite_utils.Database) -> str:
    """Rewrite the file without free pages and empty the WAL. '' when done; 'busy' when another
    program kept the WAL busy; 'no_space' / 'write_failed' when the disk refused the rewrite.

    Must run outside any transaction (VACUUM cannot run inside one). What was erased is
    committed either way; the caller may try again.
    """
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


def outbox_rows(db: sqlite_utils.Database, customer_id: int) -> list[Row]:
    """The customer's e-mail as queued or sent (bodies included, attachment bytes not)."""
    from csdesk.store import outbox

    return outbox.for_customer(db, customer_id)


def set_consent(
    db: sqlite_utils.Database, customer_id: int, consent: bool, now: str, staff_id: int
) -> None:
    db.execute(
        "UPDATE customers SET marketing_consent = ?, marketing_consent_at = ?, updated_at = ?, "
        "updated_by = ? WHERE id = ?",
        [int(consent), now, now, staff_id, customer_id],
    )
