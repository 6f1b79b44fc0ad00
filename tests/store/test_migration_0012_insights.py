"""0012_insights: a database with visits from before gets them counted into visit_slots, and the
triggers keep counting from then on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from csdesk.services.desk import Desk
from csdesk.store.migrations import migrations


def old_database(path: Path) -> None:
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    before = [m for m in migrations._migrations if m.name < "0012_insights"]
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
        db.execute("INSERT INTO staff (name, created_at) VALUES ('Front desk', '2026-01-01')")
        db.execute(
            "INSERT INTO customers (first_name, last_seen_at, created_at, updated_at)"
            " VALUES ('Ann', '2026-01-01', '2026-01-01T09:00:00+00:00', '2026-01-01')"
        )
        for at, channel, sat, deleted in [
            ("2026-01-01T09:10:00+00:00", "in_person", 5, None),  # same day as created: new
            ("2026-01-02T09:20:00+00:00", "in_person", 3, None),  # same quarter hour slot
            ("2026-01-02T09:29:59+00:00", "in_person", None, None),
            ("2026-01-02T09:30:00+00:00", "phone", None, None),
            ("2026-01-03T10:00:00+00:00", "phone", 1, "2026-01-04"),  # deleted: not counted
        ]:
            db.execute(
                "INSERT INTO visits (customer_id, at, channel, satisfaction, staff_id, created_at,"
                " deleted_at) VALUES (1, ?, ?, ?, 1, ?, ?)",
                [at, channel, sat, at, deleted],
            )
    db.close()


def test_old_visits_are_counted_into_slots(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    desk = Desk.open(path)
    try:
        applied = [r[0] for r in desk.db.execute("SELECT name FROM _sqlite_migrations")]
        assert "0012_insights" in applied
        rows = desk.db.execute(
            "SELECT slot, channel, staff_id, visits, known, rated, sat_sum, s1, s3, s5"
            " FROM visit_slots ORDER BY slot, channel"
        ).fetchall()
        assert rows == [
            ("2026-01-01T09:00", "in_person", 1, 1, 0, 1, 5, 0, 0, 1),
            ("2026-01-02T09:15", "in_person", 1, 2, 2, 1, 3, 0, 1, 0),
            ("2026-01-02T09:30", "phone", 1, 1, 1, 0, 0, 0, 0, 0),
        ]
        names = {r[0] for r in desk.db.execute("SELECT name FROM sqlite_master")}
        assert {"issues_resolved_at", "followups_due_any", "visit_slots_ai"} <= names
    finally:
        desk.close()
