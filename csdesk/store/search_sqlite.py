"""The search index's queries on the SQLite file, under the names store/search_index.py gives
both engines (the statements themselves live with their tables, in customers.py and notes.py)."""

from __future__ import annotations

from csdesk.store.customers import (
    emails_for,
    fts_ids,
    ids_by_e164,
    ids_by_e164_prefix,
    ids_by_email_prefix,
    ids_by_exact_name,
    list_rows,
    most_recent_of,
    phone_customer_ids,
    phones_for,
    recency_cutoff,
    recent,
    recent_matching,
)
from csdesk.store.notes import bodies as note_bodies
from csdesk.store.notes import search as note_matches

__all__ = [
    "emails_for", "fts_ids", "ids_by_e164", "ids_by_e164_prefix", "ids_by_email_prefix",
    "ids_by_exact_name", "list_rows", "most_recent_of", "note_bodies", "note_matches",
    "phone_customer_ids", "phones_for", "recency_cutoff", "recent", "recent_matching",
]
