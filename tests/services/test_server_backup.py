"""Backups, restore and the check of a csdesk server with PostgreSQL's own tools, on the
throwaway cluster: the backup is read back before it counts, a restore is all or nothing (a
backup cut short changes nothing), refuses what is not a csdesk server's backup, brings an
older backup up to date, keeps the database's identity; the daily backup is made by one
counter only; the check finds a missing index and search columns that do not match."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from csdesk.errors import UserError
from csdesk.services.server import migrate_file
from csdesk.services.server_backup import ServerBackups
from csdesk.store.server import connect, dump, schema
from tests.conftest import FakeClock
from tests.pg_cluster import PgCluster

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
AFTER_0013 = list(schema.LATER)[list(schema.LATER).index("0013_phone_digits") + 1 :]


@pytest.fixture(scope="module")
def shop_template(pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small shop (the demo generator), migrated once; each test gets a copy of it."""
    folder = tmp_path_factory.mktemp("shop")
    made = subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(folder / "shop.db"), "demo", "--customers", "40"],
        capture_output=True, text=True, env={**os.environ, "CSDESK_DATA_DIR": str(folder)}, timeout=300,
    )
    assert made.returncode == 0, made.stderr
    name = pg_cluster.new_database()
    report = migrate_file(folder / "shop.db", pg_cluster.url(name), lambda *a: True)
    assert report.ok
    return name


