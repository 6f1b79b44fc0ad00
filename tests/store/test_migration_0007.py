"""0007_reports: the handover table and the daily log's time-range indexes, on old data too."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from csdesk.store.db import open_db
from csdesk.store.migrations import migrations


def test_applies_to_a_database_made_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    before = [m for m in migrations._migrations if m.name < "0007_reports"]
    with db.atomic():
        db.execute(
            "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
            "name TEXT, applied_at TEXT)"
        )
        for migration in before:
            migration.fn(db)
            db.execute(
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                "VALUES ('csdesk', ?, '2026-01-01')",
                [migration.name],
            )
        db.execute("INSERT INTO staff (name, created_at) VALUES ('Old', '2026-01-01')")
        db.execute(
            "INSERT INTO customers (first_name, last_seen_at, created_at, updated_at)"
            " VALUES ('Ada', '2026-01-01', '2026-01-01', '2026-01-01')"
        )
        db.execute(
            "INSERT INTO notes (customer_id, body, created_at) VALUES (1, 'kept', '2026-01-02')"
        )
    assert "handover_notes" not in db.table_names()
    db.close()

    upgraded = open_db(path)
    names = {r[0] for r in upgraded.execute("SELECT name FROM sqlite_master")}
    assert {
        "handover_notes", "handover_unread", "notes_created_at", "issue_events_at",
        "followups_created_at", "followups_done_at", "letters_created_at",
        "customers_created_at", "goodwill_at",
    } <= names
    assert upgraded.execute("SELECT body FROM notes").fetchall() == [("kept",)]
    applied = [r[0] for r in upgraded.execute("SELECT name FROM _sqlite_migrations")]
    assert "0007_reports" in applied
    # reopening applies nothing twice (the IF NOT EXISTS indexes included)
    upgraded.close()
    again = open_db(path)
    assert migrations.pending(again) == []
    again.close()
