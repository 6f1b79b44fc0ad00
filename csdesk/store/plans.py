"""What a statement's query plan says about index use, on either engine, for the tests that
guard it (the timeline, the daily log, the queues, the insight lists must never read a whole
table or sort one).

The two engines print different plans, but the facts the tests ask about read off either:
SQLite's EXPLAIN QUERY PLAN says `SEARCH t USING INDEX i`, `SCAN t` and `USE TEMP B-TREE FOR
ORDER BY`; PostgreSQL's EXPLAIN says `Index Scan using i on t`, `Seq Scan on t` and `Sort`. A
test database is tiny, and PostgreSQL's planner would rightly read a three-row table whole;
with sequential scans and sorts priced out (SET LOCAL, this statement's transaction only) it
shows what its indexes can do, and still scans or sorts where no index serves the query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from csdesk.store.dialect import is_server_db

_WHOLE = (
    re.compile(r"^SCAN (\w+)(?: AS \w+)?(?: USING (?:COVERING )?INDEX \w+)?$"),  # SQLite
    re.compile(r"Seq Scan on (\w+)"),  # PostgreSQL
)
_SORT = re.compile(r"USE TEMP B-TREE FOR (?:ORDER BY|RIGHT PART OF ORDER BY)|^(?:Incremental )?Sort\b")


@dataclass(frozen=True)
class QueryPlan:
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " | ".join(self.lines)

    def uses(self, index: str) -> bool:
        """Does any step read through the index named `index`?"""
        word = re.compile(rf"\b{re.escape(index)}\b")
        return any(word.search(line) for line in self.lines if "INDEX" in line.upper())

    def whole_tables(self) -> list[str]:
        """The tables (or subqueries) read from end to end: a table scan, or on SQLite a walk of
        a whole index with no condition on it. (A LIMITed walk of an index in its order, as the
        queues do, is one too: those tests ask `uses` and `sorts` instead.)"""
        found: list[str] = []
        for line in self.lines:
            for pattern in _WHOLE:
                match = pattern.search(line)
                if match:
                    found.append(match[1])
        return found

    @property
    def sorts(self) -> bool:
        """Are the rows sorted after they are read (no index gives their order)?"""
        return any(_SORT.search(line) for line in self.lines)


def query_plan(
    db: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> QueryPlan:
    if not is_server_db(db):
        rows = db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        return QueryPlan(tuple(str(r[3]) for r in rows))
    with db.write():  # SET LOCAL lasts until this transaction ends; nothing is written
        db.execute("SET LOCAL enable_seqscan = off")
        db.execute("SET LOCAL enable_sort = off")
        rows = db.execute(f"EXPLAIN {sql}", params).fetchall()
    return QueryPlan(tuple(str(r[0]).strip().removeprefix("->").strip() for r in rows))
