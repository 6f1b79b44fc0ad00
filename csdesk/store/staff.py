"""Staff members: every write has one as its actor."""

from __future__ import annotations

import sqlite_utils

from csdesk.store.rows import Row, all_rows, one_row

DEFAULT_NAME = "Front desk"


def ensure_default(db: sqlite_utils.Database, now: str) -> int:
    """The always-present actor for a shop that has not set up logins."""
    found = db.execute("SELECT id FROM staff WHERE name = ?", [DEFAULT_NAME]).fetchone()
    if found:
        return int(found[0])
    cur = db.execute(
        "INSERT INTO staff (name, role, active, created_at) VALUES (?, 'staff', 1, ?)",
        [DEFAULT_NAME, now],
    )
    return int(cur.lastrowid or 0)


def get(db: sqlite_utils.Database, staff_id: int) -> Row | None:
    return one_row(db.execute("SELECT id, name, role, active FROM staff WHERE id = ?", [staff_id]))


def by_name(db: sqlite_utils.Database, name: str) -> Row | None:
    return one_row(
        db.execute(
            "SELECT id, name, role, active FROM staff WHERE name = ? COLLATE NOCASE", [name]
        )
    )


def all_staff(db: sqlite_utils.Database) -> list[Row]:
    return all_rows(db.execute("SELECT id, name, role, active FROM staff ORDER BY name"))


def insert(db: sqlite_utils.Database, name: str, role: str, now: str) -> int:
    cur = db.execute(
        "INSERT INTO staff (name, role, active, created_at) VALUES (?, ?, 1, ?)", [name, role, now]
    )
    return int(cur.lastrowid or 0)
