"""The audit trail: one row per write, inside the write's own transaction."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def record(
    db: sqlite_utils.Database,
    *,
    at: str,
    staff_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any = None,
    after: Any = None,
    source: str = "app",
) -> None:
    db.execute(
        "INSERT INTO audit (at, staff_id, action, entity, entity_id, before, after, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            at,
            staff_id,
            action,
            entity,
            entity_id,
            None if before is None else json.dumps(before, ensure_ascii=False, default=str),
            None if after is None else json.dumps(after, ensure_ascii=False, default=str),
            source,
        ],
    )


def record_many(
    db: sqlite_utils.Database,
    rows: list[tuple[str, int | None, str, str, int | None, Any, Any, str]],
) -> None:
    """Many audit rows at once (imports): (at, staff_id, action, entity, entity_id, before, after,
    source)."""

    def dump(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str)

    db.conn.executemany(
        "INSERT INTO audit (at, staff_id, action, entity, entity_id, before, after, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (at, sid, act, ent, eid, dump(b), dump(a), src)
            for at, sid, act, ent, eid, b, a, src in rows
        ],
    )
