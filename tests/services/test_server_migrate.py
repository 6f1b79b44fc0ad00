"""`migrate` from a real file to the throwaway server: every table, ids kept, verified, the
file untouched; and the one SearchService finding the same customers on both engines."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import UserError
from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.services.server import compare_search, migrate_file
from csdesk.store.server import connect, copy
from tests.conftest import FakeClock
from tests.pg_cluster import PgCluster

# Names in several scripts, phones typed every which way.
PEOPLE = [
    ("José", "García Márquez", "jose.garcia@example.com", "+1 720 555 0101"),
    ("Jose", "Garcia", "jgarcia@example.org", "(720) 555-0102"),
    ("Zoë", "O'Brien", "zoe@example.ie", "+353 1 555 0199"),
    ("Ольга", "Йоффе", "olga@example.ru", "+7 495 555-01-33"),
    ("Νίκος", "Παπαδόπουλος", "nikos@example.gr", "+30 21 0555 0144"),
    ("Nguyễn", "Đức", "duc@example.vn", "+84 28 5550 1155"),
    ("陈", "伟", "chen.wei@example.cn", "+86 10 5550 1166"),
    ("山田", "太郎", "taro@example.jp", "+81 3-5550-1177"),
    ("Maria", "Garcia", "maria.garcia@example.com", "720.555.0188"),
    ("María", "Gárcia-López", "mgl@example.es", "+34 915 550 199"),
    ("Łukasz", "Żółw", "lukasz@example.pl", "+48 22 555 01 10"),
    ("Ann", "Lee", "ann.lee@example.com", "7205550111"),
]
QUERIES = [
    "jo", "jose", "JOSÉ GARC", "garcia", "garc mar", "gar", "zoe", "o'br", "obrien", "ольга", "ОЛЬ",
    "иоф", "νικ", "παπαδ", "nguyen", "duc", "đức", "陈", "山田", "maria", "maría garcía", "lukasz",
    "łuk", "zolw", "ann lee", "lee", "xyzzy",
    "720 555 0101", "+17205550102", "(720) 555-0188", "0101", "0188", "555", "5550", "+353", "0044 20",
    "7205550111", "+7 495", "jose.garcia@", "maria.gar", "ann.lee@example.com", "@example",
    "chen.wei", "warranty", "wrapped", "parcel",
    "5550 1", "0555", "2055", "95555",  # digits from the middle of a number (0013_phone_digits)
]


@pytest.fixture
def shop(tmp_path: Path, clock: FakeClock) -> Path:
    path = tmp_path / "shop.db"
    desk = Desk.open(path, clock=clock)
    demo.generate(desk.context, 40, seed=3)
    for first, last, email, phone in PEOPLE:
        clock.advance(minutes=7)
        c = desk.customers.create(
            CustomerDraft(first_name=first, last_name=last, email=email, phones=(("mobile", phone),))
        )
        desk.visits.log(c.id, purpose="repair")
        desk.notes.add(c.id, f"Warranty until March; {first} prefers the parcel wrapped")
    desk.close()
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrate_copies_everything_and_verifies(shop: Path, pg_url: str) -> None:
    before = sha(shop)
    steps: list[tuple[int, int, str]] = []
    report = migrate_file(shop, pg_url, lambda d, t, table: steps.append((d, t, table)) or True)
    assert report.ok, [t for t in report.copy.tables if not t.ok]
    assert sha(shop) == before  # read-only: not even a -wal was written into it
    tables = {t.table: t for t in report.copy.tables}
    for name in ("customers", "customer_phones", "customer_emails", "visits", "notes", "staff",
                 "settings", "audit", "issue_categories"):
        assert tables[name].file_rows > 0, name
    assert {"issues", "issue_events", "followups", "letters", "handover_notes", "goodwill",
            "sign_in_failures", "import_batches", "import_items", "audit_redaction_open"} <= set(tables)
    assert steps[-1][0] == steps[-1][1] == report.copy.rows
    assert len(report.sample) >= 6 and all(s.ok for s in report.sample)
    # Ids are kept and the next one follows them.
    conn = connect.connect(pg_url)
    (max_id,) = conn.execute("SELECT max(id) FROM customers").fetchone()  # type: ignore[misc]
    with connect.transaction(conn):
        (new_id,) = conn.execute(  # type: ignore[misc]
            "INSERT INTO customers (last_seen_at, created_at, updated_at) VALUES ('t', 't', 't') RETURNING id"
        ).fetchone()
    assert new_id == max_id + 1
    conn.close()


def test_a_second_migrate_is_refused(shop: Path, pg_url: str) -> None:
    assert migrate_file(shop, pg_url, lambda *_: True).ok
    with pytest.raises(UserError, match=r"already holds csdesk data .*nothing was copied") as refused:
        migrate_file(shop, pg_url, lambda *_: True)
    # Named by what the shop knows (customers, visits), before the bookkeeping tables.
    assert re.search(r"already holds csdesk data \(\d+ customers, \d+ visits, ", str(refused.value))


def test_a_table_the_server_does_not_know_stops_the_move(shop: Path, pg_url: str, tmp_path: Path) -> None:
    import sqlite3

    odd = tmp_path / "odd.db"
    odd.write_bytes(shop.read_bytes())
    with sqlite3.connect(odd) as raw:
        raw.execute("CREATE TABLE loyalty_points (id INTEGER PRIMARY KEY, points INTEGER)")
    raw.close()
    with pytest.raises(UserError, match=r"tables csdesk cannot move to the server yet \(loyalty_points\)"):
        migrate_file(odd, pg_url, lambda *_: True)
    conn = connect.connect(pg_url)
    assert conn.execute("SELECT count(*) FROM customers").fetchone() == (0,)
    conn.close()


def test_a_changed_row_is_caught_by_the_checksum(shop: Path, pg_url: str) -> None:
    assert migrate_file(shop, pg_url, lambda *_: True).ok
    conn = connect.connect(pg_url)
    conn.execute("UPDATE notes SET body = body || '!' WHERE id = 1")
    src = copy.open_source(shop)
    checks = {c.table: c for c in copy.verify(src, conn, copy.file_tables(src))}
    assert not checks["notes"].ok and checks["notes"].file_rows == checks["notes"].server_rows
    assert checks["customers"].ok
    src.close()
    conn.close()


def test_the_file_must_be_csdesks_and_current(tmp_path: Path, pg_url: str) -> None:
    with pytest.raises(UserError, match="no database file"):
        migrate_file(tmp_path / "none.db", pg_url, lambda *_: True)
    other = tmp_path / "other.db"
    import sqlite3

    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(UserError, match="not a csdesk database"):
        migrate_file(other, pg_url, lambda *_: True)


def test_the_same_customers_on_both_engines(shop: Path, pg_url: str) -> None:
    assert migrate_file(shop, pg_url, lambda *_: True).ok
    src = copy.open_source(shop)
    conn = connect.connect(pg_url)
    checks = compare_search(src, conn, QUERIES)
    found_something = [c for c in checks if c.file_ids]
    assert len(found_something) >= len(QUERIES) - 3  # the fixture really is searched
    assert [c for c in checks if not c.ok] == []
    src.close()
    conn.close()


def test_search_on_the_server_uses_its_indexes(shop: Path, pg_url: str, pg_cluster: PgCluster) -> None:
    from csdesk.store.server.search import tsquery

    assert migrate_file(shop, pg_url, lambda *_: True).ok
    conn = connect.connect(pg_url)
    conn.execute("SET enable_seqscan = off")  # a tiny table: make the planner show what it can use
    plans = {
        "name": ("SELECT id FROM customers WHERE search_vector @@ %s::tsquery LIMIT 10", [tsquery('"gar"*')]),
        "note": ("SELECT id FROM notes WHERE body_vector @@ %s::tsquery", [tsquery('"warr"*')]),
        "phone": ("SELECT customer_id FROM customer_phones WHERE digits_rev >= %s AND digits_rev < %s",
                  ["1010", "1010:"]),
        "email": ("SELECT customer_id FROM customer_emails WHERE email_norm >= %s AND email_norm < %s",
                  ["jose", "jose\U0010ffff"]),
    }
    for kind, (sql, params) in plans.items():
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + sql, params).fetchall())  # type: ignore[arg-type]
        assert "Index" in plan and "Seq Scan" not in plan, (kind, plan)
    conn.close()


def test_more_matches_than_the_page_gives_the_same_page(
    tmp_path: Path, clock: FakeClock, pg_url: str
) -> None:
    """70 numbers ending in 4242, 34 addresses starting 'same': each engine must pick the same
    ones for the page, not whichever its plan meets first."""
    import random

    path = tmp_path / "many.db"
    desk = Desk.open(path, clock=clock)
    rng = random.Random(5)
    for i in range(70):
        clock.advance(minutes=1)
        desk.customers.create(CustomerDraft(
            first_name=f"Person{i}", email=f"same{rng.randint(100, 999)}.{i}@example.com",
            phones=(("mobile", f"+1 720 {rng.randint(200, 999)} 4242"),),
        ))
    desk.close()
    assert migrate_file(path, pg_url, lambda *_: True).ok
    src = copy.open_source(path)
    conn = connect.connect(pg_url)
    checks = compare_search(src, conn, ["4242", "720", "+1720", "same", "24242", "same1"])
    assert all(len(c.file_ids) == 50 for c in checks[:4])  # more matched than the page holds
    assert [c.query for c in checks if not c.ok] == []
    src.close()
    conn.close()
