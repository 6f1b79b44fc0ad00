"""One timeline per customer: a UNION ALL of sources, newest first, keyset-paged.

Each source is a SELECT (or a UNION ALL of them) yielding exactly
    (kind TEXT, ref_id INTEGER, customer_id INTEGER, at TEXT, channel TEXT, title TEXT,
     detail TEXT, staff_id INTEGER)
and no ORDER BY. A feature adds its TIMELINE_SQL with `register(name, sql, kinds=...)`, naming
the kinds its rows carry; it should index (customer_id, at) for its rows so its arm stays an
index range scan. (at, kind, ref_id) must be unique within a customer's timeline, or paging can
skip a row that ties with the last one shown.

Paging is by the key (at, kind, ref_id), descending. Every arm gets `at <= :at` (an index range)
plus the exact key test, so page 100 costs what page 1 costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils

from csdesk.store import issues, letters, notes, outbox, visits
from csdesk.store.plans import QueryPlan, query_plan
from csdesk.store.rows import Row, all_rows

COLUMNS = ("kind", "ref_id", "customer_id", "at", "channel", "title", "detail", "staff_id")

SOURCES: dict[str, str] = {}  # source name -> SQL
SOURCE_KINDS: dict[str, tuple[str, ...]] = {}  # source name -> the kinds its rows carry

MAX_PAGE = 500


def register(name: str, sql: str, *, kinds: Sequence[str] | None = None) -> None:
    """Add a source (a feature's TIMELINE_SQL); `kinds` defaults to (name,)."""
    for word in (name, *(kinds or ())):
        if not word.isidentifier():
            raise ValueError(f"timeline kinds are plain words, not {word!r}")
    SOURCES[name] = sql
    SOURCE_KINDS[name] = tuple(kinds or (name,))


def all_kinds() -> list[str]:
    return list(dict.fromkeys(k for kinds in SOURCE_KINDS.values() for k in kinds))


register("visit", visits.TIMELINE_SQL)
register("note", notes.TIMELINE_SQL)
register("issue", issues.TIMELINE_SQL, kinds=("issue", "followup"))
register("letter", letters.TIMELINE_SQL)
register("email", outbox.TIMELINE_SQL, kinds=("email_sent",))


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


def explain(db: sqlite_utils.Database, customer_id: int, **kwargs: Any) -> QueryPlan:
    """The query plan of page(), for tests proving every arm walks an index."""
    built = build_query(customer_id, **kwargs)
    if built is None:
        return QueryPlan(())
    return query_plan(db, *built)


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
    params: dict[str, Any] = {"cid": customer_id, "n": limit}
    if after is not None:
        params.update(at=after[0], kind=after[1], ref=after[2])
    channel_test = ""
    if channels is not None:
        if not channels:
            return None
        params.update({f"ch{i}": channel for i, channel in enumerate(channels)})
        channel_test = f"channel IN ({', '.join(f':ch{i}' for i in range(len(channels)))})"
    arms: list[str] = []
    for name, sql in SOURCES.items():
        own = SOURCE_KINDS[name]
        chosen = [k for k in own if kinds is None or k in kinds]
        if not chosen:
            continue
        where = ["customer_id = :cid"]
        if len(chosen) < len(own):
            marks: list[str] = []
            for k in chosen:
                mark = f"k{len(arms)}_{len(marks)}"
                params[mark] = k
                marks.append(f":{mark}")
            where.append(f"kind IN ({', '.join(marks)})")
        if channel_test:
            where.append(channel_test)
        if after is not None:
            # `at <= :at` is the index range; the rest is the exact key test. With a constant
            # kind SQLite folds the kind comparisons away.
            where.append(
                "at <= :at AND (at < :at OR kind < :kind OR (kind = :kind AND ref_id < :ref))"
            )
        # A one-kind arm sorts as its (customer_id, at) index reads, with no sort step.
        order = "at DESC, ref_id DESC" if len(own) == 1 else "at DESC, kind DESC, ref_id DESC"
        arms.append(
            f"SELECT * FROM (SELECT * FROM ({sql}) AS src WHERE {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT :n) AS arm"
        )
    if not arms:
        return None
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM ({' UNION ALL '.join(arms)}) AS entries "
        "ORDER BY at DESC, kind DESC, ref_id DESC LIMIT :n"
    )
    return sql, params
