"""Everything held about one customer, and removing it (erasure); what the engine keeps of the
old rows afterwards is store/erase_traces' job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from csdesk.store import audit, erase_traces
from csdesk.store.erase_traces import forget_search_words
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


@dataclass(frozen=True)
class Erased:
    counts: dict[str, Any]  # what was removed or anonymised, for the audit row and the result
    tables: tuple[str, ...]  # the tables whose rows changed: what the scrub has to rewrite


def erase(
    db: sqlite_utils.Database, customer_id: int, now: str, targets: list[tuple[str, int]]
) -> Erased:
    """Remove the customer's personal data; visits stay as anonymous statistics.

    Runs inside the caller's transaction; the same statements on both engines. What the engine
    still keeps of the old rows (FTS segments, free pages, dead tuples, index pages) is
    store.erase_traces' job: forget_search_words here, scrub() after the commit.
    """
    touched: dict[str, None] = {}  # in order, no repeats

    def run(table: str, sql: str, params: list[Any]) -> int:
        count = int(db.execute(sql, params).rowcount)
        if count:
            touched[table] = None
        return count

    redacted = audit.redact(db, targets)
    if redacted:
        touched["audit"] = None
    if targets:  # the redaction tickets, opened and closed within this transaction
        touched["audit_redaction_open"] = None
    anonymised = run(
        "visits",
        "UPDATE visits SET customer_id = NULL, purpose = '', outcome = '', anonymised_at = ? "
        "WHERE customer_id = ?",
        [now, customer_id],
    )
    notes_removed = run("notes", "DELETE FROM notes WHERE customer_id = ?", [customer_id])
    # Issues stay as statistics (category, priority, times, goodwill amounts) without a
    # customer or any free text; follow-ups and letters are personal through and through.
    run(
        "issue_events",
        "UPDATE issue_events SET comment = '', customer_id = NULL WHERE customer_id = ?",
        [customer_id],
    )
    issues_anonymised = run(
        "issues",
        "UPDATE issues SET customer_id = NULL, title = 'Erased customer', description = '', "
        "resolution = '' WHERE customer_id = ?",
        [customer_id],
    )
    followups_removed = run(
        "followups", "DELETE FROM followups WHERE customer_id = ?", [customer_id]
    )
    # Its e-mail too, queued or sent: a queued one must never go out to an erased customer,
    # and the outbox row refers to the letter.
    emails_unsent = run(
        "outbox", "DELETE FROM outbox WHERE customer_id = ? AND state != 'sent'", [customer_id]
    )
    emails_sent_removed = run("outbox", "DELETE FROM outbox WHERE customer_id = ?", [customer_id])
    letters_removed = run("letters", "DELETE FROM letters WHERE customer_id = ?", [customer_id])
    phones_removed = run(
        "customer_phones", "DELETE FROM customer_phones WHERE customer_id = ?", [customer_id]
    )
    emails_removed = run(
        "customer_emails", "DELETE FROM customer_emails WHERE customer_id = ?", [customer_id]
    )
    # An import's undo snapshot holds the customer's earlier details: it goes too.
    run("import_items", "DELETE FROM import_items WHERE customer_id = ?", [customer_id])
    # On the file the delete trigger tells the search index to forget the customer's words.
    run("customers", "DELETE FROM customers WHERE id = ?", [customer_id])
    forget_search_words(db)
    counts = {
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
    return Erased(counts, tuple(touched))


def scrub_file(db: sqlite_utils.Database) -> bool:
    """Rewrite the file without free pages and empty the WAL; False if that did not happen."""
    return not erase_traces.scrub_file(db)


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
