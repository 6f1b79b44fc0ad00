"""The audit trail: one row per write, inside the write's own transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import sqlite_utils

from csdesk.store import changes
from csdesk.store.db import execute_many, identity, read_only_reason
from csdesk.store.rows import Row, all_rows


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
    if read_only_reason(db) is not None:
        # Only reads get this far on a read-only database (a backup, an export): any real write in
        # the same transaction fails at its own statement. There is nowhere to record the read.
        return
    session, computer = identity(db)
    db.execute(
        "INSERT INTO audit (at, staff_id, action, entity, entity_id, before, after, source, "
        "computer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            at,
            staff_id,
            action,
            entity,
            entity_id,
            None if before is None else json.dumps(before, ensure_ascii=False, default=str),
            None if after is None else json.dumps(after, ensure_ascii=False, default=str),
            source,
            computer,
        ],
    )
    # the other counters hear of it from the same transaction: a rollback tells nobody
    changes.record(db, at=at, entity=entity, entity_id=entity_id, action=action,
                   staff_id=staff_id, computer=computer, session=session, before=before,
                   after=after)


# json.dumps with options builds a new encoder per call; an import writes 100,000 rows here.
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


def record_many(
    db: sqlite_utils.Database,
    rows: list[tuple[str, int | None, str, str, int | None, Any, Any, str]],
) -> None:
    """Many audit rows at once (imports): (at, staff_id, action, entity, entity_id, before, after,
    source)."""

    def dump(value: Any) -> str | None:
        return None if value is None else _ENCODE(value)

    session, computer = identity(db)
    execute_many(db,
        "INSERT INTO audit (at, staff_id, action, entity, entity_id, before, after, source, "
        "computer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (at, sid, act, ent, eid, dump(b), dump(a), src, computer)
            for at, sid, act, ent, eid, b, a, src in rows
        ],
    )
    if rows:  # one change row for the whole batch: the other windows reload customers once
        at, sid, act, ent, _eid, _b, _a, _src = rows[-1]
        changes.record(db, at=at, entity="customer" if ent == "customer" else ent,
                       entity_id=None, action=act, staff_id=sid, computer=computer,
                       session=session)


AUDIT_COLUMNS = (
    "a.id, a.at, a.staff_id, s.name AS staff_name, a.action, a.entity, a.entity_id, "
    "a.before, a.after, a.source, a.computer"
)


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """Only known filter keys become SQL, always with values as parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    for key, sql in (
        ("staff_id", "a.staff_id = ?"),
        ("action", "a.action = ?"),
        ("entity", "a.entity = ?"),
        ("entity_id", "a.entity_id = ?"),
        ("source", "a.source = ?"),
        ("since", "a.at >= ?"),
        ("until", "a.at < ?"),
    ):
        if filters.get(key) is not None:
            clauses.append(sql)
            params.append(filters[key])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def query(
    db: sqlite_utils.Database, filters: dict[str, Any], *, limit: int, offset: int
) -> list[Row]:
    where, params = _where(filters)
    cur = db.execute(
        f"SELECT {AUDIT_COLUMNS} FROM audit a LEFT JOIN staff s ON s.id = a.staff_id{where} "
        "ORDER BY a.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return all_rows(cur)


def count(db: sqlite_utils.Database, filters: dict[str, Any]) -> int:
    where, params = _where(filters)
    return int(db.execute(f"SELECT count(*) FROM audit a{where}", params).fetchone()[0])


def iter_all(db: sqlite_utils.Database, filters: dict[str, Any]) -> Iterator[Row]:
    """Oldest first, streamed: an export of a years-long log never sits in memory at once."""
    where, params = _where(filters)
    cur = db.execute(
        f"SELECT {AUDIT_COLUMNS} FROM audit a LEFT JOIN staff s ON s.id = a.staff_id{where} "
        "ORDER BY a.id",
        params,
    )
    names = [d[0] for d in cur.description]
    for values in cur:
        yield dict(zip(names, values, strict=True))


def entities_mentioning(db: sqlite_utils.Database, needles: list[str]) -> list[tuple[str, int]]:
    """(entity, entity_id) of audit rows whose before/after text contains any needle."""
    found: set[tuple[str, int]] = set()
    for needle in needles:
        if not needle:
            continue
        cur = db.execute(
            "SELECT DISTINCT entity, entity_id FROM audit WHERE entity_id IS NOT NULL AND "
            "(instr(before, ?) > 0 OR instr(after, ?) > 0)",
            [needle, needle],
        )
        found.update((r[0], r[1]) for r in cur.fetchall())
    return sorted(found)


ERASED = '{"erased": true}'


def redact(db: sqlite_utils.Database, targets: list[tuple[str, int]]) -> int:
    """Blank before/after of these entities' audit rows (the triggers allow only this, only here).

    Must run inside the erasure's transaction: the tickets are opened and closed within it.
    """
    changed = 0
    for entity, entity_id in targets:
        db.execute(
            "INSERT INTO audit_redaction_open (entity, entity_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [entity, entity_id],
        )
        cur = db.execute(
            "UPDATE audit SET "
            "before = CASE WHEN before IS NULL THEN NULL ELSE ? END, "
            "after = CASE WHEN after IS NULL THEN NULL ELSE ? END "
            "WHERE entity = ? AND entity_id = ? AND "
            "(before IS NOT NULL AND before != ? OR after IS NOT NULL AND after != ?)",
            [ERASED, ERASED, entity, entity_id, ERASED, ERASED],
        )
        changed += cur.rowcount
    db.execute("DELETE FROM audit_redaction_open")
    return changed


def last_for(db: sqlite_utils.Database, entity: str, entity_id: int) -> Row | None:
    """The newest audit row of one record, with its author's name: who saved it last, and what."""
    rows = all_rows(
        db.execute(
            f"SELECT {AUDIT_COLUMNS} FROM audit a LEFT JOIN staff s ON s.id = a.staff_id "
            "WHERE a.entity = ? AND a.entity_id = ? ORDER BY a.id DESC LIMIT 1",
            [entity, entity_id],
        )
    )
    return rows[0] if rows else None


def last_setting_change(db: sqlite_utils.Database, keys: Iterable[str]) -> Row | None:
    """The newest audit row of a settings save that touched any of `keys` (a save of several
    settings is one row holding them all). Looks back through the last 1000 settings saves."""
    wanted = set(keys)
    rows = all_rows(
        db.execute(
            f"SELECT {AUDIT_COLUMNS} FROM audit a LEFT JOIN staff s ON s.id = a.staff_id "
            "WHERE a.entity = 'setting' ORDER BY a.id DESC LIMIT 1000"
        )
    )
    for row in rows:
        try:
            after = json.loads(row["after"]) if isinstance(row["after"], str) else row["after"]
        except ValueError:
            continue
        if isinstance(after, dict) and wanted & set(after):
            return row
    return None
