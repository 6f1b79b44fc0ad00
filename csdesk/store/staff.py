"""Staff members: every write has one as its actor."""

from __future__ import annotations

import sqlite_utils

from csdesk.store.rows import Row, all_rows, one_row

DEFAULT_NAME = "Front desk"


def default_id(db: sqlite_utils.Database) -> int | None:
    """The default member's id, or None if this database never had one (reads only)."""
    found = db.execute("SELECT id FROM staff WHERE name = ?", [DEFAULT_NAME]).fetchone()
    return int(found[0]) if found else None


def ensure_default(db: sqlite_utils.Database, now: str) -> int:
    """The always-present actor for a shop that has not set up logins."""
    found = default_id(db)
    if found is not None:
        return found
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


def pin_hash(db: sqlite_utils.Database, staff_id: int) -> str | None:
    found = db.execute("SELECT pin_hash FROM staff WHERE id = ?", [staff_id]).fetchone()
    return None if found is None else found[0]


def set_pin_hash(db: sqlite_utils.Database, staff_id: int, value: str) -> None:
    db.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", [value, staff_id])


def set_role(db: sqlite_utils.Database, staff_id: int, role: str) -> None:
    db.execute("UPDATE staff SET role = ? WHERE id = ?", [role, staff_id])


def set_active(db: sqlite_utils.Database, staff_id: int, active: bool, now: str) -> None:
    db.execute(
        "UPDATE staff SET active = ?, deactivated_at = ? WHERE id = ?",
        [int(active), None if active else now, staff_id],
    )


def count_admins_with_pin(db: sqlite_utils.Database, *, exclude_id: int | None = None) -> int:
    return int(
        db.execute(
            "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1 "
            "AND pin_hash IS NOT NULL AND id IS NOT ?",
            [exclude_id],
        ).fetchone()[0]
    )


def failures(db: sqlite_utils.Database, staff_id: int) -> Row | None:
    return one_row(
        db.execute(
            "SELECT failures, last_failure_at, locked_until FROM sign_in_failures "
            "WHERE staff_id = ?",
            [staff_id],
        )
    )


def put_failures(
    db: sqlite_utils.Database, staff_id: int, count: int, at: str, locked_until: str | None
) -> None:
    db.execute(
        "INSERT INTO sign_in_failures (staff_id, failures, last_failure_at, locked_until) "
        "VALUES (?, ?, ?, ?) ON CONFLICT(staff_id) DO UPDATE SET failures = excluded.failures, "
        "last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
        [staff_id, count, at, locked_until],
    )


def clear_failures(db: sqlite_utils.Database, staff_id: int) -> None:
    db.execute("DELETE FROM sign_in_failures WHERE staff_id = ?", [staff_id])
