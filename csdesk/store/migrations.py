"""Named, append-only migrations. Never edit one that has shipped: add the next one below it."""

from __future__ import annotations

import json
import sqlite3
import uuid

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("csdesk")


def known_migrations() -> list[str]:
    """The names of every migration this version knows, in order (a newer file has others)."""
    return [m.name for m in migrations._migrations]


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
        -- Covering: a search walks this index in recency order testing names without
        -- touching the table, so a one-letter prefix costs a bounded index scan.
        CREATE INDEX customers_recent ON customers(last_seen_at DESC, id DESC, search_norm, exact_keys);
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


@migrations(name="0002_timeline")
def _timeline(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        -- Note text, searchable from the main search. External content: the text lives once.
        -- prefix='3': a three-letter prefix reads one index entry instead of merging every word.
        CREATE VIRTUAL TABLE notes_fts USING fts5(
            body,
            content='notes', content_rowid='id',
            tokenize="unicode61 remove_diacritics 2",
            prefix='3'
        );
        INSERT INTO notes_fts(notes_fts) VALUES ('rebuild');
        -- One segment, so later note writes never pay for merging what the rebuild left.
        INSERT INTO notes_fts(notes_fts) VALUES ('optimize');
        CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
            INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body);
        END;
        CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
            INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
        END;
        CREATE TRIGGER notes_au AFTER UPDATE OF body ON notes BEGIN
            INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
            INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body);
        END;

        -- The timeline walks each source newest first for one customer; the rowid (the ref_id)
        -- is the implicit last column, so (at, id) keyset pages are index range scans.
        CREATE INDEX visits_timeline ON visits(customer_id, at) WHERE deleted_at IS NULL;
        CREATE INDEX visits_timeline_channel ON visits(customer_id, channel, at)
            WHERE deleted_at IS NULL;
        CREATE INDEX notes_timeline ON notes(customer_id, created_at) WHERE deleted_at IS NULL;

        -- Purpose suggestions read the shop's latest purposes from this index alone (covering),
        -- instead of one table lookup per visit scattered over the whole file.
        CREATE INDEX visits_purposes ON visits(at, purpose)
            WHERE deleted_at IS NULL AND purpose != '';
        """
    )


@migrations(name="0003_issues")
def _issues(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE issue_categories (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE UNIQUE INDEX issue_categories_name ON issue_categories(name COLLATE NOCASE);
        INSERT INTO issue_categories (name, position) VALUES
            ('Product fault', 1), ('Delivery', 2), ('Billing', 3), ('Service', 4), ('Other', 5);

        CREATE TABLE issues (
            id INTEGER PRIMARY KEY,
            -- NULL once the customer is erased: the issue stays as an anonymous statistic.
            customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            category_id INTEGER REFERENCES issue_categories(id),
            priority TEXT NOT NULL DEFAULT 'normal'
                CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
            -- 0 low .. 3 urgent, so "most urgent first" is an index scan, not a CASE per row.
            priority_rank INTEGER NOT NULL DEFAULT 1,
            channel TEXT NOT NULL DEFAULT 'in_person',
            owner_id INTEGER REFERENCES staff(id),
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed')),
            -- 1 while somebody still has to act; lists and queues lead with it in their indexes.
            is_open INTEGER
                GENERATED ALWAYS AS (status IN ('open', 'in_progress', 'waiting')) VIRTUAL,
            due_at TEXT NOT NULL,
            resolution TEXT NOT NULL DEFAULT '',
            satisfaction INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5),
            resolved_at TEXT,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES staff(id),
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX issues_queue ON issues(is_open, due_at, id);
        CREATE INDEX issues_priority ON issues(is_open, priority_rank DESC, due_at, id);
        CREATE INDEX issues_status ON issues(status, due_at, id);
        CREATE INDEX issues_owner ON issues(owner_id, is_open, due_at, id);
        CREATE INDEX issues_customer ON issues(customer_id, is_open, due_at);
        CREATE INDEX issues_category ON issues(category_id, is_open, due_at, id);
        CREATE INDEX issues_created ON issues(created_at DESC, id DESC);
        CREATE INDEX issues_updated ON issues(updated_at DESC, id DESC);

        CREATE TABLE issue_events (
            id INTEGER PRIMARY KEY,
            issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
            -- Copied from the issue so the timeline needs no join; NULL once the customer is erased.
            customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            kind TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT,
            comment TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX issue_events_issue ON issue_events(issue_id, at, id);
        CREATE INDEX issue_events_customer ON issue_events(customer_id, at);

        CREATE TABLE goodwill (
            id INTEGER PRIMARY KEY,
            issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('refund', 'discount', 'gift', 'other')),
            amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
            approved_by INTEGER REFERENCES staff(id),
            at TEXT NOT NULL
        );
        CREATE INDEX goodwill_issue ON goodwill(issue_id);

        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            issue_id INTEGER REFERENCES issues(id) ON DELETE SET NULL,
            title TEXT NOT NULL,
            due_at TEXT NOT NULL,
            owner_id INTEGER REFERENCES staff(id),
            done_at TEXT,
            done_by INTEGER REFERENCES staff(id),
            outcome TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES staff(id),
            version INTEGER NOT NULL DEFAULT 1
        );
        -- The "due today / overdue" queue only ever looks at follow-ups not yet done.
        CREATE INDEX followups_due ON followups(due_at, id) WHERE done_at IS NULL;
        CREATE INDEX followups_owner_due ON followups(owner_id, due_at) WHERE done_at IS NULL;
        CREATE INDEX followups_customer ON followups(customer_id, due_at);
        CREATE INDEX followups_issue ON followups(issue_id) WHERE issue_id IS NOT NULL;
        """
    )


