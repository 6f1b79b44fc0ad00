"""`csdesk --db URL check --repair`: rebuild what the server's check (store/server/check.py)
calls repairable, from csdesk's own DDL and folding, in one transaction.

- an index that is missing, or invalid (a build cut off): dropped if there and created again
  from the CREATE INDEX statement of the migration that made it (not REINDEX: an index someone
  re-made with another definition comes back as csdesk's);
- customers' search columns (search_norm, exact_keys) and notes' body_norm: every row read and
  folded again with csdesk/text.py, the rows that differ written back (the search vectors are
  generated columns and follow); a stored search vector that differs from its function's
  value is rewritten the same way; phones' reversed digits from their E.164.

What cannot be rebuilt from the tables (a missing table, trigger or function, a newer schema)
is left to a restore: the check's report after the repair still says so.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

from csdesk.store.server import check, schema
from csdesk.text import exact_keys, fold, search_norm

_CREATE_INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?(\w+)\b[^;]*;", re.IGNORECASE)
_ON_TABLE = re.compile(r"\bON (\w+)", re.IGNORECASE)
_CHUNK = 5000  # rows read at a time by the refolding's server-side cursor


def index_statements(applied: list[str]) -> dict[str, str]:
    """Index name -> its CREATE INDEX statement, from the DDL the applied migrations ran."""
    texts = [schema._HISTORY, schema._SEARCH_FUNCTIONS, schema._TABLES, schema._AUDIT_GUARD]
    texts += [body for name, body in schema.LATER.items() if name in applied]
    found: dict[str, str] = {}
    for text in texts:
        for match in _CREATE_INDEX.finditer(text):
            found[match.group(1)] = match.group(0)
    return found


def repair(conn: psycopg.Connection) -> list[str]:
    """Rebuild indexes and search columns in one transaction; what was done, one line each."""
    done: list[str] = []
    with conn.transaction():
        applied = schema.applied(conn)
        statements = index_statements(applied)
        objects = check.present_objects(conn)
        present, tables = objects["index"], objects["table"]
        invalid = {r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relnamespace = 'public'::regnamespace AND NOT (i.indisvalid AND i.indisready)"
        ).fetchall()}
        for name, create in sorted(statements.items()):
            if name in present and name not in invalid:
                continue
            on = _ON_TABLE.search(create)
            if on is None or on.group(1) not in tables:
                continue  # its table is missing: a restore's job, which the check still says
            conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(create)
            done.append(f"index {name} {'rebuilt' if name in invalid else 'created again'}")
        for name in sorted(invalid - set(statements)):  # not csdesk's own: rebuild as it is
            conn.execute(sql.SQL("REINDEX INDEX {}").format(sql.Identifier(name)))
            done.append(f"index {name} rebuilt")
        done += _refold(conn)
    return done


def _refold(conn: psycopg.Connection) -> list[str]:
    done: list[str] = []
    fixes: list[tuple[str, str, int]] = []
    with conn.cursor(name="csdesk_repair_customers") as cur:
        cur.itersize = _CHUNK
        cur.execute("SELECT id, first_name, last_name, preferred_name, email, search_norm, exact_keys "
                    "FROM customers")
        for ident, first, last, preferred, email, norm, keys in cur:
            want_norm = search_norm(first, last, preferred, email)
            want_keys = exact_keys(first, last, preferred)
            if norm != want_norm or keys != want_keys:
                fixes.append((want_norm, want_keys, ident))
    if fixes:
        with conn.cursor() as cur:
            cur.executemany("UPDATE customers SET search_norm = %s, exact_keys = %s WHERE id = %s", fixes)
        done.append(f"search columns of {len(fixes)} customers folded again")
    stale = conn.execute(  # the generated vector is recomputed by any update of its row
        "UPDATE customers SET search_norm = search_norm "
        "WHERE search_vector IS DISTINCT FROM csdesk_search_vector(search_norm, email_norm)"
    ).rowcount
    if stale:
        done.append(f"search index entries of {stale} customers written again")
    notes: list[tuple[str, int]] = []
    with conn.cursor(name="csdesk_repair_notes") as cur:
        cur.itersize = _CHUNK
        cur.execute("SELECT id, body, body_norm FROM notes")
        notes = [(fold(body), ident) for ident, body, body_norm in cur if body_norm != fold(body)]
    if notes:
        with conn.cursor() as cur:
            cur.executemany("UPDATE notes SET body_norm = %s WHERE id = %s", notes)
        done.append(f"search column of {len(notes)} notes folded again")
    phones = conn.execute(
        "UPDATE customer_phones SET digits_rev = reverse(regexp_replace(e164, '[^0-9]', '', 'g')) "
        "WHERE e164 IS NOT NULL AND digits_rev <> reverse(regexp_replace(e164, '[^0-9]', '', 'g'))"
    ).rowcount
    if phones:
        done.append(f"search digits of {phones} phone numbers written again")
    return done
