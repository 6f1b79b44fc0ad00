"""The csdesk schema on PostgreSQL: the file's tables and columns, the same migration names,
the audit log append-only, and a database that is not csdesk's refused by name."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from csdesk.errors import UserError
from csdesk.store.db import open_db
from csdesk.store.migrations import known_migrations
from csdesk.store.server import connect, schema
from tests.pg_cluster import PgCluster

# Columns only the server has: its search index (the file keeps that in customers_fts/notes_fts).
SERVER_ONLY = {"customers": {"search_vector"}, "notes": {"body_vector"}}
FILE_ONLY_TABLES = {"_sqlite_migrations"}  # the server's history is csdesk_migrations


def file_columns() -> dict[str, list[str]]:
    db = open_db(":memory:")
    tables = [
        r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_fts%'"
        ).fetchall()
    ]
    out = {t: [c[1] for c in db.execute(f"PRAGMA table_xinfo([{t}])").fetchall()]
           for t in tables if t not in FILE_ONLY_TABLES}
    db.close()
    return out


def test_init_makes_the_files_tables_and_history(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    names = schema.init(conn)
    assert names == known_migrations()
    server = {
        t: [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position", [t]).fetchall()]
        for t in schema.user_tables(conn) if t != schema.MIGRATIONS_TABLE
    }
    expected = file_columns()
    assert set(server) == set(expected)
    for table, columns in expected.items():
        assert [c for c in server[table] if c not in SERVER_ONLY.get(table, set())] == columns, table
    # The same seed rows as a new file: the issue categories, and a database id of its own.
    assert [r[0] for r in conn.execute("SELECT name FROM issue_categories ORDER BY position")] == list(
        schema.ISSUE_CATEGORIES
    )
    assert conn.execute("SELECT count(*) FROM settings WHERE key = 'database_id'").fetchone() == (1,)
    # Again: nothing to do, nothing duplicated.
    assert schema.init(conn) == names
    assert conn.execute("SELECT count(*) FROM issue_categories").fetchone() == (5,)
    conn.close()


def test_a_database_with_other_tables_is_refused_by_name(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    conn.execute("CREATE TABLE invoices (id int)")
    conn.execute("CREATE SCHEMA shop")
    conn.execute("CREATE TABLE shop.stock (id int)")
    conn.commit()
    with pytest.raises(UserError, match=r"not csdesk's: it holds other tables \(invoices, shop.stock\)"):
        schema.init(conn)
    with pytest.raises(UserError, match="not csdesk's"):
        schema.require_csdesk(conn)
    assert schema.user_tables(conn) == ["invoices", "shop.stock"]  # nothing was added
    conn.close()


def test_another_programs_tables_count_even_without_a_grant_to_csdesk(pg_cluster: PgCluster) -> None:
    """The shop points csdesk at its accounting program's database by mistake: that program's
    tables belong to its own role and csdesk's role may not read them. They still make the
    database "not csdesk's" (information_schema hid them, so it looked empty and init went on)."""
    role = "nc_" + uuid.uuid4().hex[:8]
    pg_cluster.psql(f"CREATE ROLE {role} LOGIN")
    database = pg_cluster.new_database(owner=role)
    pg_cluster.psql("CREATE TABLE ledger (id int)", database=database)  # the superuser's, no grant
    conn = connect.connect(pg_cluster.url(database, user=role))
    with pytest.raises(UserError, match=r"not csdesk's: it holds other tables \(ledger\)"):
        schema.init(conn)
    with pytest.raises(UserError, match=r"not csdesk's: it holds other tables \(ledger\)"):
        schema.require_csdesk(conn)
    assert schema.user_tables(conn) == ["ledger"]  # nothing of csdesk's was added
    conn.close()


def test_an_empty_database_is_named_as_such(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    with pytest.raises(UserError, match="csdesk server init"):
        schema.require_csdesk(conn)
    conn.close()


def test_a_newer_csdesk_schema_is_not_touched(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    schema.init(conn)
    conn.execute(f"INSERT INTO {schema.MIGRATIONS_TABLE} (name) VALUES ('0099_from_the_future')")
    conn.commit()
    with pytest.raises(UserError, match="newer csdesk"):
        schema.init(conn)
    conn.close()


def test_the_audit_log_is_append_only(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    schema.init(conn)
    conn.execute(
        "INSERT INTO audit (at, action, entity, entity_id, before) VALUES ('t', 'edit', 'customer', 7, 'x')"
    )
    conn.commit()
    for statement in ("DELETE FROM audit", "UPDATE audit SET action = 'nothing'",
                      "UPDATE audit SET before = '{\"erased\": true}'"):
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="audit log cannot be changed"):
            conn.execute(statement)
        conn.rollback()
    # Erase opens a redaction for the entity: then, and only to {"erased": true}, it may.
    conn.execute("INSERT INTO audit_redaction_open VALUES ('customer', 7)")
    conn.execute("UPDATE audit SET before = '{\"erased\": true}' WHERE entity_id = 7")
    conn.commit()
    assert conn.execute("SELECT before FROM audit").fetchone() == ('{"erased": true}',)
    conn.close()


def test_server_only_columns_come_from_the_folded_names(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    schema.init(conn)
    conn.execute(
        "INSERT INTO customers (search_norm, email_norm, last_seen_at, created_at, updated_at) "
        "VALUES (' ольга иоффе ', 'olga.io@example.com', 't', 't', 't')"
    )
    (vector,) = conn.execute("SELECT search_vector::text FROM customers").fetchone()  # type: ignore[misc]
    positions = {w.strip("'"): int(p) for w, p in (item.rsplit(":", 1) for item in vector.split())}
    # The names verbatim, in order; the address words after a gap no phrase can span.
    assert (positions["ольга"], positions["иоффе"]) == (1, 2)
    assert positions["olga"] > 100 and positions["com"] == positions["olga"] + 3
    conn.close()
