"""`csdesk check` on the shop's server: what the file's check (store/integrity.py) says of a file,
said of a PostgreSQL database, in the same report (CheckReport).

PostgreSQL looks after its own pages (and says so in its log); what can go wrong under csdesk
is csdesk's: a schema from another csdesk version, a table, index or trigger missing (dropped
by hand, a restore cut short), an index left invalid by an interrupted build, and search columns
that no longer match the names they were folded from (rows written by another program, or by
a csdesk whose folding differed). So the check reads:
  - the schema version (the named migrations applied) against this csdesk's,
  - every table, index, trigger and function the applied migrations create, from the same DDL
    text that creates them (schema.py), so the list cannot drift from the schema,
  - every index valid and ready (pg_index),
  - a random sample of customers and notes: their folded search columns recomputed with
    csdesk/text.py and compared, and the stored search vector with the function that makes it;
    phones' reversed digits against their E.164.
"""

from __future__ import annotations

import re

import psycopg

from csdesk.store.integrity import CheckReport
from csdesk.store.server import schema
from csdesk.text import exact_keys, fold, search_norm

SAMPLE_ROWS = 200
_OBJECTS = {
    "table": re.compile(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", re.IGNORECASE),
    "index": re.compile(r"CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?(\w+)", re.IGNORECASE),
    "trigger": re.compile(r"CREATE TRIGGER (\w+)", re.IGNORECASE),
    "function": re.compile(r"CREATE FUNCTION (\w+)", re.IGNORECASE),
}


def expected_objects(applied: list[str]) -> dict[str, set[str]]:
    """Tables, indexes, triggers and functions the applied migrations create, read from the DDL."""
    texts = [schema._HISTORY, schema._SEARCH_FUNCTIONS, schema._TABLES, schema._AUDIT_GUARD]
    texts += [body for name, body in schema.LATER.items() if name in applied]
    return {kind: {m for text in texts for m in pattern.findall(text)} for kind, pattern in _OBJECTS.items()}


def present_objects(conn: psycopg.Connection) -> dict[str, set[str]]:
    def names(query: str) -> set[str]:
        return {r[0] for r in conn.execute(query).fetchall()}

    return {
        "table": names("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                       "AND relkind IN ('r', 'p')"),
        "index": names("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                       "AND relkind = 'i'"),
        "trigger": names("SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                         "WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal"),
        "function": names("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace"),
    }


def check(conn: psycopg.Connection) -> CheckReport:
    """The server database's check; never writes (a read-only transaction)."""
    report = CheckReport()
    if not schema.is_csdesk(conn):
        tables = schema.user_tables(conn)
        report.fail("this database is not csdesk's: " + (
            f"it holds other tables ({', '.join(tables[:8])})" if tables
            else "it is empty (set it up with `csdesk server init URL`)"))
        report.wrong_database = True
        return report
    with conn.transaction():
        conn.execute("SET TRANSACTION READ ONLY")
        applied = schema.applied(conn)
        _version(applied, report)
        _objects(conn, applied, report)
        _indexes_valid(conn, report)
        if "customers" in present_objects(conn)["table"]:
            _search_columns(conn, applied, report)
    return report


def _version(applied: list[str], report: CheckReport) -> None:
    known = schema.pg_migrations()
    newer = schema.newer_than_this_csdesk(applied)
    missing = [n for n in known if n not in applied]
    report.checked.append(f"schema version {applied[-1] if applied else 'none'} "
                          f"({len(applied)} migrations)")
    if newer:
        report.fail(f"schema: made by a newer csdesk ({newer[-1]}); update csdesk on this computer")
    elif missing:
        # Not damage: the next csdesk to start migrates it (schema.open_csdesk).
        report.checked.append(f"schema is older than this csdesk: {', '.join(missing)} will be "
                              "applied when csdesk next starts on it")


def _objects(conn: psycopg.Connection, applied: list[str], report: CheckReport) -> None:
    expected = expected_objects(applied)
    present = present_objects(conn)
    for kind in ("table", "index", "trigger", "function"):
        missing = sorted(expected[kind] - present[kind])
        plural = "indexes" if kind == "index" else f"{kind}s"
        report.checked.append(f"{len(expected[kind])} {plural}")
        for name in missing:
            report.fail(f"{kind} {name} is missing", repairable=kind == "index")


def _indexes_valid(conn: psycopg.Connection, report: CheckReport) -> None:
    rows = conn.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relnamespace = 'public'::regnamespace AND NOT (i.indisvalid AND i.indisready) "
        "ORDER BY 1"
    ).fetchall()
    report.checked.append("every index valid")
    for (name,) in rows:
        report.fail(f"index {name} is not valid (an interrupted build): REINDEX INDEX {name}",
                    repairable=True)


def _search_columns(conn: psycopg.Connection, applied: list[str], report: CheckReport) -> None:
    rows = conn.execute(
        "SELECT id, first_name, last_name, preferred_name, email, search_norm, exact_keys, "
        "search_vector = csdesk_search_vector(search_norm, email_norm) "
        f"FROM customers ORDER BY random() LIMIT {SAMPLE_ROWS}"
    ).fetchall()
    report.checked.append(f"search columns of {len(rows)} sample customers")
    for ident, first, last, preferred, email, norm, keys, vector_ok in rows:
        if norm != search_norm(first, last, preferred, email) or keys != exact_keys(first, last, preferred):
            report.fail(f"customer {ident}: its search columns do not match its name", repairable=True)
            return
        if not vector_ok:
            report.fail(f"customer {ident}: its search index entry does not match its name",
                        repairable=True)
            return
    notes = conn.execute(
        f"SELECT id, body, body_norm FROM notes ORDER BY random() LIMIT {SAMPLE_ROWS}"
    ).fetchall()
    report.checked.append(f"search columns of {len(notes)} sample notes")
    for ident, body, body_norm in notes:
        if body_norm != fold(body):
            report.fail(f"note {ident}: its search column does not match its text", repairable=True)
            return
    (phones,) = conn.execute(  # type: ignore[misc]
        "SELECT count(*) FROM (SELECT digits_rev, e164 FROM customer_phones WHERE e164 IS NOT NULL "
        f"ORDER BY random() LIMIT {SAMPLE_ROWS}) s "
        "WHERE digits_rev <> reverse(regexp_replace(e164, '[^0-9]', '', 'g'))"
    ).fetchone()
    report.checked.append("phone search columns (sample)")
    if phones:
        report.fail("phone numbers: their search digits do not match the numbers", repairable=True)
