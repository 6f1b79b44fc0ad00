"""0008_import_recovery: import batches get an 'interrupted' status without losing any undo record."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from csdesk.services.desk import Desk
from csdesk.store.db import open_db
from csdesk.store.migrations import migrations


def test_0008_keeps_batches_and_items_and_allows_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path, migrate=False)
    migrations.apply(db, stop_before="0008_import_recovery")
    db.execute(
        "INSERT INTO import_batches (file_name, format, status, started_at, finished_at, "
        "created_count) VALUES ('a.csv', 'csv', 'done', '2026-01-01', '2026-01-01', 1)"
    )
    db.execute(
        "INSERT INTO import_batches (file_name, format, started_at, created_count) "
        "VALUES ('b.csv', 'csv', '2026-01-02', 2)"  # left 'running' by an old csdesk that died
    )
    db.execute("INSERT INTO import_items (batch_id, customer_id, action) VALUES (1, 7, 'create')")
    db.execute("INSERT INTO import_items (batch_id, customer_id, action) VALUES (2, 8, 'create')")
    db.conn.commit()
    db.close()

    desk = Desk.open(path)
    db = desk.db
    assert db.execute("SELECT batch_id, customer_id FROM import_items ORDER BY id").fetchall() == [
        (1, 7),
        (2, 8),
    ]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # The old running batch has no lock: nothing can still be running it.
    assert [b["id"] for b in desk.interrupted_imports] == [2]
    statuses = db.execute("SELECT status FROM import_batches ORDER BY id").fetchall()
    assert statuses == [("done",), ("interrupted",)]
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE import_batches SET status = 'exploded'")
    # Deleting a batch still takes its items with it (the child points at the renamed table).
    db.execute("DELETE FROM import_batches WHERE id = 1")
    assert db.execute("SELECT count(*) FROM import_items").fetchone()[0] == 1
    desk.close()
