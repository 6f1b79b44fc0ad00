"""0005_security: applies to a fresh file and to a database made before it, keeping the data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from csdesk.store.db import open_db
from csdesk.store.migrations import migrations


def test_0005_upgrades_an_older_database_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    first = migrations._migrations[0]
    assert first.name == "0001_initial"
    with db.atomic():
        first.fn(db)
        db.execute(
            "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
            "name TEXT, applied_at TEXT)"
        )
        db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('csdesk', '0001_initial', '2026-01-01')"
        )
        db.execute("INSERT INTO staff (name, created_at) VALUES ('Old', '2026-01-01')")
        db.execute(
            "INSERT INTO audit (at, action, entity, entity_id) VALUES ('2026-01-01', 'x', 'y', 1)"
        )
    db.close()

    upgraded = open_db(path)
    names = {r[0] for r in upgraded.execute("SELECT name FROM sqlite_master")}
    expected = {"sign_in_failures", "audit_redaction_open", "audit_no_update", "audit_no_delete"}
    assert expected <= names
    staff_cols = {r[1] for r in upgraded.execute("PRAGMA table_info(staff)")}
    visit_cols = {r[1] for r in upgraded.execute("PRAGMA table_info(visits)")}
    assert "deactivated_at" in staff_cols and "anonymised_at" in visit_cols
    assert upgraded.execute("SELECT name FROM staff").fetchall() == [("Old",)]
    applied = [r[0] for r in upgraded.execute("SELECT name FROM _sqlite_migrations")]
    assert "0005_security" in applied  # later migrations may follow it
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        upgraded.execute("DELETE FROM audit")  # rows from before 0005 are protected too
    upgraded.close()
