"""The thin dialect layer: one SQL text for both engines where one works on both.

The store writes `?` placeholders, as sqlite3 wants; psycopg wants `%s`. PgDatabase speaks the
part of sqlite_utils.Database the store's query functions use (`execute(sql, params)` returning
a cursor with fetchone/fetchall/description), so a statement that is plain SQL on both engines
is written once, in the store module that owns it, and runs on either. What truly differs (the
search index, DDL, backup, erase) has its own module under store/server/.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg


@lru_cache(maxsize=4096)  # the store's statements are a fixed, small set
def to_pg(sql: str) -> str:
    """`?` -> `%s` outside quoted strings and identifiers; a literal `%` -> `%%`."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        if ch == "%":
            out.append("%%")
            continue
        out.append(ch)
    return "".join(out)


class PgDatabase:
    """A psycopg connection as the store's query functions use a sqlite_utils.Database."""

    engine = "postgresql"

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        cur = self.conn.cursor()
        cur.execute(to_pg(sql), list(params))
        return cur

    def close(self) -> None:
        self.conn.close()
