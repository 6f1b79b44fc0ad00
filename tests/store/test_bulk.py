"""store/bulk.py: FTS fed set-wise after inserts, and the demo's load with a rollback journal.

Real files; the killed load is killed for real (SIGKILL in a forked child)."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.store import bulk
from csdesk.store.db import atomic
from tests.conftest import FakeClock

_NOW = "2026-01-01T00:00:00+00:00"


def _triggers(desk: Desk) -> dict[str, str]:
    return dict(desk.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())


def _fts_ok(desk: Desk) -> None:
    for fts in ("customers_fts", "phones_fts", "notes_fts"):
        desk.db.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")


def _customer(cid: int, last: str) -> tuple[object, ...]:
    return (cid, "Ann", last, "", "", "", "", f"a{cid}@example.com", f"a{cid}@example.com", "", "",
            0, None, f" ann {last.lower()} a{cid} example com ", f"ann {last.lower()}", _NOW, None, 0,
            _NOW, _NOW, 1, 1)  # fmt: skip


def test_rows_inserted_meanwhile_are_searchable_and_the_triggers_come_back(desk: Desk) -> None:
    demo.generate(desk.context, 30, seed=5)  # some rows already indexed by the triggers
    triggers = _triggers(desk)
    first, _second = bulk.new_customer_ids(desk.db, 2)
    with atomic(desk.db), bulk.fts_after_inserts(desk.db, ("customers", "customer_phones")):
        bulk.insert_customers(desk.db, [_customer(first, "Quuxley"), _customer(first + 1, "Zorbin")])
        bulk.insert_phones(desk.db, [(first, 0, "mobile", "+1 415 555 0177", "+14155550177",
                                      "77105555141", "4155550177")])  # fmt: skip
    assert _triggers(desk) == triggers
    _fts_ok(desk)
    assert [h.customer_id for h in desk.search.search("quuxley")] == [first]
    assert first in [h.customer_id for h in desk.search.search("5550177")]
    # Later inserts go through the triggers again.
    desk.db.execute("INSERT INTO customers (first_name, last_name, search_norm, exact_keys, "
                    "last_seen_at, created_at, updated_at) VALUES ('Bo', 'Plimsoll', ' bo plimsoll ', "
                    "'bo plimsoll', ?, ?, ?)", [_NOW, _NOW, _NOW])  # fmt: skip
    assert len(desk.search.search("plimsoll")) == 1
    _fts_ok(desk)


def test_a_rolled_back_load_leaves_triggers_and_index_as_they_were(desk: Desk) -> None:
    triggers = _triggers(desk)
    with (
        pytest.raises(RuntimeError, match="disk"),
        atomic(desk.db),
        bulk.fts_after_inserts(desk.db, ("customers",)),
    ):
        bulk.insert_customers(desk.db, [_customer(1, "Quuxley")])
        raise RuntimeError("disk full")
    assert _triggers(desk) == triggers
    assert desk.customers.count() == 0 and desk.search.search("quuxley") == []
    _fts_ok(desk)


def test_outside_a_transaction_it_refuses(desk: Desk) -> None:
    with pytest.raises(RuntimeError, match="inside"), bulk.fts_after_inserts(desk.db, ("customers",)):
        pass


def test_the_demo_load_ends_in_wal_and_valid(desk: Desk) -> None:
    assert demo.generate(desk.context, 1000, seed=4, batch=100) == 1000
    assert desk.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert desk.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    _fts_ok(desk)


def test_with_another_connection_open_the_load_stays_in_wal(desk: Desk, db_path: Path) -> None:
    other = sqlite3.connect(db_path)
    other.execute("SELECT count(*) FROM customers").fetchone()
    with bulk.rollback_journal(desk.db) as switched:
        assert not switched
        assert desk.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    with bulk.rollback_journal(desk.db) as switched:
        assert switched
        assert desk.db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert desk.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_killed_demo_load_leaves_the_empty_database_it_found(tmp_path: Path, clock: FakeClock) -> None:
    db_path = tmp_path / "shop.db"
    Desk.open(db_path).close()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            desk = Desk.open(db_path)

            def progress(done: int, _total: int) -> bool:
                if done >= 600:
                    os.write(write_end, b"x")
                    signal.pause()  # killed here, mid-load, the journal switched
                return True

            demo.generate(desk.context, 1000, seed=4, batch=100, progress=progress)
        finally:
            os._exit(1)
    os.close(write_end)
    assert os.read(read_end, 1) == b"x"
    os.close(read_end)
    assert db_path.with_name("shop.db-journal").exists()  # the load runs with a rollback journal
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    desk = Desk.open(db_path, clock=clock)  # the next open rolls the journal back
    assert desk.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert desk.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert desk.customers.count() == 0
    assert desk.db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0
    _fts_ok(desk)
    assert demo.generate(desk.context, 1000, seed=4, batch=100) == 1000  # and it loads again
    desk.close()


def test_a_bulk_load_leaves_fts5_settings_as_they_were(desk: Desk) -> None:
    """The load rebuilds the search indexes with a bigger in-memory hash (fewer segments to
    merge); FTS5 keeps that setting in the index, so it is set back to FTS5's default."""
    assert demo.generate(desk.context, 1000, seed=4, batch=100) == 1000
    for table in ("customers_fts", "phones_fts", "notes_fts"):
        kept = dict(desk.db.execute(f"SELECT k, v FROM {table}_config").fetchall())
        assert kept.get("hashsize", 1024 * 1024) == 1024 * 1024, table
    _fts_ok(desk)
