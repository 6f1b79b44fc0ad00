"""Starting csdesk against an older csdesk schema on the server migrates it, as opening an
older file does: the missing named migrations, in one transaction, under a lock, so two
counters started at once after an update do not both migrate; a newer schema is refused."""

from __future__ import annotations

import threading

import psycopg
import pytest

from csdesk.errors import UserError
from csdesk.store.server import connect, schema

OLDER = "0013_phone_digits"  # a server set up by a csdesk from before the outbox and live counters


def test_an_older_schema_is_migrated_when_csdesk_opens_it(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    made = schema.init(conn, upto=OLDER)
    assert made[-1] == OLDER and "0014_outbox" not in made
    conn.execute(
        "INSERT INTO customers (first_name, last_seen_at, created_at, updated_at) "
        "VALUES ('Ada', 't', 't', 't')"
    )
    assert "outbox" not in schema.user_tables(conn)
    added = schema.open_csdesk(conn)
    assert added == [n for n in schema.LATER if n not in made]
    assert schema.applied(conn) == schema.pg_migrations()
    assert {"outbox", "changes", "presence"} <= set(schema.user_tables(conn))
    # The data survived; the later columns have their defaults on the old rows.
    assert conn.execute("SELECT first_name, version FROM customers").fetchall() == [("Ada", 1)]
    # Opened again: nothing to do, nothing recorded twice.
    assert schema.open_csdesk(conn) == []
    assert len(schema.applied(conn)) == len(set(schema.applied(conn)))
    conn.close()


def test_a_migration_that_fails_leaves_the_older_schema_as_it_was(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    schema.init(conn, upto=OLDER)
    # Something in the way of the last migration (0015 adds customers.version): the ones before
    # it (0014_outbox) must not stay applied on their own.
    conn.execute("ALTER TABLE customers ADD COLUMN version bigint")
    with pytest.raises(psycopg.errors.DuplicateColumn):
        schema.open_csdesk(conn)
    assert schema.applied(conn)[-1] == OLDER
    assert "outbox" not in schema.user_tables(conn)
    conn.close()


def test_two_counters_starting_at_once_migrate_once(pg_url: str) -> None:
    setup = connect.connect(pg_url)
    schema.init(setup, upto=OLDER)
    # Hold the migration lock, so both counters arrive while it is taken and must queue.
    setup.execute("BEGIN")
    setup.execute("SELECT pg_advisory_xact_lock(%s)", [schema.MIGRATION_LOCK])
    results: dict[str, list[str] | BaseException] = {}

    def start(name: str) -> None:
        conn = connect.connect(pg_url)
        try:
            results[name] = schema.open_csdesk(conn)
        except BaseException as exc:  # reported below, not lost in the thread
            results[name] = exc
        finally:
            conn.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in ("counter", "office")]
    for t in threads:
        t.start()
    # Both are waiting on the lock (not failed, not done) before it is released.
    waiting = 0
    for _ in range(200):
        (waiting,) = setup.execute(  # type: ignore[misc]
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
        if waiting == 2:
            break
        threading.Event().wait(0.02)
    assert waiting == 2
    setup.execute("COMMIT")
    for t in threads:
        t.join(30)
    assert all(isinstance(r, list) for r in results.values()), results
    applied_by = sorted(len(r) for r in results.values())  # type: ignore[arg-type]
    assert applied_by == [0, len(schema.LATER) - list(schema.LATER).index(OLDER) - 1]
    assert schema.applied(setup) == schema.pg_migrations()
    setup.close()


def test_a_newer_schema_is_refused_on_open_and_nothing_changes(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    schema.init(conn, upto=OLDER)
    conn.execute(f"INSERT INTO {schema.MIGRATIONS_TABLE} (name) VALUES ('0099_from_the_future')")
    with pytest.raises(UserError, match=r"newer csdesk \(0099_from_the_future\).*Update csdesk"):
        schema.open_csdesk(conn)
    assert "outbox" not in schema.user_tables(conn)  # the missing ones were not applied either
    conn.close()


def test_open_refuses_what_is_not_csdesk(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    with pytest.raises(UserError, match="csdesk server init"):
        schema.open_csdesk(conn)
    conn.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(UserError, match=r"not csdesk's.*invoices"):
        schema.open_csdesk(conn)
    conn.close()


def test_0018_search_namesakes_indexes_an_existing_servers_whole_names(pg_url: str) -> None:
    # A server set up before 0018 (customers already there) gets the namesakes index when
    # csdesk opens it; csdesk_has_namesake answers from it for names there, names only inside
    # a longer name ("anne" of Anne-Marie) and names nobody has.
    conn = connect.connect(pg_url)
    schema.init(conn, upto="0017_search_prefixes")
    conn.execute(
        "INSERT INTO customers (first_name, last_name, search_norm, exact_keys, last_seen_at, "
        "created_at, updated_at) VALUES ('Anne-Marie', 'Cox', ' anne marie cox ', "
        "'|anne marie|cox|anne marie cox|', 't', 't', 't')"
    )
    assert schema.open_csdesk(conn)[:1] == ["0018_search_namesakes"]

    def has(name: str) -> bool:
        return bool(conn.execute("SELECT csdesk_has_namesake(%s)", [name]).fetchone()[0])  # type: ignore[index]

    assert has("cox") and has("anne marie") and has("anne marie cox")
    assert not has("anne") and not has("marie") and not has("co") and not has("")
    # The probe never walks the table or another index, whatever plan it gets: a plan made
    # for any name (generic, as a prepared statement's may be) guessed 5,000 namesakes and
    # walked to the first; inside the function only a bitmap scan of the index may answer.
    (config,) = conn.execute(  # type: ignore[misc]
        "SELECT proconfig FROM pg_proc WHERE proname = 'csdesk_has_namesake'"
    ).fetchone()
    assert sorted(config) == ["enable_indexonlyscan=off", "enable_indexscan=off", "enable_seqscan=off"]
    with conn.transaction():
        for setting in config:
            conn.execute(f"SET LOCAL {setting.replace('=', ' = ')}")
        conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        conn.execute(
            "PREPARE probe(text) AS SELECT FROM customers "
            "WHERE string_to_array(btrim(exact_keys, '|'), '|') @> ARRAY[$1]"
        )
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN EXECUTE probe('anne')").fetchall())
        conn.execute("DEALLOCATE probe")
    assert "Bitmap Index Scan on customers_namesakes" in plan, plan
    conn.close()


def test_0019_phone_containing_lists_an_existing_servers_numbers_from_the_trigram_index(
    pg_url: str,
) -> None:
    # A server set up before 0019 gets csdesk_phones_containing when csdesk opens it: the
    # numbers holding the digits, at most `cap` of them, and only ever from the trigram index
    # (a plan made for any digits would walk the table to the cap for digits nobody has).
    conn = connect.connect(pg_url)
    schema.init(conn, upto="0018_search_namesakes")
    conn.execute(
        "INSERT INTO customers (first_name, search_norm, exact_keys, last_seen_at, created_at, "
        "updated_at) VALUES ('Ana', ' ana ', '|ana|', 't', 't', 't')"
    )
    for number in ("+17205550104", "+17205550199", "+442079460958"):
        conn.execute(
            "INSERT INTO customer_phones (customer_id, label, raw, e164, position) "
            "SELECT max(id), 'mobile', %s, %s, 0 FROM customers", [number, number]
        )
    assert schema.open_csdesk(conn) == ["0019_phone_containing"]

    def found(digits: str, cap: int) -> int:
        return len(conn.execute("SELECT * FROM csdesk_phones_containing(%s, %s)", [digits, cap]).fetchall())

    assert (found("5550", 10), found("5550", 1), found("7946", 10), found("1234", 10)) == (2, 1, 1, 0)
    (config,) = conn.execute(  # type: ignore[misc]
        "SELECT proconfig FROM pg_proc WHERE proname = 'csdesk_phones_containing'"
    ).fetchone()
    assert sorted(config) == ["enable_indexonlyscan=off", "enable_indexscan=off", "enable_seqscan=off"]
    conn.close()
