"""Staff members: every write has one as its actor."""

from __future__ import annotations

import sqlite_utils

from csdesk.store.rows import Row, all_rows, inserted_id, one_row

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
        "INSERT INTO staff (name, role, active, created_at) VALUES (?, 'staff', 1, ?) RETURNING id",
        [DEFAULT_NAME, now],
    )
    return inserted_id(cur)


COLUMNS = "id, name, role, active, version"


def get(db: sqlite_utils.Database, staff_id: int) -> Row | None:
    return one_row(db.execute(f"SELECT {COLUMNS} FROM staff WHERE id = ?", [staff_id]))


def by_name(db: sqlite_utils.Database, name: str) -> Row | None:
    return one_row(
        db.execute(
            f"SELECT {COLUMNS} FROM staff WHERE lower(name) = lower(?)", [name]
        )
    )


def all_staff(db: sqlite_utils.Database) -> list[Row]:
    return all_rows(db.execute(f"SELECT {COLUMNS} FROM staff ORDER BY name"))


def insert(
    db: sqlite_utils.Database, name: str, role: str, now: str, pin_hash: str | None = None
) -> int:
    """A new member, at version 1 (their PIN with them, not a change after)."""
    cur = db.execute(
        "INSERT INTO staff (name, role, active, created_at, pin_hash) VALUES (?, ?, 1, ?, ?) "
        "RETURNING id",
        [name, role, now, pin_hash],
    )
    return inserted_id(cur)


def pin_hash(db: sqlite_utils.Database, staff_id: int) -> str | None:
    found = db.execute("SELECT pin_hash FROM staff WHERE id = ?", [staff_id]).fetchone()
    return None if found is None else found[0]


def _update(
    db: sqlite_utils.Database, staff_id: int, sets: str, values: list[object], version: int | None
) -> bool:
    """Every change to a member bumps their version; with `version`, only if nobody changed
    them since it was read (False: stale, nothing changed)."""
    guard = "" if version is None else " AND version = ?"
    cur = db.execute(
        f"UPDATE staff SET {sets}, version = version + 1 WHERE id = ?{guard}",
        [*values, staff_id, *([] if version is None else [version])],
    )
    return cur.rowcount == 1


def set_pin_hash(
    db: sqlite_utils.Database, staff_id: int, value: str, *, version: int | None = None
) -> bool:
    return _update(db, staff_id, "pin_hash = ?", [value], version)


def set_role(
    db: sqlite_utils.Database, staff_id: int, role: str, *, version: int | None = None
) -> bool:
    return _update(db, staff_id, "role = ?", [role], version)


def set_active(
    db: sqlite_utils.Database,
    staff_id: int,
    active: bool,
    now: str,
    *,
    version: int | None = None,
) -> bool:
    return _update(
        db, staff_id, "active = ?, deactivated_at = ?", [int(active), None if active else now],
        version,
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
