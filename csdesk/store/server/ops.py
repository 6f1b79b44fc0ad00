"""The few statements the server's backups, restore and check need (services/server_backup.py
calls these; services write no SQL): its identity, its audit rows, the daily backup's lock."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from csdesk.store.server import connect

BACKUP_LOCK = 0x637364_6B626B70  # "csdkbkp": the daily backup, one counter at a time


def json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def database_id(conn: psycopg.Connection) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()
    return json.loads(row[0]) if row else None


def count_customers(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM customers").fetchone()
    return int(row[0]) if row else 0


def record_audit(conn: psycopg.Connection, target: str, *, at: str, action: str,
                 after: dict[str, object], source: str, computer: str) -> None:
    """One audit row about the database (no staff: the server's commands have no sign-in yet)."""
    try:
        conn.execute(
            "INSERT INTO audit (at, staff_id, action, entity, entity_id, after, source, computer) "
            "VALUES (%s, NULL, %s, 'database', NULL, %s, %s, %s)",
            [at, action, json.dumps(after, ensure_ascii=False), source, computer],
        )
    except psycopg.Error as exc:
        raise connect.translate(exc, target) from None


def daily_backup_done(conn: psycopg.Connection, day: str) -> dict[str, Any] | None:
    """The daily backup audited on `day` (YYYY-MM-DD, UTC) by any counter, with its computer."""
    rows = conn.execute(
        "SELECT after, computer FROM audit WHERE action = 'backup' AND entity = 'database' "
        "AND at >= %s ORDER BY id DESC", [day],
    ).fetchall()
    for after, computer in rows:
        try:
            data = json.loads(after or "{}")
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("reason") == "daily":
            return {**data, "computer": computer}
    return None


def try_backup_lock(conn: psycopg.Connection) -> bool:
    """The daily backup's lock, held by this session until backup_unlock (or its end)."""
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", [BACKUP_LOCK]).fetchone()
    return bool(row and row[0])


def backup_unlock(conn: psycopg.Connection) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s)", [BACKUP_LOCK])
