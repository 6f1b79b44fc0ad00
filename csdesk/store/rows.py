"""Small helpers for turning cursors into dicts."""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]


def all_rows(cur: Any) -> list[Row]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def one_row(cur: Any) -> Row | None:
    found = cur.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cur.description], found, strict=True))


def inserted_id(cur: Any) -> int:
    """The id an `INSERT ... RETURNING id` made (both engines; psycopg has no lastrowid). The
    cursor is read to its end, so SQLite's statement is done before the transaction commits."""
    return int(cur.fetchall()[0][0])