@migrations(name="0004_letters")
def _letters(db: sqlite_utils.Database) -> None:
    # html is the letter exactly as it was sent, so a reprint never depends on today's template.
    # issue_id is a plain integer: the issues table belongs to another migration and may not exist.
    run_script(
        db,
        """
        CREATE TABLE letters (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            template TEXT NOT NULL,
            title TEXT NOT NULL,
            html TEXT NOT NULL,
            page_size TEXT NOT NULL DEFAULT 'A4' CHECK (page_size IN ('A4', 'Letter')),
            issue_id INTEGER,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id)
        );
        CREATE INDEX letters_customer ON letters(customer_id, created_at DESC);
        """,
    )


@migrations(name="0005_security")
def _security(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        -- Wrong-PIN backoff survives a restart, so closing the app does not reset the count.
        CREATE TABLE sign_in_failures (
            staff_id INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
            failures INTEGER NOT NULL DEFAULT 0,
            last_failure_at TEXT,
            locked_until TEXT
        );
        ALTER TABLE staff ADD COLUMN deactivated_at TEXT;
        -- Visits of an erased customer stay as anonymous statistics; this marks them.
        ALTER TABLE visits ADD COLUMN anonymised_at TEXT;

        -- The audit log is append-only. The one exception is a customer's erasure: inside that
        -- transaction the erase path opens a ticket per (entity, id) whose audit rows it may
        -- blank, blanks before/after to a fixed marker (nothing else may change), then closes
        -- the tickets again. Rows can never be deleted.
        CREATE TABLE audit_redaction_open (
            entity TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            PRIMARY KEY (entity, entity_id)
        );
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
            SELECT RAISE(ABORT, 'The audit log cannot be changed.');
        END;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        WHEN NOT (
            EXISTS (
                SELECT 1 FROM audit_redaction_open r
                WHERE r.entity = old.entity AND r.entity_id = old.entity_id
            )
            AND new.id IS old.id AND new.at IS old.at AND new.staff_id IS old.staff_id
            AND new.action IS old.action AND new.entity IS old.entity
            AND new.entity_id IS old.entity_id AND new.source IS old.source
            AND (new.before IS NULL OR new.before = '{"erased": true}')
            AND (new.after IS NULL OR new.after = '{"erased": true}')
        )
        BEGIN
            SELECT RAISE(ABORT, 'The audit log cannot be changed.');
        END;
        CREATE INDEX audit_staff ON audit(staff_id, at);
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


@migrations(name="0007_reports")
def _reports(db: sqlite_utils.Database) -> None:
    # The daily log reads every source by time range; each range needs its own index or a day
    # of 5,000 events turns into full scans of years of history. IF NOT EXISTS: another
    # migration (the customer timeline) may already have added an equivalent one.
    run_script(
        db,
        """
        CREATE TABLE handover_notes (
            id INTEGER PRIMARY KEY,
            body TEXT NOT NULL,
            -- Who the note is for, as the lead wrote it: "late shift", "Tuesday morning".
            for_shift TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            read_at TEXT,
            read_by INTEGER REFERENCES staff(id)
        );
        CREATE INDEX handover_unread ON handover_notes(created_at) WHERE read_at IS NULL;
        CREATE INDEX handover_created ON handover_notes(created_at);

        CREATE INDEX IF NOT EXISTS notes_created_at ON notes(created_at);
        CREATE INDEX IF NOT EXISTS issue_events_at ON issue_events(at);
        CREATE INDEX IF NOT EXISTS followups_created_at ON followups(created_at);
        CREATE INDEX IF NOT EXISTS followups_done_at ON followups(done_at)
            WHERE done_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS letters_created_at ON letters(created_at);
        CREATE INDEX IF NOT EXISTS customers_created_at ON customers(created_at);
        CREATE INDEX IF NOT EXISTS goodwill_at ON goodwill(at);
        """
    )


@migrations(name="0008_import_recovery")
def _import_recovery(db: sqlite_utils.Database) -> None:
    # An import a kill, a full disk or a busy error stopped half-way gets its own status, so it
    # can be undone or resumed; the CHECK constraint only changes by rebuilding the table. Its
    # child is rebuilt too, pointing at the new table first: dropping the old parent while a
    # child points at it would cascade-delete every import's undo record. RENAME then rewrites
    # the child's reference to the final name.
    # owner: the token of the lock the importing process holds (services.importing.liveness);
    # file_path/file_sha256/options: enough to read the same file the same way to resume it;
    # progress_at: when the last batch of rows committed (undo keeps what came after).
    run_script(
        db,
        """
        CREATE TABLE import_batches_new (
            id INTEGER PRIMARY KEY,
            file_name TEXT NOT NULL,
            format TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'done', 'cancelled', 'interrupted', 'undone')),
            started_at TEXT NOT NULL,
            started_by INTEGER REFERENCES staff(id),
            finished_at TEXT,
            rows_total INTEGER NOT NULL DEFAULT 0,
            created_count INTEGER NOT NULL DEFAULT 0,
            updated_count INTEGER NOT NULL DEFAULT 0,
            skipped_count INTEGER NOT NULL DEFAULT 0,
            undone_at TEXT,
            undone_by INTEGER REFERENCES staff(id),
            file_path TEXT NOT NULL DEFAULT '',
            file_sha256 TEXT NOT NULL DEFAULT '',
            options TEXT NOT NULL DEFAULT '{}',
            owner TEXT NOT NULL DEFAULT '',
            progress_at TEXT,
            interrupted_at TEXT,
            stop_reason TEXT NOT NULL DEFAULT ''
        );
        INSERT INTO import_batches_new (id, file_name, format, status, started_at, started_by,
            finished_at, rows_total, created_count, updated_count, skipped_count, undone_at,
            undone_by, progress_at)
        SELECT id, file_name, format, status, started_at, started_by, finished_at, rows_total,
            created_count, updated_count, skipped_count, undone_at, undone_by, finished_at
        FROM import_batches;
        CREATE TABLE import_items_new (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES import_batches_new(id) ON DELETE CASCADE,
            customer_id INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'note')),
            before TEXT
        );
        INSERT INTO import_items_new (id, batch_id, customer_id, action, before)
        SELECT id, batch_id, customer_id, action, before FROM import_items;
        DROP TABLE import_items;
        DROP TABLE import_batches;
        ALTER TABLE import_batches_new RENAME TO import_batches;
        ALTER TABLE import_items_new RENAME TO import_items;
        CREATE INDEX import_items_batch ON import_items(batch_id);
        CREATE INDEX import_items_customer ON import_items(customer_id);
        -- Every start looks for imports left running: this keeps that look one index probe.
        CREATE INDEX import_batches_running ON import_batches(status) WHERE status = 'running';
        """
    )


@migrations(name="0009_customer_emails")
def _customer_emails(db: sqlite_utils.Database) -> None:
    # A customer has several e-mail addresses with labels, as they have several phones. The
    # first (position 0) is the primary: customers.email and email_norm keep a copy of it for the
    # name index (customers_fts), result lists and letters; store.customers writes both together.
    # email_norm is indexed so a prefix search on any address is an index range scan.
    run_script(
        db,
        """
        CREATE TABLE customer_emails (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            label TEXT NOT NULL DEFAULT 'other',
            address TEXT NOT NULL,
            email_norm TEXT NOT NULL
        );
        CREATE INDEX emails_customer ON customer_emails(customer_id, position);
        CREATE INDEX emails_norm ON customer_emails(email_norm);
        INSERT INTO customer_emails (customer_id, position, label, address, email_norm)
        SELECT id, 0, 'other', email, email_norm FROM customers WHERE email != '';
        """
    )


@migrations(name="0010_search_folding")
def _search_folding(db: sqlite_utils.Database) -> None:
    """Accent-insensitive search in every script (issue 13.10).

    unicode61 folds Latin letters only: 'νικ' never found 'Νίκος', nor 'иоф' 'Йоффе'. The
    indexes now hold text folded in Python (csdesk.text.fold), the same fold queries get:
    customers_fts indexes search_norm (folded names) and email_norm, notes_fts a new
    notes.body_norm. Names folded the old way are refolded first (only non-ASCII ones differ).
    """
    from csdesk.text import exact_keys, fold, search_norm

    non_ascii = "GLOB '*[^ -~]*'"
    rows = db.execute(
        "SELECT id, first_name, last_name, preferred_name FROM customers "
        f"WHERE first_name || last_name || preferred_name {non_ascii}"
    ).fetchall()
    db.conn.executemany(
        "UPDATE customers SET search_norm = ?, exact_keys = ? WHERE id = ?",
        [(search_norm(f, last, p), exact_keys(f, last, p), i) for i, f, last, p in rows],
    )
    db.execute("ALTER TABLE notes ADD COLUMN body_norm TEXT NOT NULL DEFAULT ''")
    cursor = db.execute("SELECT id, body FROM notes")
    while batch := cursor.fetchmany(5000):
        db.conn.executemany(
            "UPDATE notes SET body_norm = ? WHERE id = ?", [(fold(b), i) for i, b in batch]
        )
    run_script(
        db,
        """
        DROP TRIGGER IF EXISTS customers_ai;
        DROP TRIGGER IF EXISTS customers_ad;
        DROP TRIGGER IF EXISTS customers_au;
        DROP TABLE customers_fts;
        CREATE VIRTUAL TABLE customers_fts USING fts5(
            search_norm, email_norm,
            content='customers', content_rowid='id',
            tokenize="unicode61 remove_diacritics 2",
            prefix='1 2 3'
        );
        INSERT INTO customers_fts(customers_fts) VALUES ('rebuild');
        INSERT INTO customers_fts(customers_fts) VALUES ('optimize');
        CREATE TRIGGER customers_ai AFTER INSERT ON customers BEGIN
            INSERT INTO customers_fts(rowid, search_norm, email_norm)
            VALUES (new.id, new.search_norm, new.email_norm);
        END;
        CREATE TRIGGER customers_ad AFTER DELETE ON customers BEGIN
            INSERT INTO customers_fts(customers_fts, rowid, search_norm, email_norm)
            VALUES ('delete', old.id, old.search_norm, old.email_norm);
        END;
        CREATE TRIGGER customers_au AFTER UPDATE OF search_norm, email_norm ON customers BEGIN
            INSERT INTO customers_fts(customers_fts, rowid, search_norm, email_norm)
            VALUES ('delete', old.id, old.search_norm, old.email_norm);
            INSERT INTO customers_fts(rowid, search_norm, email_norm)
            VALUES (new.id, new.search_norm, new.email_norm);
        END;
        """,
    )
    if not db.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'notes_fts'"
    ).fetchone():
        return  # 0002_timeline, applied later (see its test), builds the notes index itself
    run_script(
        db,
        """
        DROP TRIGGER IF EXISTS notes_ai;
        DROP TRIGGER IF EXISTS notes_ad;
        DROP TRIGGER IF EXISTS notes_au;
        DROP TABLE notes_fts;
        CREATE VIRTUAL TABLE notes_fts USING fts5(
            body_norm,
            content='notes', content_rowid='id',
            tokenize="unicode61 remove_diacritics 2",
            prefix='3'
        );
        INSERT INTO notes_fts(notes_fts) VALUES ('rebuild');
        INSERT INTO notes_fts(notes_fts) VALUES ('optimize');
        CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
            INSERT INTO notes_fts(rowid, body_norm) VALUES (new.id, new.body_norm);
        END;
        CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
            INSERT INTO notes_fts(notes_fts, rowid, body_norm) VALUES ('delete', old.id, old.body_norm);
        END;
        CREATE TRIGGER notes_au AFTER UPDATE OF body_norm ON notes BEGIN
            INSERT INTO notes_fts(notes_fts, rowid, body_norm) VALUES ('delete', old.id, old.body_norm);
            INSERT INTO notes_fts(rowid, body_norm) VALUES (new.id, new.body_norm);
        END;
        """,
    )


