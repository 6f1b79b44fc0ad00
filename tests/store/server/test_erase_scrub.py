"""After an erase on the server, the erased customer's name, phone, e-mail and note text are in
no file of the database: no live row, no dead tuple, no index page (issue 15, item 6).

The test reads the database's own files in the throwaway cluster's data folder after a
CHECKPOINT (every page written out). The erased customer is the last one inserted, so its
tuples sit at the start of their pages' tuple area, where plain VACUUM leaves a dead tuple's
bytes in place: the case that makes VACUUM FULL necessary, shown first.
"""

from __future__ import annotations

import psycopg

from csdesk.store.server import connect, schema
from csdesk.store.server.erase import ERASE_TABLES, scrub_after_erase
from tests.pg_cluster import PgCluster

NAME, SURNAME = "Zorblatt", "Quixmoor"
PHONE = "+15550179346"
EMAIL = "zorblatt.quix@example.org"
NOTE = "allergic to walnuts, prefers Ylvaine blend"
MARKERS = ("zorblatt", "quixmoor", "5550179346", "6439710555", "ylvaine")


def _seed(conn: psycopg.Connection) -> int:
    for i in range(400):  # other customers, so the erased one shares pages with live rows
        conn.execute(
            "INSERT INTO customers (first_name, last_name, email, email_norm, search_norm, exact_keys, "
            "last_seen_at, created_at, updated_at) VALUES (%s, 'Smith', %s, %s, %s, '', 't', 't', 't')",
            [f"Ann{i}", f"ann{i}@example.com", f"ann{i}@example.com", f" ann{i} smith "],
        )
    (cid,) = conn.execute(  # type: ignore[misc]
        "INSERT INTO customers (first_name, last_name, email, email_norm, search_norm, exact_keys, "
        "last_seen_at, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, 't', 't', 't') RETURNING id",
        [NAME, SURNAME, EMAIL, EMAIL, f" {NAME.lower()} {SURNAME.lower()} ",
         f"|{NAME.lower()}|{SURNAME.lower()}|"],
    ).fetchone()
    conn.execute("INSERT INTO customer_phones (customer_id, raw, e164, digits_rev, national) "
                 "VALUES (%s, %s, %s, %s, %s)", [cid, "(555) 017-9346", PHONE, PHONE[1:][::-1], "5550179346"])
    conn.execute("INSERT INTO customer_emails (customer_id, address, email_norm) VALUES (%s, %s, %s)",
                 [cid, EMAIL, EMAIL])
    conn.execute("INSERT INTO notes (customer_id, body, body_norm, created_at) VALUES (%s, %s, %s, 't')",
                 [cid, NOTE, NOTE.lower()])
    conn.execute("INSERT INTO visits (customer_id, at, purpose, created_at) VALUES (%s, %s, %s, 't')",
                 [cid, "2026-11-30T12:00:00+00:00", f"Ylvaine tasting for {NAME}"])
    conn.execute("INSERT INTO audit (at, action, entity, entity_id, after) "
                 "VALUES ('t', 'create', 'customer', %s, %s)",
                 [cid, f'{{"first_name": "{NAME}", "last_name": "{SURNAME}"}}'])
    return int(cid)


def _erase(conn: psycopg.Connection, cid: int) -> None:
    """The statements of store/privacy.erase, as one transaction on the server."""
    with conn.transaction():
        conn.execute("INSERT INTO audit_redaction_open VALUES ('customer', %s)", [cid])
        conn.execute("UPDATE audit SET after = '{\"erased\": true}' WHERE entity = 'customer' "
                     "AND entity_id = %s", [cid])
        conn.execute("DELETE FROM audit_redaction_open")
        conn.execute("UPDATE visits SET customer_id = NULL, purpose = '', outcome = '', anonymised_at = 't' "
                     "WHERE customer_id = %s", [cid])
        for table in ("notes", "customer_phones", "customer_emails"):
            conn.execute(f"DELETE FROM {table} WHERE customer_id = %s", [cid])
        conn.execute("DELETE FROM customers WHERE id = %s", [cid])


def _found(cluster: PgCluster, conn: psycopg.Connection) -> dict[str, list[str]]:
    """Which markers are in which of the database's files, after every page was written out."""
    conn.execute("CHECKPOINT")
    (oid,) = conn.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()  # type: ignore[misc]
    found: dict[str, list[str]] = {}
    for name, data in cluster.database_files(oid).items():
        hits = [m for m in MARKERS if m.encode() in data.lower()]
        if hits:
            found[name] = hits
    return found


def test_vacuum_full_of_the_erased_tables_leaves_no_trace(pg_cluster: PgCluster, pg_url: str) -> None:
    conn = connect.connect(pg_url)
    schema.init(conn)
    cid = _seed(conn)
    assert _found(pg_cluster, conn)  # the markers are there to be found
    _erase(conn, cid)
    # Plain VACUUM is not enough: the deleted keys stay in the index pages (and a dead tuple at
    # the start of its page's tuple area stays in the heap).
    for table in ERASE_TABLES:
        conn.execute(f"VACUUM {table}")
    assert _found(pg_cluster, conn), "plain VACUUM removed every trace: VACUUM FULL would not be needed"
    assert scrub_after_erase(conn) == []
    assert _found(pg_cluster, conn) == {}
    # The live rows and csdesk's schema are intact: search still finds the others.
    found = conn.execute("SELECT count(*) FROM customers WHERE search_vector @@ 'ann1:*'::tsquery").fetchone()
    assert found is not None and found[0] > 0
    assert conn.execute("SELECT count(*) FROM customers").fetchone() == (400,)
    conn.close()


def test_a_table_another_counter_keeps_busy_is_reported_not_waited_for(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    schema.init(conn)
    other = connect.connect(pg_url)
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM notes")  # an open transaction holding a lock on notes
    busy = scrub_after_erase(conn)
    assert busy == ["notes"]
    other.execute("ROLLBACK")
    assert scrub_after_erase(conn) == []
    other.close()
    conn.close()
