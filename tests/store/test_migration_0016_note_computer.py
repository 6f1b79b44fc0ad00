"""0016_note_computer on a database with notes already: they name no computer; new ones do."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from csdesk.services.desk import Desk
from csdesk.store.migrations import migrations


def test_older_notes_name_no_computer_and_new_ones_do(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(str(path))
    migrations.apply(db, stop_before="0016_note_computer")
    db.execute(
        "INSERT INTO customers (first_name, last_seen_at, created_at, updated_at) "
        "VALUES ('Maria', '2026-01-01', '2026-01-01', '2026-01-01')"
    )
    db.execute("INSERT INTO notes (customer_id, body, created_at) VALUES (1, 'old', 'x')")
    assert "computer" not in {c.name for c in db["notes"].columns}
    db.close()
    desk = Desk.open(path, computer="Counter 3")
    desk.notes.add(1, "new")
    rows = desk.db.execute("SELECT body, computer FROM notes ORDER BY id").fetchall()
    assert rows == [("old", ""), ("new", "Counter 3")]
    desk.close()
