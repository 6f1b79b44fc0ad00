"""0006_import: the import log tables, added to a database that already has customers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from csdesk.store.db import open_db
from csdesk.store.migrations import migrations


def test_0006_adds_import_tables_to_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path, migrate=False)
    # Bring it to the state before this migration, with a customer in it.
    migrations.apply(db, stop_before="0006_import")
    assert "import_batches" not in db.table_names()
    db.execute(
        "INSERT INTO customers (first_name, last_seen_at, created_at, updated_at) "
        "VALUES ('Ana', '2026-01-01', '2026-01-01', '2026-01-01')"
    )
    db.close()
    db = open_db(path)
    assert {"import_batches", "import_items"} <= set(db.table_names())
    assert db.execute("SELECT first_name FROM customers").fetchone()[0] == "Ana"
    db.execute(
        "INSERT INTO import_batches (file_name, format, started_at) VALUES ('a.csv', 'csv', 'x')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE import_batches SET status = 'exploded'")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO import_items (batch_id, customer_id, action) VALUES (1, 1, 'delete')"
        )
    db.close()