@migrations(name="0011_backup_identity")
def _backup_identity(db: sqlite_utils.Database) -> None:
    # Which database this is, whatever its file is called: backups are filed and named by it,
    # so two shops' csdesk.db never share a folder, and a restore can tell another database's
    # backup from its own. A copy of the file keeps it; a restore keeps the live file's own.
    db.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('database_id', ?)",
        [json.dumps(uuid.uuid4().hex)],
    )


@migrations(name="0012_insights")
def _insights(db: sqlite_utils.Database) -> None:
    # The Insights view reads months of visits in well under a second: a quarter is ~300,000
    # visits at a busy shop, and reading each of them (plus its customer) takes seconds. So the
    # visits are kept counted per UTC quarter hour, channel and staff member by triggers on
    # visits, the same writes that change them. A quarter hour, not an hour: every zone's
    # offset is a multiple of 15 minutes, so the view can move each slot to the shop's local
    # hour exactly (India, Newfoundland and DST days included). store/insights.py holds the
    # SQL the triggers share; store/bulk.py, which drops triggers for a load, adds what it
    # loaded afterwards.
    from csdesk.store.insights import SLOT_TRIGGERS, rebuild_slots

    run_script(
        db,
        """
        CREATE TABLE visit_slots (
            slot TEXT NOT NULL,             -- UTC quarter hour, 'YYYY-MM-DDTHH:MM'
            channel TEXT NOT NULL,
            staff_id INTEGER NOT NULL,      -- 0: nobody
            visits INTEGER NOT NULL DEFAULT 0,
            known INTEGER NOT NULL DEFAULT 0,   -- by customers in csdesk 12 h before the visit
            rated INTEGER NOT NULL DEFAULT 0,
            sat_sum INTEGER NOT NULL DEFAULT 0,
            s1 INTEGER NOT NULL DEFAULT 0,
            s2 INTEGER NOT NULL DEFAULT 0,
            s3 INTEGER NOT NULL DEFAULT 0,
            s4 INTEGER NOT NULL DEFAULT 0,
            s5 INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (slot, channel, staff_id)
        ) WITHOUT ROWID;
        -- Issues resolved in a period, follow-ups due in a period: range scans, not full scans.
        CREATE INDEX IF NOT EXISTS issues_resolved_at ON issues(resolved_at)
            WHERE resolved_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS followups_due_any ON followups(due_at);
        """,
    )
    run_script(db, SLOT_TRIGGERS)
    rebuild_slots(db)
