"""0015_live_counters on a database that has customers already: versions start at 1, the change
log starts empty, old audit rows and visits name no computer."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from csdesk.store.db import open_db
from csdesk.store.migrations import migrations


def test_an_older_database_gains_versions_a_change_log_and_computers(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(str(path))
    migrations.apply(db, stop_before="0015_live_counters")
    db.execute("INSERT INTO staff (name, created_at) VALUES ('Ana', '2026-01-01')")
    db.execute(
        "INSERT INTO customers (first_name, last_seen_at, created_at, updated_at) "
        "VALUES ('Maria', '2026-01-01', '2026-01-01', '2026-01-01')"
    )
    db.execute("INSERT INTO visits (customer_id, at, created_at) VALUES (1, 'x', 'x')")
    db.execute("INSERT INTO audit (at, action, entity, entity_id) VALUES ('x', 'create', 'customer', 1)")
    db.close()
    db = open_db(path)
    assert db.execute("SELECT version FROM customers").fetchone()[0] == 1
    assert db.execute("SELECT version, computer FROM visits").fetchone() == (1, "")
    assert db.execute("SELECT version FROM staff").fetchone()[0] == 1
    assert db.execute("SELECT computer FROM audit").fetchone()[0] == ""
    assert db.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM presence").fetchone()[0] == 0
    # AUTOINCREMENT: pruned ids never come back, so "the rows after id N" stays true
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'changes'").fetchone()[0]
    assert "AUTOINCREMENT" in sql
    db.close()
