"""Migration 0014_outbox on a database that has letters already, and the outbox's guarded state
changes: two senders claim one row, only one gets it; a lease that is not yours ends nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from csdesk.store import outbox as store
from csdesk.store.migrations import migrations


def _row(n: int) -> dict[str, object]:
    now = "2026-12-03T10:00:00+00:00"
    return {"to_address": f"c{n}@example.test", "subject": "Hi", "html": "<p>Hi</p>", "text_body": "Hi",
            "message_id": f"<{n}@example.test>", "next_attempt_at": now, "created_at": now,
            "updated_at": now}


def test_0014_outbox_upgrades_a_database_with_letters(tmp_path: Path) -> None:
    db = sqlite_utils.Database(sqlite3.connect(str(tmp_path / "old.db"), isolation_level=None))
    migrations.apply(db, stop_before="0014_outbox")
    assert "outbox" not in db.table_names()
    migrations.apply(db)
    assert "outbox" in db.table_names()
    assert {"outbox_due", "outbox_customer_sent", "outbox_sent_at"} <= {
        r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    with pytest.raises(sqlite3.IntegrityError):  # a state the code does not know is refused
        db.execute("INSERT INTO outbox (to_address, subject, html, text_body, message_id, state, "
                   "next_attempt_at, created_at, updated_at) VALUES ('a', 'b', 'c', 'd', 'e', 'lost', "
                   "'x', 'x', 'x')")


def test_only_one_sender_claims_a_row_and_only_its_holder_ends_it(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    first = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    migrations.apply(first)
    [oid] = store.insert_many(first, [_row(1)])
    second = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    now, later = "2026-12-03T10:00:00+00:00", "2026-12-03T10:10:00+00:00"
    assert store.claim(first, oid, "a:1:x", later, now)
    assert not store.claim(second, oid, "b:2:y", later, now)
    assert not store.finish(second, oid, "b:2:y", state="sent", now=now)
    assert store.mark_data_started(first, oid, "a:1:x", now)
    assert store.finish(first, oid, "a:1:x", state="sent", now=now)
    row = store.get(second, oid)
    assert row is not None and row["state"] == "sent" and row["sent_at"] == now
    assert store.pending_count(second) == 0
    assert not store.set_state(second, oid, to="queued", allowed=("failed",), now=now)
