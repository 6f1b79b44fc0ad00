"""The change log other counters follow, and who has what open (presence).

Every audited write also records one `changes` row in its own transaction (store.audit.record calls
`record` here), so a write that rolls back leaves no row and tells nobody. A window notices that the
file changed through `PRAGMA data_version` (a counter SQLite bumps when *another* connection
commits; reading it costs microseconds), then reads the rows after the last id it saw. On
PostgreSQL the same row's id goes out as a NOTIFY in the same transaction (dialect.announce_change),
so a LISTENing window is told at COMMIT and nobody hears of a write that rolled back.

Rows hold ids only, never a customer's words, so erasure has nothing to blank here; old rows are
pruned as new ones arrive, keeping the table small.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlite_utils

from csdesk.store import dialect
from csdesk.store.rows import Row, all_rows

KEEP = 5000  # rows kept: a window asleep for longer than this many writes reloads everything
PRUNE_EVERY = 200

# entity -> (table, column) that tells which customer a row belongs to, when the audit row's
# before/after does not say (a deletion, an issue comment)
_OWNER = {
    "visit": ("visits", "customer_id"),
    "note": ("notes", "customer_id"),
    "issue": ("issues", "customer_id"),
    "issue_event": ("issue_events", "customer_id"),
    "followup": ("followups", "customer_id"),
    "letter": ("letters", "customer_id"),
}

# Audit rows that record a read or a refusal: nothing on anybody's screen changed.
_NOT_CHANGES = frozenset({"denied", "export", "backup", "check", "verify", "print_preview"})


def _customer_of(
    db: sqlite_utils.Database, entity: str, entity_id: int | None, before: Any, after: Any
) -> int | None:
    if entity == "customer":
        return entity_id
    for side in (after, before):
        if isinstance(side, dict) and isinstance(side.get("customer_id"), int):
            return int(side["customer_id"])
    owner = _OWNER.get(entity)
    if owner is None or entity_id is None:
        return None
    table, column = owner
    found = db.execute(f"SELECT {column} FROM {table} WHERE id = ?", [entity_id]).fetchone()
    return None if found is None or found[0] is None else int(found[0])


def record(
    db: sqlite_utils.Database,
    *,
    at: str,
    entity: str,
    entity_id: int | None,
    action: str,
    staff_id: int | None,
    computer: str,
    session: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """One row for one audited write; call inside the write's transaction."""
    if action in _NOT_CHANGES:
        return
    detail: str | None = None
    if entity == "setting" and isinstance(after, dict):
        detail = json.dumps(sorted(after))  # which keys: the setting names, never values
    # RETURNING also the write's transaction id on a server (dialect.transaction_id): if the
    # COMMIT's answer is lost, that id tells afterwards whether it committed (no extra trip).
    cur = db.execute(
        "INSERT INTO changes (at, entity, entity_id, action, customer_id, staff_id, computer, "
        "session, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, "
        + dialect.transaction_id(db),
        [at, entity, entity_id, action, _customer_of(db, entity, entity_id, before, after),
         staff_id, computer, session, detail],
    )
    returned = cur.fetchall()[0]  # read to its end: SQLite's statement done before COMMIT
    new_id = int(returned[0])
    dialect.note_transaction(db, returned[1], entity, entity_id)
    dialect.announce_change(db, new_id)  # PostgreSQL: NOTIFY, delivered only if this commits
    if new_id % PRUNE_EVERY == 0:
        db.execute("DELETE FROM changes WHERE id <= ?", [new_id - KEEP])


def data_version(db: sqlite_utils.Database) -> int:
    """Bumped by SQLite whenever another connection committed to this file since the last look."""
    return int(db.execute(dialect.data_version(db)).fetchone()[0])


def listen(db: sqlite_utils.Database, heard: Callable[[str], None]) -> Any:
    """Be told when another connection commits a change (store.server.listen on PostgreSQL);
    None on the file, whose windows poll data_version."""
    return dialect.change_listener(db, heard)


def last_id(db: sqlite_utils.Database) -> int:
    found = db.execute("SELECT max(id) FROM changes").fetchone()
    return int(found[0] or 0)


def first_id(db: sqlite_utils.Database) -> int | None:
    found = db.execute("SELECT min(id) FROM changes").fetchone()
    return None if found[0] is None else int(found[0])


def since(db: sqlite_utils.Database, after_id: int, limit: int = 500) -> list[Row]:
    return all_rows(
        db.execute(
            "SELECT c.id, c.at, c.entity, c.entity_id, c.action, c.customer_id, c.staff_id, "
            "coalesce(s.name, '') AS staff_name, c.computer, c.session, c.detail "
            "FROM changes c LEFT JOIN staff s ON s.id = c.staff_id WHERE c.id > ? ORDER BY c.id "
            "LIMIT ?",
            [after_id, limit],
        )
    )


# -- presence ---------------------------------------------------------------------------------
def beat(
    db: sqlite_utils.Database,
    *,
    session: str,
    staff_id: int | None,
    computer: str,
    customer_id: int | None,
    on_call: bool,
    at: str,
) -> None:
    """This window is alive and shows `customer_id` (or nothing); one small upsert."""
    db.execute(
        "INSERT INTO presence (session, staff_id, computer, customer_id, on_call, seen_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(session) DO UPDATE SET staff_id = excluded.staff_id, "
        "computer = excluded.computer, customer_id = excluded.customer_id, "
        "on_call = excluded.on_call, seen_at = excluded.seen_at",
        [session, staff_id, computer, customer_id, int(on_call), at],
    )


def leave(db: sqlite_utils.Database, session: str) -> None:
    db.execute("DELETE FROM presence WHERE session = ?", [session])


def expire(db: sqlite_utils.Database, before: str) -> None:
    db.execute("DELETE FROM presence WHERE seen_at < ?", [before])


def others(db: sqlite_utils.Database, *, session: str, since_at: str) -> list[Row]:
    """The other live windows (seen since `since_at`), with the names of who works at them."""
    return all_rows(
        db.execute(
            "SELECT p.session, p.staff_id, coalesce(s.name, '') AS staff_name, p.computer, "
            "p.customer_id, p.on_call, p.seen_at FROM presence p "
            "LEFT JOIN staff s ON s.id = p.staff_id "
            "WHERE p.session != ? AND p.seen_at >= ? ORDER BY p.computer, p.session",
            [session, since_at],
        )
    )
