"""Named, append-only migrations. Never edit one that has shipped: add the next one below it."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("csdesk")


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run several statements inside the current transaction.

    sqlite3's executescript() commits first, which would break a migration's all-or-nothing promise.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            if statement.strip():
                db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement[:80]!r}")


@migrations(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'staff' CHECK (role IN ('staff', 'lead', 'admin')),
            active INTEGER NOT NULL DEFAULT 1,
            pin_hash TEXT,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX staff_name ON staff(name);

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL DEFAULT '',
            preferred_name TEXT NOT NULL DEFAULT '',
            pronunciation TEXT NOT NULL DEFAULT '',
            pronouns TEXT NOT NULL DEFAULT '',
            birthday TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            email_norm TEXT NOT NULL DEFAULT '',
            company TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            marketing_consent INTEGER NOT NULL DEFAULT 0,
            marketing_consent_at TEXT,
            -- Folded (case, accents) name tokens, ' '-framed: ' jose garcia marquez pepe '
            search_norm TEXT NOT NULL DEFAULT '',
            -- Whole names, folded and '|'-framed: '|jose|garcia marquez|jose garcia marquez|'
            exact_keys TEXT NOT NULL DEFAULT '',
            last_seen_at TEXT NOT NULL,
            last_visit_at TEXT,
            visit_count INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            updated_by INTEGER REFERENCES staff(id)
        );
        CREATE INDEX customers_recent ON customers(last_seen_at DESC, id DESC);
        CREATE INDEX customers_email ON customers(email_norm) WHERE email_norm != '';

        CREATE TABLE customer_phones (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            label TEXT NOT NULL DEFAULT 'mobile',
            raw TEXT NOT NULL,
            e164 TEXT,
            -- Digits of the E.164 number reversed: a suffix search becomes an index range scan.
            digits_rev TEXT NOT NULL DEFAULT '',
            -- National significant number, for numbers typed from the start without a country code.
            national TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX phones_customer ON customer_phones(customer_id);
        CREATE INDEX phones_e164 ON customer_phones(e164);
        CREATE INDEX phones_rev ON customer_phones(digits_rev);
        CREATE INDEX phones_national ON customer_phones(national);

        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            channel TEXT NOT NULL DEFAULT 'in_person',
            purpose TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL DEFAULT '',
            staff_id INTEGER REFERENCES staff(id),
            duration_s INTEGER,
            satisfaction INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5),
            direction TEXT CHECK (direction IS NULL OR direction IN ('in', 'out')),
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            updated_at TEXT,
            updated_by INTEGER REFERENCES staff(id),
            deleted_at TEXT
        );
        CREATE INDEX visits_customer ON visits(customer_id, at DESC);
        CREATE INDEX visits_at ON visits(at);

        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            body TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'remember',
            pinned INTEGER NOT NULL DEFAULT 0,
            read_before_serving INTEGER NOT NULL DEFAULT 0,
            expires_on TEXT,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            updated_at TEXT,
            updated_by INTEGER REFERENCES staff(id),
            deleted_at TEXT
        );
        CREATE INDEX notes_customer ON notes(customer_id, pinned DESC, created_at DESC);

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            before TEXT,
            after TEXT,
            source TEXT NOT NULL DEFAULT 'app'
        );
        CREATE INDEX audit_at ON audit(at);
        CREATE INDEX audit_entity ON audit(entity, entity_id);

        -- Names, preferred name and e-mail; prefix indexes keep 1-3 letter prefixes cheap.
        CREATE VIRTUAL TABLE customers_fts USING fts5(
            first_name, last_name, preferred_name, email,
            content='customers', content_rowid='id',
            tokenize="unicode61 remove_diacritics 2",
            prefix='1 2 3'
        );
        CREATE TRIGGER customers_ai AFTER INSERT ON customers BEGIN
            INSERT INTO customers_fts(rowid, first_name, last_name, preferred_name, email)
            VALUES (new.id, new.first_name, new.last_name, new.preferred_name, new.email);
        END;
        CREATE TRIGGER customers_ad AFTER DELETE ON customers BEGIN
            INSERT INTO customers_fts(customers_fts, rowid, first_name, last_name, preferred_name, email)
            VALUES ('delete', old.id, old.first_name, old.last_name, old.preferred_name, old.email);
        END;
        CREATE TRIGGER customers_au AFTER UPDATE OF first_name, last_name, preferred_name, email
        ON customers BEGIN
            INSERT INTO customers_fts(customers_fts, rowid, first_name, last_name, preferred_name, email)
            VALUES ('delete', old.id, old.first_name, old.last_name, old.preferred_name, old.email);
            INSERT INTO customers_fts(rowid, first_name, last_name, preferred_name, email)
            VALUES (new.id, new.first_name, new.last_name, new.preferred_name, new.email);
        END;
        """
    )


@migrations(name="0006_import")
def _import(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            file_name TEXT NOT NULL,
            format TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'done', 'cancelled', 'undone')),
            started_at TEXT NOT NULL,
            started_by INTEGER REFERENCES staff(id),
            finished_at TEXT,
            rows_total INTEGER NOT NULL DEFAULT 0,
            created_count INTEGER NOT NULL DEFAULT 0,
            updated_count INTEGER NOT NULL DEFAULT 0,
            skipped_count INTEGER NOT NULL DEFAULT 0,
            undone_at TEXT,
            undone_by INTEGER REFERENCES staff(id)
        );

        -- What each import did to each customer, so the whole import can be undone.
        -- No foreign key to customers: a customer merged or erased later must not break the log.
        CREATE TABLE import_items (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
            customer_id INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'note')),
            -- 'update': the customer row and phones as they were; 'note': {"note_id": …}. JSON.
            before TEXT
        );
        CREATE INDEX import_items_batch ON import_items(batch_id);
        CREATE INDEX import_items_customer ON import_items(customer_id);
        """
    )