@migrations(name="0013_phone_digits")
def _phone_digits(db: sqlite_utils.Database) -> None:
    # People read out a part of a number ("it has 0104 in it"): a trigram index over the E.164
    # text finds any three or more digits anywhere in it, where the reversed-digits and national
    # indexes only find the end and the start. SQLite's own trigram tokenizer (3.34+), so
    # sqlite3, sqlite-utils and Datasette read the file as before.
    run_script(
        db,
        """
        CREATE VIRTUAL TABLE phones_fts USING fts5(
            e164, content='customer_phones', content_rowid='id', tokenize='trigram'
        );
        INSERT INTO phones_fts(phones_fts) VALUES ('rebuild');
        INSERT INTO phones_fts(phones_fts) VALUES ('optimize');
        CREATE TRIGGER phones_ai AFTER INSERT ON customer_phones BEGIN
            INSERT INTO phones_fts(rowid, e164) VALUES (new.id, new.e164);
        END;
        CREATE TRIGGER phones_ad AFTER DELETE ON customer_phones BEGIN
            INSERT INTO phones_fts(phones_fts, rowid, e164) VALUES ('delete', old.id, old.e164);
        END;
        CREATE TRIGGER phones_au AFTER UPDATE OF e164 ON customer_phones BEGIN
            INSERT INTO phones_fts(phones_fts, rowid, e164) VALUES ('delete', old.id, old.e164);
            INSERT INTO phones_fts(rowid, e164) VALUES (new.id, new.e164);
        END;
        """,
    )


