"""The search index's queries, per engine, in one place: services.search asks `queries(db)`
for the set that fits its connection and never asks which engine it is.

SQLite: FTS5 (customers_fts, notes_fts, phones_fts) and btree ranges, in store/search.py.
PostgreSQL: tsvector GIN indexes and the same btree ranges, in store/server/search.py.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any


def queries(db: Any) -> ModuleType:
    if getattr(db, "engine", "sqlite") == "postgresql":
        from csdesk.store.server import search as on_server

        return on_server
    from csdesk.store import search as on_file

    return on_file
