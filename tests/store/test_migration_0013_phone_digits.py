"""0013_phone_digits: numbers already on file are found by digits from their middle once the
migration ran, and the file stays plain SQLite (sqlite3 alone reads the new index)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from csdesk.services.desk import Desk
from csdesk.store.migrations import migrations


def old_database(path: Path) -> None:
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    with db.atomic():
        db.execute(
            "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
            "name TEXT, applied_at TEXT)"
        )
        for migration in [m for m in migrations._migrations if m.name < "0013_phone_digits"]:
            migration.fn(db)
            db.execute(
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                "VALUES ('csdesk', ?, '2026-01-01')",
                [migration.name],
            )
        db.execute("INSERT INTO staff (name, created_at) VALUES ('Front desk', '2026-01-01')")
        db.execute(
            "INSERT INTO customers (first_name, search_norm, exact_keys, last_seen_at, created_at, "
            "updated_at) VALUES ('Ana', ' ana ', '|ana|', '2026-01-01', '2026-01-01', '2026-01-01')"
        )
        db.execute(
            "INSERT INTO customer_phones (customer_id, raw, e164, digits_rev, national) "
            "VALUES (1, '720-555-0104', '+17205550104', '40105550271', '7205550104')"
        )
    db.close()


def test_numbers_on_file_are_found_by_middle_digits(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    desk = Desk.open(path)
    try:
        applied = [r[0] for r in desk.db.execute("SELECT name FROM _sqlite_migrations")]
        assert "0013_phone_digits" in applied
        assert [h.display_name for h in desk.search.search("5550")] == ["Ana"]
        assert [h.display_name for h in desk.search.search("205 55")] == ["Ana"]
    finally:
        desk.close()
    with sqlite3.connect(path) as plain:  # what sqlite3, sqlite-utils and Datasette see
        found = plain.execute(
            "SELECT rowid FROM phones_fts WHERE phones_fts MATCH '\"9999\"'"
        ).fetchall()
        assert found == [] and plain.execute(
            "SELECT rowid FROM phones_fts WHERE phones_fts MATCH '\"5550\"'"
        ).fetchall() == [(1,)]
    plain.close()
