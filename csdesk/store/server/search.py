"""The search index's queries on PostgreSQL: the same functions, by the same names, as the
SQLite ones services.search calls (store/search_index.py picks the set for a connection).

The index (store/server/schema.py): customers.search_vector and notes.body_vector, tsvectors of
the Python-folded tokens with GIN indexes, in place of customers_fts and notes_fts; btree
ranges on COLLATE "C" columns for phones and e-mail, as on the file. Nothing here is a LIKE scan.

Statements that are plain SQL on both engines are not written here again: they are imported
from store/customers.py and store/notes.py and run through the dialect layer (sql.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from csdesk.store.customers import (  # plain SQL on both engines
    OVERSCAN,
    emails_for,
    first_customers,
    ids_by_e164,
    ids_by_e164_prefix,
    list_rows,
    most_recent_of,
    phone_customer_ids,
    phones_for,
    recent,
)
from csdesk.store.notes import bodies as note_bodies
from csdesk.store.notes import one_per_customer

__all__ = [
    "emails_for", "fts_ids", "ids_by_e164", "ids_by_e164_prefix", "ids_by_email_prefix",
    "ids_by_exact_name", "list_rows", "most_recent_of", "note_bodies", "note_matches",
    "phone_customer_ids", "phones_for", "recency_cutoff", "recent", "recent_matching", "tsquery",
]

Db = Any  # a store.server.sql.PgDatabase; Any, so both engines' functions share one signature

# The FTS5 expressions services.search.fts_query builds: quoted phrases, each maybe with `*`.
_PHRASE = re.compile(r'"((?:[^"]|"")*)"(\*?)')


def tsquery(match: str) -> str:
    """The FTS5 expression of services.search as a tsquery: '"garcia mar"* "jo"*' becomes
    "'garcia' <-> 'mar':* & 'jo':*". Lexemes are quoted (quotes and backslashes escaped), so
    user text never reaches the tsquery parser as operators."""
    phrases = []
    for body, star in _PHRASE.findall(match):
        words = body.replace('""', '"').split()
        if not words:
            continue
        lexemes = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words]
        if star:
            lexemes[-1] += ":*"
        phrases.append(" <-> ".join(lexemes))
    return " & ".join(f"({p})" for p in phrases)


def fts_ids(db: Db, match: str, limit: int) -> list[int]:
    """Customers whose names or e-mail words match (a GIN index scan of search_vector)."""
    query = tsquery(match)
    if not query:
        return []
    cur = db.execute("SELECT id FROM customers WHERE search_vector @@ ?::tsquery LIMIT ?", [query, limit])
    return [r[0] for r in cur.fetchall()]


def recency_cutoff(db: Db, depth: int) -> str | None:
    found = db.execute(
        "SELECT last_seen_at FROM customers ORDER BY last_seen_at DESC, id DESC LIMIT 1 OFFSET ?", [depth]
    ).fetchone()
    return None if found is None else str(found[0])


def recent_matching(
    db: Db, needles: Sequence[str], *, column: str = "search_norm", since: str | None, limit: int
) -> list[int]:
    """As on the file: a bounded walk of the recency index (it INCLUDEs the name columns)."""
    if column not in ("search_norm", "exact_keys"):
        raise ValueError(column)
    conditions = " AND ".join(f"strpos({column}, ?) > 0" for _ in needles)
    cur = db.execute(
        f"SELECT id FROM customers WHERE last_seen_at >= ? AND {conditions} "
        "ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [since or "", *needles, limit],
    )
    return [r[0] for r in cur.fetchall()]


def ids_by_email_prefix(db: Db, prefix: str, limit: int) -> list[int]:
    """A btree range over customer_emails.email_norm (COLLATE "C": code point order, as SQLite)."""
    if not prefix:
        return []
    cur = db.execute(
        "SELECT customer_id FROM customer_emails WHERE email_norm >= ? AND email_norm < ? "
        "ORDER BY email_norm, id LIMIT ?",
        [prefix, prefix + "\U0010ffff", limit * OVERSCAN],
    )
    return first_customers(cur, limit)


def ids_by_exact_name(db: Db, fts_phrase: str, key: str, cap: int) -> tuple[list[int], bool]:
    candidates = fts_ids(db, fts_phrase, cap)
    if not candidates:
        return [], False
    cur = db.execute(
        "SELECT id FROM customers WHERE id = ANY(?) AND strpos(exact_keys, ?) > 0",
        [candidates, "|" + key + "|"],
    )
    return [r[0] for r in cur.fetchall()], len(candidates) >= cap


def note_matches(db: Db, match: str, limit: int) -> dict[int, int]:
    """{customer_id: note_id} of live notes matching (a GIN index scan of body_vector)."""
    query = tsquery(match)
    if not query:
        return {}
    cur = db.execute(
        "SELECT customer_id, id FROM notes WHERE body_vector @@ ?::tsquery AND deleted_at IS NULL LIMIT ?",
        [query, limit * 3],
    )
    return one_per_customer(cur.fetchall(), limit)
