"""Shop settings as JSON values under text keys."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils


def get(db: sqlite_utils.Database, key: str, default: Any = None) -> Any:
    found = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return decoded(None if found is None else found[0], default)


def decoded(stored: str | None, default: Any = None) -> Any:
    """A setting's value from its stored text (None: never stored), for statements that read
    the settings row along with something else (the server's phone search)."""
    return default if stored is None else json.loads(stored)


def all_values(db: sqlite_utils.Database) -> dict[str, Any]:
    """Every stored setting at once (a few dozen small rows)."""
    return {str(k): json.loads(v) for k, v in db.execute("SELECT key, value FROM settings")}


def put(db: sqlite_utils.Database, key: str, value: Any) -> None:
    # Every change bumps the key's version: an editor that read an older one is refused.
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = settings.version + 1",
        [key, json.dumps(value)],
    )


def versions(db: sqlite_utils.Database, keys: Iterable[str]) -> dict[str, int]:
    """Each key's version; 0 for a key never stored (storing it makes 1)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, int] = dict.fromkeys(wanted, 0)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for key, version in db.execute(
            f"SELECT key, version FROM settings WHERE key IN ({marks})", chunk
        ).fetchall():
            found[key] = int(version)
    return found
