"""One timeline per customer: a UNION ALL of sources, newest first, keyset-paged.

Each source is a SELECT yielding exactly
    (kind TEXT, ref_id INTEGER, customer_id INTEGER, at TEXT, channel TEXT, title TEXT,
     detail TEXT, staff_id INTEGER)
with one constant `kind`, and no ORDER BY. A later feature (issues, letters) adds its own
TIMELINE_SQL to SOURCES with `register()`; it should index (customer_id, at) for its rows so its
arm stays an index range scan.

Paging is by the key (at, kind, ref_id), descending. Because `kind` is constant within an arm,
the key comparison reduces per arm to a plain range on (at, ref_id), which the (customer_id, at)
indexes answer directly: page 100 costs what page 1 costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils

from csdesk.store import notes, visits
from csdesk.store.rows import Row, all_rows

COLUMNS = ("kind", "ref_id", "customer_id", "at", "channel", "title", "detail", "staff_id")

SOURCES: dict[str, str] = {
    "visit": visits.TIMELINE_SQL,
    "note": notes.TIMELINE_SQL,
}

MAX_PAGE = 500


def register(kind: str, sql: str) -> None:
    """Add a source (a later feature's TIMELINE_SQL); its `kind` literal must equal `kind`."""
    if not kind.isidentifier():
        raise ValueError(f"timeline kind must be a plain word, not {kind!r}")
    SOURCES[kind] = sql


Cursor = tuple[str, str, int]  # (at, kind, ref_id) of the last row already shown


def page(
    db: sqlite_utils.Database,
    customer_id: int,
    *,
    kinds: Sequence[str] | None = None,
    channels: Sequence[str] | None = None,
    after: Cursor | None = None,
    limit: int = 50,
) -> list[Row]:
    """Up to `limit` entries older than `after` (or the newest), newest first."""
    built = build_query(customer_id, kinds=kinds, channels=channels, after=after, limit=limit)
    if built is None:
        return []
    return all_rows(db.execute(*built))


def explain(db: sqlite_utils.Database, customer_id: int, **kwargs: Any) -> list[str]:
    """The query plan of page(), for tests proving every arm walks an index."""
    built = build_query(customer_id, **kwargs)
    if built is None:
        return []
    plan = db.execute("EXPLAIN QUERY PLAN " + built[0], built[1])
    return [str(r[3]) for r in plan.fetchall()]


def build_query(
    customer_id: int,
    *,
    kinds: Sequence[str] | None = None,
    channels: Sequence[str] | None = None,
    after: Cursor | None = None,
    limit: int = 50,
) -> tuple[str, dict[str, Any]] | None:
    """The SQL and parameters of one page; None when the filters exclude everything."""
    limit = max(1, min(limit, MAX_PAGE))
    wanted = [k for k in SOURCES if kinds is None or k in kinds]
    params: dict[str, Any] = {"cid": customer_id, "n": limit}
    if after is not None:
        params.update(at=after[0], ref=after[2])
    channel_test = ""
    if channels is not None:
        if not channels:
            return None
        params.update({f"ch{i}": channel for i, channel in enumerate(channels)})
        channel_test = f"channel IN ({', '.join(f':ch{i}' for i in range(len(channels)))})"
    arms: list[str] = []
    for kind in wanted:
        where = ["customer_id = :cid"]
        if channel_test:
            where.append(channel_test)
        if after is not None:
            if kind < after[1]:
                where.append("at <= :at")
            elif kind == after[1]:
                where.append("at <= :at AND (at < :at OR ref_id < :ref)")
            else:
                where.append("at < :at")
        arms.append(
            f"SELECT * FROM (SELECT * FROM ({SOURCES[kind]}) WHERE {' AND '.join(where)} "
            "ORDER BY at DESC, ref_id DESC LIMIT :n)"
        )
    if not arms:
        return None
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM ({' UNION ALL '.join(arms)}) "
        "ORDER BY at DESC, kind DESC, ref_id DESC LIMIT :n"
    )
    return sql, params
