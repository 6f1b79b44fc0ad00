"""0010_search_folding: Greek, Cyrillic and Vietnamese names and notes found without accents,
also on a database whose names were folded the old (Latin-only) way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.store.backup import check_file
from csdesk.store.migrations import migrations


def old_database(path: Path) -> None:
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    before = [m for m in migrations._migrations if m.name < "0010_search_folding"]
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
        # As the old fold stored them: Latin accents stripped, Greek and Cyrillic kept.
        for first, last, norm, keys in [
            ("Νίκος", "Williams", " νίκος williams ", "|νίκος|williams|νίκος williams|"),
            ("Ольга", "Йоффе", " ольга йоффе ", "|ольга|йоффе|ольга йоффе|"),
            ("José", "García", " jose garcia ", "|jose|garcia|jose garcia|"),
        ]:
            db.execute(
                "INSERT INTO customers (first_name, last_name, search_norm, exact_keys, "
                "last_seen_at, created_at, updated_at) VALUES (?, ?, ?, ?, '2026-01-01', "
                "'2026-01-01', '2026-01-01')",
                [first, last, norm, keys],
            )
        db.execute(
            "INSERT INTO notes (customer_id, body, created_at) "
            "VALUES (1, 'Πίνει καφέ σκέτο, χωρίς ζάχαρη', '2026-01-02')"
        )
    db.close()


def names(desk: Desk, query: str) -> list[str]:
    return [h.display_name for h in desk.search.search(query)]


def test_old_names_and_notes_are_found_without_accents(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    desk = Desk.open(path)
    try:
        applied = [r[0] for r in desk.db.execute("SELECT name FROM _sqlite_migrations")]
        assert "0010_search_folding" in applied
        assert any("Williams" in n for n in names(desk, "wil νικ"))
        assert any("Williams" in n for n in names(desk, "ΝΙΚΟΣ"))
        assert any("Йоффе" in n for n in names(desk, "иоффе"))
        assert any("García" in n for n in names(desk, "garc jos"))
        hits = desk.search.search("καφε")
        assert [h.matched for h in hits] == ["note"] and "καφέ" in (hits[0].snippet or "")
    finally:
        desk.close()
    assert check_file(path).ok


def test_new_names_notes_and_emails_in_every_script(desk: Desk) -> None:
    people = [
        CustomerDraft(first_name="Ϊωάννης", last_name="Προϊστάμενος"),
        CustomerDraft(first_name="Nguyễn", last_name="Thị Đoàn", email="doan@example.vn"),
        CustomerDraft(first_name="Ǖrsula", last_name="Ḗvans"),
        CustomerDraft(first_name="Олег", email="óleg.ŝmith@exámple.com"),
    ]
    ids = [desk.customers.create(p).id for p in people]
    desk.notes.add(ids[1], "Thích cà phê sữa đá")
    assert names(desk, "ιωαν προισ")
    assert names(desk, "nguyen doan") and names(desk, "thi doan")
    assert names(desk, "ursula evans")
    assert ids[3] in [h.customer_id for h in desk.search.search("smith exampl")]  # the e-mail
    note = desk.search.search("ca phe sua")
    assert [h.customer_id for h in note] == [ids[1]]
    desk.customers.update(ids[0], CustomerDraft(first_name="Ζωή", last_name="Προϊστάμενος"))
    assert names(desk, "ζωη") and not names(desk, "ιωαν")
