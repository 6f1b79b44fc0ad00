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


def nameless_phone(alias: str) -> str:
    """SQL (both engines) for the first phone as typed of customer `alias`, only when it has no
    name, company or e-mail to be called by, else NULL: domain.display_name falls back to it,
    and a list of names reads no phones for the customers who have a name (nearly all)."""
    a = alias
    return (
        f"CASE WHEN {a}.first_name = '' AND {a}.last_name = '' AND {a}.preferred_name = ''"
        f" AND {a}.company = '' AND {a}.email = '' THEN (SELECT p.raw FROM customer_phones p"
        f" WHERE p.customer_id = {a}.id AND p.position = (SELECT min(q.position) FROM"
        f" customer_phones q WHERE q.customer_id = {a}.id) ORDER BY p.id LIMIT 1) END"
    )  # min(position), not ORDER BY position: a sort in every listing's plan (index order by id)
