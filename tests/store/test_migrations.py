"""Migrations are named, append-only, in order, each tested, and a fresh database gets them all."""

from __future__ import annotations

import re
from pathlib import Path

from csdesk.services.desk import Desk
from csdesk.store.db import open_db
from csdesk.store.migrations import migrations

TESTS = Path(__file__).resolve().parent.parent


def names() -> list[str]:
    return [m.name for m in migrations._migrations]


def test_names_are_numbered_unique_and_in_order() -> None:
    found = names()
    assert found[0] == "0001_initial"
    assert all(re.fullmatch(r"\d{4}_[a-z_]+", n) for n in found), found
    assert found == sorted(found)
    assert len(set(n[:4] for n in found)) == len(found)


def test_every_migration_is_named_in_some_test() -> None:
    # Picard's rule: a migration nobody tests is a migration nobody knows works.
    corpus = "\n".join(
        p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py") if p.name != "test_migrations.py"
    )
    untested = [n for n in names() if n not in corpus and n != "0001_initial"]
    assert untested == []


def test_fresh_database_has_every_migration(desk: Desk) -> None:
    applied = [r[0] for r in desk.db.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert applied == names()


def test_reopening_applies_nothing_twice(db_path: Path) -> None:
    open_db(db_path).close()
    db = open_db(db_path)
    assert migrations.pending(db) == []
    assert db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(names())


def test_initial_schema_basics(desk: Desk) -> None:
    tables = {r[0] for r in desk.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"customers", "customer_phones", "visits", "notes", "staff", "audit", "customers_fts"} <= tables
    assert desk.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert desk.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert desk.db.execute("SELECT name, role FROM staff WHERE name = 'Front desk'").fetchone() == (
        "Front desk", "staff",
    )