@migrations(name="0014_outbox")
def _outbox(db: sqlite_utils.Database) -> None:
    # E-mail waiting to go, going, gone or given up (issue 18). A row is written in the same
    # transaction as its letter, so a letter marked as e-mailed is never without its message.
    # message_id is fixed when the row is queued, so every attempt carries the same Message-ID.
    # data_started_at is set (and committed) just before the message body goes to the server:
    # a row found 'sending' without it was never received and may go again; with it, the server
    # may already have it, so it waits for a person instead of going twice (services/outbox.py).
    # The PDF attachment is base64 text, so both engines (and `csdesk migrate`'s checksums) see
    # the same plain column type.
    run_script(
        db,
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER REFERENCES customers(id),
            letter_id INTEGER REFERENCES letters(id),
            to_address TEXT NOT NULL,
            to_name TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL,
            html TEXT NOT NULL,
            text_body TEXT NOT NULL,
            attachment_name TEXT NOT NULL DEFAULT '',
            attachment TEXT,
            marketing INTEGER NOT NULL DEFAULT 0,
            message_id TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            lease_id TEXT,
            lease_until TEXT,
            data_started_at TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            sent_at TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
        CREATE INDEX outbox_customer_sent ON outbox(customer_id, sent_at);
        CREATE INDEX outbox_sent_at ON outbox(sent_at);
        """,
    )


@migrations(name="0015_live_counters")
def _live_counters(db: sqlite_utils.Database) -> None:
    # Several counters on one file (and, later, one server). Three things:
    # - `changes`: one small row per write, recorded in the write's own transaction (store.audit
    #   records it beside the audit row), so a rolled-back write leaves none. Other windows read
    #   the rows after the last id they saw; PostgreSQL's NOTIFY will carry the same row.
    #   AUTOINCREMENT: ids never come back after the old rows are pruned, so "after id N" holds.
    # - `version` on every record two people can edit at once: a save says which version it was
    #   read at, and a save over a newer one is refused (a Conflict), never silently kept.
    # - which computer did it (audit, visits: the daily log) and who has what open (`presence`,
    #   heartbeats that expire; never audited and never in `changes`).
    run_script(
        db,
        """
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            action TEXT NOT NULL,
            customer_id INTEGER,
            staff_id INTEGER,
            computer TEXT NOT NULL DEFAULT '',
            session TEXT NOT NULL DEFAULT '',
            detail TEXT
        );
        CREATE TABLE presence (
            session TEXT PRIMARY KEY,
            staff_id INTEGER,
            computer TEXT NOT NULL DEFAULT '',
            customer_id INTEGER,
            on_call INTEGER NOT NULL DEFAULT 0,
            seen_at TEXT NOT NULL
        );
        CREATE INDEX presence_customer ON presence(customer_id) WHERE customer_id IS NOT NULL;
        ALTER TABLE audit ADD COLUMN computer TEXT NOT NULL DEFAULT '';
        ALTER TABLE visits ADD COLUMN computer TEXT NOT NULL DEFAULT '';
        ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE notes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE visits ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE staff ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE settings ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        """,
    )


@migrations(name="0016_note_computer")
def _note_computer(db: sqlite_utils.Database) -> None:
    # Which computer wrote a note, as visits already say (0015): the daily log names the counter
    # each visit, call and note came from. Older notes say nothing ('').
    run_script(db, "ALTER TABLE notes ADD COLUMN computer TEXT NOT NULL DEFAULT '';")


@migrations(name="0017_search_prefixes")
def _search_prefixes(db: sqlite_utils.Database) -> None:
    # The server's name search vectors gain lexemes for prefixes of one to three letters
    # (store/server/schema.py, same name). The file's FTS5 index has had them since 0010
    # (prefix='1 2 3'), so here there is nothing to change: the name keeps both engines'
    # histories the same list, as `csdesk migrate` and the schema tests expect.
    del db


@migrations(name="0018_search_namesakes")
def _search_namesakes(db: sqlite_utils.Database) -> None:
    # The server gains an index of whole names (store/server/schema.py, same name), so a
    # search's exact-name step need not count a word's matches row by row when nobody has the
    # word as a name. FTS5 counts from its index, so the file has nothing to add.
    del db


@migrations(name="0019_phone_containing")
def _phone_containing(db: sqlite_utils.Database) -> None:
    # The server gains a capped lookup of the numbers holding digits from their middle
    # (store/server/schema.py, same name). The file's phones_fts lists its matches in rowid
    # order from its index, so here there is nothing to add.
    del db