@pytest.fixture
def shop(pg_cluster: PgCluster, shop_template: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    pg_cluster.psql(f'CREATE DATABASE "{name}" TEMPLATE "{shop_template}"')
    return pg_cluster.url(name)


@pytest.fixture
def backups(shop: str, tmp_path: Path) -> Iterator[ServerBackups]:
    b = ServerBackups(shop, clock=FakeClock(NOON), folder=tmp_path / "backups", computer="Counter 1")
    yield b
    b.close()


def one(conn, sql: str):  # type: ignore[no-untyped-def]
    return conn.execute(sql).fetchone()[0]


def test_backup_is_pg_dump_custom_format_read_back_and_audited(
    backups: ServerBackups, tmp_path: Path
) -> None:
    result = backups.backup(tmp_path / "shop.dump")
    assert result.path == tmp_path / "shop.dump" and result.size > 1000
    assert result.path.read_bytes()[:5] == b"PGDMP"  # the custom format's magic
    assert not list(tmp_path.glob(".*.part"))  # no half-written file left beside it
    info = dump.inspect_dump(result.path, backups.tools())
    assert info.migrations == schema.pg_migrations() and info.database_id == backups.identity()
    after = json.loads(one(backups.conn, "SELECT after FROM audit WHERE action = 'backup'"))
    assert after["file"] == str(result.path) and after["verified"] is True
    assert one(backups.conn, "SELECT computer FROM audit WHERE action = 'backup'") == "Counter 1"
    # A file that exists is not replaced without --force.
    with pytest.raises(UserError, match="already exists"):
        backups.backup(tmp_path / "shop.dump")


def test_restore_puts_the_backup_back_and_saves_what_it_replaced(
    backups: ServerBackups, tmp_path: Path
) -> None:
    conn = backups.conn
    customers = one(conn, "SELECT count(*) FROM customers")
    ident = backups.identity()
    made = backups.backup(tmp_path / "before.dump")
    conn.execute("DELETE FROM customers WHERE id IN (SELECT id FROM customers ORDER BY id LIMIT 5)")
    conn.execute("UPDATE customers SET first_name = 'Changed' WHERE id = (SELECT max(id) FROM customers)")
    result = backups.restore(made.path)
    assert result.customers_now == customers and result.customers_replaced == customers - 5
    assert result.migrated == []
    assert one(conn, "SELECT count(*) FROM customers WHERE first_name = 'Changed'") == 0
    assert backups.identity() == ident  # the database keeps its own identity
    # What it replaced is a backup of its own, restorable, in the backups folder.
    assert result.previous_saved_as.parent == backups.folder and result.previous_saved_as.is_file()
    assert dump.inspect_dump(result.previous_saved_as, backups.tools()).database_id == ident
    restore_row = json.loads(one(conn, "SELECT after FROM audit WHERE action = 'restore'"))
    assert restore_row["previous_saved_as"] == str(result.previous_saved_as)
    # Everything csdesk's is back: the search index works and the audit log is append-only again.
    assert one(conn, "SELECT count(*) FROM customers WHERE search_vector @@ 'a:*'::tsquery") >= 0
    assert backups.check().ok, backups.check().problems
    with pytest.raises(Exception, match="audit log cannot be changed"):
        conn.execute("DELETE FROM audit")


def test_a_backup_damaged_at_its_end_changes_nothing(backups: ServerBackups, tmp_path: Path) -> None:
    """pg_restore fails half-way through the stream (the last table's data does not
    decompress): by then csdesk's tables were dropped and half the backup loaded, in the one
    transaction the missing COMMIT leaves to be rolled back."""
    conn = backups.conn
    made = backups.backup(tmp_path / "full.dump")
    damaged = tmp_path / "damaged.dump"
    data = bytearray(made.path.read_bytes())
    data[-400:-8] = bytes(392)
    damaged.write_bytes(bytes(data))
    dump.inspect_dump(damaged, backups.tools())  # its table of contents still reads as csdesk's
    conn.execute("UPDATE customers SET company = 'Kept' WHERE id = (SELECT min(id) FROM customers)")
    before = one(conn, "SELECT count(*) FROM visits")
    with pytest.raises(UserError, match=r"could not be read.*Nothing was changed"):
        backups.restore(damaged)
    assert one(conn, "SELECT count(*) FROM customers WHERE company = 'Kept'") == 1
    assert one(conn, "SELECT count(*) FROM visits") == before
    assert backups.check().ok


def test_a_backup_whose_records_do_not_fit_is_undone_whole(
    backups: ServerBackups, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    """The server refuses the backup at its very end (a foreign key is added after the data):
    psql stops, and everything before it in the transaction is rolled back."""
    conn = backups.conn
    made = backups.backup(tmp_path / "good.dump")
    conn.execute("SET session_replication_role = replica")  # a superuser's way to write an orphan
    conn.execute("INSERT INTO visits (customer_id, at, created_at) VALUES (999999, 't', 't')")
    conn.execute("SET session_replication_role = origin")
    orphan = tmp_path / "orphan.dump"
    pg_dump = str(backups.tools().dump.path)
    subprocess.run([pg_dump, "-Fc", "-f", str(orphan), "-d", backups.target], check=True)
    backups.restore(made.path)  # the good one back: no orphan on the server now
    conn.execute("UPDATE customers SET company = 'Kept' WHERE id = (SELECT min(id) FROM customers)")
    with pytest.raises(UserError, match=r"failed and was undone, nothing was changed.*foreign key"):
        backups.restore(orphan)
    assert one(conn, "SELECT count(*) FROM customers WHERE company = 'Kept'") == 1
    assert one(conn, "SELECT count(*) FROM visits WHERE customer_id = 999999") == 0
    assert backups.check().ok


def test_a_backup_cut_short_is_refused(backups: ServerBackups, tmp_path: Path) -> None:
    made = backups.backup(tmp_path / "full.dump")
    cut = tmp_path / "cut.dump"
    cut.write_bytes(made.path.read_bytes()[: made.size // 2])
    customers = one(backups.conn, "SELECT count(*) FROM customers")
    with pytest.raises(UserError, match="Nothing was changed"):
        backups.restore(cut)
    assert one(backups.conn, "SELECT count(*) FROM customers") == customers


@pytest.mark.parametrize("kind", ["sqlite", "text", "other program"])
def test_restore_refuses_what_is_not_a_csdesk_servers_backup(
    kind: str, backups: ServerBackups, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    source = tmp_path / "offered"
    if kind == "sqlite":
        import sqlite3

        sqlite3.connect(source).execute("CREATE TABLE t (x)").connection.commit()
        expected = "a csdesk database file, not a backup of a server"
    elif kind == "text":
        source.write_text("customers,phones\n")
        expected = "not a PostgreSQL backup in custom format"
    else:
        other = pg_cluster.new_database()
        pg_cluster.psql("CREATE TABLE payroll (id int)", database=other)
        pg_dump = str(backups.tools().dump.path)
        subprocess.run([pg_dump, "-Fc", "-f", str(source), "-d", pg_cluster.url(other)], check=True)
        expected = "not of a csdesk database"
    customers = one(backups.conn, "SELECT count(*) FROM customers")
    with pytest.raises(UserError, match=expected):
        backups.restore(source)
    assert one(backups.conn, "SELECT count(*) FROM customers") == customers
    assert list(backups.folder.glob("*prerestore*")) == []  # refused before anything was done


def test_a_servers_backup_offered_to_a_file_says_where_it_goes(
    backups: ServerBackups, tmp_path: Path
) -> None:
    """`csdesk restore shop.dump` on a counter still on its file: "not a readable SQLite
    database" said nothing about what the file is or what to do."""
    from csdesk.domain import CustomerDraft
    from csdesk.services.desk import Desk

    made = backups.backup(tmp_path / "shop.dump").path
    desk = Desk.open(tmp_path / "counter.db")
    try:
        desk.customers.create(CustomerDraft(first_name="Kept"))
        desk.auth.act_as_cli()
        with pytest.raises(UserError, match=r"backup of a csdesk server .* Restore it onto the server"):
            desk.backups.restore(made)
        assert [h.display_name for h in desk.search.search("Kept")] == ["Kept"]
        assert desk.customers.count() == 1
    finally:
        desk.close()


def test_another_databases_backup_needs_other_database(
    backups: ServerBackups, shop_template: str, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    other = pg_cluster.url(pg_cluster.new_database())
    conn = connect.connect(other)
    schema.init(conn)
    conn.close()
    with ServerBackups(other, clock=FakeClock(NOON), folder=tmp_path / "o", computer="x") as theirs:
        made = theirs.backup(tmp_path / "theirs.dump")
    with pytest.raises(UserError, match=r"backup of another database.*--other-database"):
        backups.restore(made.path)
    ident = backups.identity()
    result = backups.restore(made.path, other_database=True)
    assert result.customers_now == 0 and backups.identity() == ident


def test_an_older_backup_is_brought_up_to_date_in_the_same_transaction(
    backups: ServerBackups, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    old_url = pg_cluster.url(pg_cluster.new_database())
    conn = connect.connect(old_url)
    schema.init(conn, upto="0013_phone_digits")
    conn.execute("UPDATE settings SET value = %s WHERE key = 'database_id'", [json.dumps(backups.identity())])
    conn.execute("INSERT INTO customers (first_name, search_norm, exact_keys, last_seen_at, created_at, "
                 "updated_at) VALUES ('Older', ' older ', '|older|', 't', 't', 't')")
    conn.close()
    older = tmp_path / "older.dump"
    subprocess.run([str(backups.tools().dump.path), "-Fc", "-f", str(older), "-d", old_url], check=True)
    result = backups.restore(older)
    assert result.migrated == AFTER_0013
    assert schema.applied(backups.conn) == schema.pg_migrations()
    assert backups.conn.execute("SELECT first_name, version FROM customers").fetchall() == [("Older", 1)]
    assert {"outbox", "changes", "presence"} <= set(schema.user_tables(backups.conn))
    assert backups.check().ok, backups.check().problems


def test_a_newer_csdesks_backup_is_refused(backups: ServerBackups, tmp_path: Path) -> None:
    backups.conn.execute(f"INSERT INTO {schema.MIGRATIONS_TABLE} (name) VALUES ('0099_future')")
    subprocess.run([str(backups.tools().dump.path), "-Fc", "-f", str(tmp_path / "new.dump"),
                    "-d", backups.target], check=True)
    backups.conn.execute(f"DELETE FROM {schema.MIGRATIONS_TABLE} WHERE name = '0099_future'")
    with pytest.raises(UserError, match=r"newer csdesk \(0099_future\)"):
        backups.restore(tmp_path / "new.dump")


def test_the_daily_backup_is_made_by_one_counter_only(shop: str, tmp_path: Path) -> None:
    clock = FakeClock(NOON)
    counters = [ServerBackups(shop, clock=clock, folder=tmp_path / "b", computer=f"Counter {i}")
                for i in range(3)]
    barrier = threading.Barrier(3)
    made: list[object] = []

    def start(b: ServerBackups) -> None:
        barrier.wait()
        made.append(b.auto_daily())

    threads = [threading.Thread(target=start, args=(b,)) for b in counters]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done = [m for m in made if m is not None]
    assert len(made) == 3 and len(done) == 1
    conn = counters[0].conn
    assert one(conn, "SELECT count(*) FROM audit WHERE action = 'backup'") == 1
    # Later the same day: nobody makes another; the next day, one again.
    assert all(b.auto_daily() is None for b in counters)
    clock.advance(days=1)
    assert counters[2].auto_daily() is not None and counters[0].auto_daily() is None
    assert counters[1].daily_done_today()["computer"] == "Counter 2"  # type: ignore[index]
    assert len(list((tmp_path / "b").glob("*-daily.dump"))) == 2
    for b in counters:
        b.close()


def test_check_finds_a_missing_index_and_search_columns_that_do_not_match(backups: ServerBackups) -> None:
    report = backups.check()
    assert report.ok, report.problems
    assert any(item.startswith(f"schema version {schema.pg_migrations()[-1]}") for item in report.checked)
    conn = backups.conn
    conn.execute("DROP INDEX phones_rev")
    conn.execute("UPDATE customers SET search_norm = ' nobody ' WHERE id = (SELECT min(id) FROM customers)")
    report = backups.check()
    assert not report.ok
    assert "index phones_rev is missing" in report.problems
    assert any("search columns do not match its name" in p for p in report.problems)


def test_check_names_an_older_schema_without_calling_it_damage(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    schema.init(conn, upto="0013_phone_digits")
    conn.close()
    with ServerBackups(pg_url) as b:
        report = b.check()
    assert report.ok, report.problems
    assert any(f"{', '.join(AFTER_0013)} will be applied" in c for c in report.checked)


def test_tools_missing_or_older_than_the_server_are_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"pg_dump \(PostgreSQL's backup tool\) is not installed.*--pg-bin"):
        dump.find_tool("pg_dump", 15, str(tmp_path))
    old = dump.Tool("pg_dump", Path("/opt/pg13/bin/pg_dump"), 13, "13.2")
    with pytest.raises(UserError, match=r"PostgreSQL 13.2 \(/opt/pg13/bin/pg_dump\), older than the server's "
                                        r"PostgreSQL 15"):
        dump.check_tool(None, name="pg_dump", server_major=15, seen=[old])
    assert dump.parse_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)") == (15, "15.18")
    assert dump.parse_version("pg_restore (PostgreSQL) 17.0") == (17, "17.0")
    # The real tools of this machine, found without being named (Debian keeps them off PATH).
    found = dump.find_tool("pg_restore", 15)
    assert found.major >= 15 and found.path.is_file()


def test_the_password_reaches_the_tools_by_environment_only() -> None:
    conninfo, env = dump.tool_connection("postgresql://shop:s3cret-pw@db.local:5433/csdesk?sslmode=require")
    assert "s3cret" not in conninfo and env["PGPASSWORD"] == "s3cret-pw"
    assert "sslmode=require" in conninfo and "dbname=csdesk" in conninfo


def test_a_counter_holding_the_tables_makes_the_restore_give_up_cleanly(
    backups: ServerBackups, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = backups.backup(tmp_path / "b.dump")
    monkeypatch.setattr(dump, "LOCK_TIMEOUT", "300ms")
    other = connect.connect(backups.target)
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM visits")  # a counter's open transaction on visits
    try:
        with pytest.raises(UserError, match="other counters kept the customer book busy"):
            backups.restore(made.path)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert backups.check().ok
