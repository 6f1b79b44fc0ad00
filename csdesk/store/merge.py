"""Merging two customers and finding likely duplicates: the SQL side.

REASSIGN is a registry: every table that points at a customer adds its (table, column) here
(features call `register()` from their store module), so a merge moves their rows too. Tables
that do not exist yet in this database are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from csdesk.store.dialect import column_names, joined_ids, table_names
from csdesk.store.rows import Row, all_rows, nameless_phone

REASSIGN: list[tuple[str, str]] = [
    ("visits", "customer_id"),
    ("notes", "customer_id"),
    ("issues", "customer_id"),
    ("issue_events", "customer_id"),
    ("followups", "customer_id"),
    ("letters", "customer_id"),
]


def register(table: str, column: str = "customer_id") -> None:
    if (table, column) not in REASSIGN:
        REASSIGN.append((table, column))


def _existing_tables(db: sqlite_utils.Database) -> set[str]:
    return table_names(db)


def reassign(db: sqlite_utils.Database, from_id: int, to_id: int) -> dict[str, int]:
    """Point every registered row of `from_id` at `to_id`; returns rows moved per table."""
    tables = _existing_tables(db)
    moved: dict[str, int] = {}
    for table, column in REASSIGN:
        if table not in tables:
            continue
        columns = column_names(db, table)
        if column not in columns:
            continue
        cur = db.execute(
            f'UPDATE "{table}" SET "{column}" = ? WHERE "{column}" = ?', [to_id, from_id]
        )
        moved[table] = cur.rowcount
    return moved


def recount(db: sqlite_utils.Database, customer_id: int) -> None:
    """visit_count and last_visit_at from the visits themselves."""
    db.execute(
        "UPDATE customers SET "
        "visit_count = (SELECT count(*) FROM visits WHERE customer_id = ? AND deleted_at IS NULL),"
        " last_visit_at = (SELECT max(at) FROM visits WHERE customer_id = ? AND deleted_at IS NULL)"
        " WHERE id = ?",
        [customer_id, customer_id, customer_id],
    )


def delete_customer(db: sqlite_utils.Database, customer_id: int) -> None:
    db.execute("DELETE FROM customers WHERE id = ?", [customer_id])


# -- likely duplicates: each query is a GROUP BY over an index, capped by `limit` --------------
def same_phone_groups(db: sqlite_utils.Database, limit: int) -> list[tuple[str, list[int]]]:
    cur = db.execute(
        f"SELECT e164, {joined_ids(db, 'customer_id')} FROM customer_phones "
        "WHERE e164 IS NOT NULL AND e164 != '' GROUP BY e164 "
        "HAVING count(DISTINCT customer_id) > 1 LIMIT ?",
        [limit],
    )
    return [(key, [int(i) for i in ids.split(",")]) for key, ids in cur.fetchall()]


def same_email_groups(db: sqlite_utils.Database, limit: int) -> list[tuple[str, list[int]]]:
    cur = db.execute(
        f"SELECT email_norm, {joined_ids(db, 'customer_id')} FROM customer_emails "
        "GROUP BY email_norm HAVING count(DISTINCT customer_id) > 1 LIMIT ?",
        [limit],
    )
    return [(key, [int(i) for i in ids.split(",")]) for key, ids in cur.fetchall()]


def name_rows(db: sqlite_utils.Database, limit: int) -> list[Row]:
    """Names of the most recently seen customers, for the close-name comparison in services."""
    cur = db.execute(
        "SELECT id, first_name, last_name FROM customers WHERE last_name != '' "
        "ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [limit],
    )
    return all_rows(cur)


def brief_rows(db: sqlite_utils.Database, ids: Sequence[int]) -> list[Row]:
    if not ids:
        return []
    cur = db.execute(
        "SELECT c.id, c.first_name, c.last_name, c.preferred_name, c.company, c.email, "
        f"c.visit_count, {nameless_phone('c')} AS name_phone FROM customers c "
        f"WHERE c.id IN ({', '.join('?' for _ in ids)})",
        list(ids),
    )
    return all_rows(cur)
