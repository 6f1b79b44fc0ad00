"""0002_timeline on a database that already has notes: the index is built from what is there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.store.db import open_db
from csdesk.store.migrations import migrations


def test_existing_notes_become_searchable(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path, migrate=False)
    migrations.apply(db, stop_before="0002_timeline")
    db.execute(
        "INSERT INTO customers (first_name, last_seen_at, created_at, updated_at) "
        "VALUES ('Ann', '2026-01-01T00:00:00+00:00', 'x', 'x')"
    )
    db.execute(
        "INSERT INTO notes (customer_id, body, created_at) VALUES (1, 'Likes Ñandú wool', 'x')"
    )
    db.execute(
        "INSERT INTO notes (customer_id, body, created_at, deleted_at) "
        "VALUES (1, 'old secret', 'x', 'y')"
    )
    assert "notes_fts" not in db.table_names()
    db.close()
    desk = Desk.open(path)
    applied = {m["name"] for m in desk.db["_sqlite_migrations"].rows}
    assert "0002_timeline" in applied
    assert [h.customer_id for h in desk.search.search("nandu")] == [1]
    assert desk.search.search("secret") == []  # deleted notes stay hidden
    indexes = {r[0] for r in desk.db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {
        "visits_timeline",
        "visits_timeline_channel",
        "notes_timeline",
        "visits_purposes",
    } <= indexes
    desk.close()


def test_fts_follows_edits_and_hard_deletes(tmp_path: Path) -> None:
    desk = Desk.open(tmp_path / "x.db")
    desk.db.execute(
        "INSERT INTO customers (first_name, last_seen_at, created_at, updated_at) "
        "VALUES ('Ann', 'x', 'x', 'x')"
    )
    note = desk.notes.add(1, "blue laces")
    desk.notes.edit(note.id, body="green laces")
    assert desk.search.search("blue") == []
    assert len(desk.search.search("green")) == 1
    desk.db.execute("DELETE FROM notes")
    assert desk.search.search("green") == []
    check = desk.db.execute("INSERT INTO notes_fts(notes_fts) VALUES ('integrity-check')")
    assert isinstance(check, sqlite3.Cursor)
    desk.close()


def test_0002_applies_after_later_migrations(tmp_path: Path) -> None:
    # A database made by a build that had 0003+ but not yet 0002_timeline.
    path = tmp_path / "later.db"
    db = open_db(path, migrate=False)
    migrations.ensure_migrations_table(db)
    for migration in migrations._migrations:
        if migration.name != "0002_timeline":
            with db.atomic():
                migration.fn(db)
                migrations._record_applied(db, migration.name)
    db.close()
    desk = Desk.open(path)
    assert migrations.pending(desk.db) == []
    cid = desk.customers.create(CustomerDraft(first_name="Ann")).id
    desk.notes.add(cid, "wide fit")
    assert [h.matched for h in desk.search.search("wide")] == ["note"]
    desk.close()
