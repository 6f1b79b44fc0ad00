"""Demo data: deterministic, international, and every phone number really parses to its E.164."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.services.phone import normalise
from csdesk.store.db import atomic
from tests.conftest import FakeClock


def test_same_seed_same_data(tmp_path: Path, clock: FakeClock) -> None:
    rows = []
    for name in ("a.db", "b.db"):
        desk = Desk.open(tmp_path / name, clock=clock)
        demo.generate(desk.context, 120, seed=3)
        rows.append(
            desk.db.execute(
                "SELECT first_name, last_name, email FROM customers ORDER BY id"
            ).fetchall()
        )
        desk.close()
    assert rows[0] == rows[1]
    assert len(rows[0]) == 120


def test_demo_is_international_and_varied(desk: Desk) -> None:
    demo.generate(desk.context, 600, seed=1)
    db = desk.db
    names = [r[0] + " " + r[1] for r in db.execute("SELECT first_name, last_name FROM customers")]
    assert any("'" in n for n in names)
    assert any("-" in n for n in names)
    assert any(not n.isascii() for n in names)
    assert any(any(ord(ch) > 0x3000 for ch in n) for n in names)  # CJK / Hangul
    assert db.execute("SELECT count(*) FROM customers WHERE email = ''").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM customers WHERE last_name = ''").fetchone()[0] > 0
    multi = db.execute(
        "SELECT count(*) FROM "
        "(SELECT customer_id FROM customer_phones GROUP BY 1 HAVING count(*) > 1) AS many"
    ).fetchone()[0]
    assert multi > 0
    visits = db.execute("SELECT count(*) FROM visits").fetchone()[0]
    assert 2.0 < visits / 600 < 4.0
    # The e-mail's words in search_norm are the search's own tokens of it (demo writes them out).
    emails = db.execute("SELECT email, search_norm FROM customers WHERE email != ''").fetchall()
    assert emails and all(norm.endswith(" " + demo.email_tokens(e) + " ") for e, norm in emails)


def test_demo_phone_numbers_parse_as_stored(desk: Desk) -> None:
    demo.generate(desk.context, 300, seed=2)
    for raw, e164, rev, national in desk.db.execute(
        "SELECT raw, e164, digits_rev, national FROM customer_phones"
    ):
        parsed = normalise(raw, "US")
        assert (parsed.e164, parsed.digits_rev, parsed.national) == (e164, rev, national), raw


def test_bulk_load_keeps_search_and_integrity(desk: Desk) -> None:
    demo.generate(desk.context, 1000, seed=4, batch=100)  # 10 batches: the bulk path on an empty database
    assert desk.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    desk.db.execute("INSERT INTO customers_fts(customers_fts) VALUES ('integrity-check')")
    assert desk.db.execute("PRAGMA foreign_key_check").fetchall() == []
    some = desk.db.execute(
        "SELECT id, last_name FROM customers WHERE last_name != '' LIMIT 1"
    ).fetchone()
    assert some[0] in [h.customer_id for h in desk.search.search(some[1], limit=500)]
    demo.generate(desk.context, 50, seed=9)  # into a non-empty database: the batched path
    assert desk.customers.count() == 1050


def test_cancel_stops_the_load(desk: Desk) -> None:
    assert (
        demo.generate(desk.context, 1000, seed=1, batch=100, progress=lambda done, total: done < 300) == 0
    )
    assert desk.customers.count() == 0  # the bulk load is one transaction: nothing half-done


def test_a_bulk_load_counts_visit_slots_as_the_triggers_would(desk: Desk) -> None:
    """The bulk path loads visits without visit_slots' row triggers and counts them in one
    statement at the end (the file, and the server, whose trigger it pauses). Checked against
    the triggers themselves: with visit_slots emptied, deleting every visit makes the delete
    trigger subtract each one, leaving exactly minus what the bulk count wrote."""
    demo.generate(desk.context, 1000, seed=4, batch=100)  # empty database: the bulk path
    query = (
        "SELECT slot, channel, staff_id, visits, known, rated, sat_sum, s1, s2, s3, s4, s5 "
        "FROM visit_slots ORDER BY slot, channel, staff_id"
    )
    counted = [tuple(r) for r in desk.db.execute(query).fetchall()]
    assert sum(r[3] for r in counted) == desk.db.execute("SELECT count(*) FROM visits").fetchone()[0]
    assert any(r[4] for r in counted) and any(r[5] for r in counted)  # known and rated counted
    with atomic(desk.db):
        desk.db.execute("DELETE FROM visit_slots")
        desk.db.execute("DELETE FROM visits")
    by_trigger = [tuple(r) for r in desk.db.execute(query).fetchall()]
    assert [(*r[:3], *(-n for n in r[3:])) for r in by_trigger] == counted


_TABLES = {
    "customers": "SELECT * FROM customers ORDER BY id",
    "customer_phones": "SELECT * FROM customer_phones ORDER BY id",
    "customer_emails": "SELECT * FROM customer_emails ORDER BY id",
    "visits": "SELECT * FROM visits ORDER BY id",
    "notes": "SELECT * FROM notes ORDER BY id",
    "visit_slots": "SELECT * FROM visit_slots ORDER BY slot, channel, staff_id",
}


def _every_row(desk: Desk) -> dict[str, list[tuple[object, ...]]]:
    return {table: [tuple(r) for r in desk.db.execute(sql).fetchall()] for table, sql in _TABLES.items()}


def test_same_seed_same_data_with_any_number_of_workers(tmp_path: Path, clock: FakeClock) -> None:
    """Customers are drawn a chunk at a time from streams seeded by the seed and the chunk's
    number: drawn here (0 workers), by two worker processes (the bulk path), or batch by batch
    into the triggers (the batched path), every row of every table is the same, visit_slots
    (counted while drawing on the bulk path, by the triggers on the other) included."""
    size = demo.CHUNK + 700  # two chunks, the second one short
    seen = []
    for name, batch, workers in (("here.db", 1_000, 0), ("workers.db", 1_000, 2), ("batches.db", 20_000, 2)):
        desk = Desk.open(tmp_path / name, clock=clock)
        assert demo.generate(desk.context, size, seed=5, batch=batch, workers=workers) == size
        seen.append(_every_row(desk))
        desk.close()
    assert seen[0] == seen[1] == seen[2]
    assert len(seen[0]["customers"]) == size and len(seen[0]["visits"]) > 2 * size
    # The second chunk is its own stream, not the first one's continuation repeated.
    names = [(r[1], r[2]) for r in seen[0]["customers"]]
    assert names[: demo.CHUNK][:500] != names[demo.CHUNK :][:500]


def test_a_seed_is_the_same_data_on_every_machine(tmp_path: Path, clock: FakeClock) -> None:
    """Pinned: the first chunk is random.Random(seed)'s stream as it always was, the others
    seeded by a string (SHA-512 of it), neither depending on the machine, the Python build or
    the worker count. If this fails, the demo's data for a seed changed: benchmarks comparing
    figures across versions would compare different data."""
    desk = Desk.open(tmp_path / "pinned.db", clock=clock)
    demo.generate(desk.context, demo.CHUNK + 3, seed=1, batch=1_000, workers=0)
    first = desk.db.execute("SELECT first_name, last_name, email FROM customers WHERE id IN (1, 2, 3)")
    later = desk.db.execute(
        "SELECT first_name, last_name, email FROM customers WHERE id > ? ORDER BY id", [demo.CHUNK]
    )
    pinned = [tuple(r) for r in first.fetchall()], [tuple(r) for r in later.fetchall()]
    desk.close()
    assert pinned == (
        [
            ("Zoltán", "Brooks", "zoltan.brooks1@example.net"),
            ("陽翔", "Trần", ""),
            ("Niamh", "Gómez", "niamh.gomez@example.net"),
        ],
        [
            ("Zoltán", "Price", "zoltan.price1@example.org"),
            ("Li", "Long", ""),
            ("Светлана", "Young", "young3@mail.example"),
        ],
    )


@pytest.mark.own_database  # ids from a fresh identity: the e-mails depend on the customers' ids
def test_the_bulk_path_with_workers_loads_the_same_customers_on_either_engine(
    desk: Desk, tmp_path: Path, clock: FakeClock
) -> None:
    """Two chunks drawn by worker processes into this engine (COPY on a server) are the rows a
    file gets drawn in this process, visit_slots' counts included."""
    size = demo.CHUNK + 300
    reference = Desk.open(tmp_path / "reference.db", clock=clock)
    assert demo.generate(reference.context, size, seed=6, batch=1_000, workers=0) == size
    assert demo.generate(desk.context, size, seed=6, batch=1_000, workers=2) == size
    queries = (
        "SELECT id, first_name, last_name, preferred_name, birthday, email, search_norm, exact_keys,"
        " visit_count, last_visit_at, created_at FROM customers ORDER BY id",
        "SELECT customer_id, position, raw, e164 FROM customer_phones ORDER BY customer_id, position",
        "SELECT customer_id, at, channel, purpose, duration_s, satisfaction FROM visits ORDER BY id",
        "SELECT slot, channel, staff_id, visits, known, rated, sat_sum, s1, s2, s3, s4, s5"
        " FROM visit_slots ORDER BY slot, channel",
    )
    for sql in queries:
        want = [tuple(r) for r in reference.db.execute(sql).fetchall()]
        assert [tuple(r) for r in desk.db.execute(sql).fetchall()] == want, sql
    reference.close()
