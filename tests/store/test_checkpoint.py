"""Checkpoints off the commit path: the first write starts the thread, reads start nothing."""

from __future__ import annotations

import time
from pathlib import Path

import sqlite_utils

from csdesk.store import checkpoint
from csdesk.store.checkpoint import FALLBACK_AUTOCHECKPOINT_PAGES, Checkpointer
from csdesk.store.db import atomic, open_db


def _wal_frames(path: Path) -> int:
    """Frames in the log that nobody copied back yet, asked from a connection of our own."""
    probe = open_db(path, migrate=False)
    try:
        _busy, frames, done = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(frames) - int(done)
    finally:
        probe.close()


def _watched(path: Path, interval_s: float) -> tuple[sqlite_utils.Database, Checkpointer]:
    """A database with a scratch table, watched by a checkpointer that has not started."""
    db = open_db(path)
    db.execute("CREATE TABLE scratch (n INTEGER)")
    worker = Checkpointer(path, interval_s=interval_s)
    checkpoint.watch(db, worker)
    return db, worker


def test_the_first_write_starts_the_checkpointer_and_it_copies_the_log(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    db, worker = _watched(path, 0.05)
    # Raised before any write: not even the first commits checkpoint by themselves.
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == FALLBACK_AUTOCHECKPOINT_PAGES
    db.execute("SELECT count(*) FROM customers").fetchone()
    with atomic(db):  # a transaction that writes nothing starts nothing either
        db.execute("SELECT count(*) FROM customers").fetchone()
    assert not worker.running
    with atomic(db):
        db.execute("INSERT INTO scratch VALUES (-1)")
    assert worker.running
    for n in range(200):
        with atomic(db):
            db.execute("INSERT INTO scratch VALUES (?)", [n])
    runs = worker.runs
    deadline = time.monotonic() + 60  # a wait on the condition, not a time budget
    while worker.runs < runs + 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.stop()
    assert worker.runs >= runs + 2
    assert _wal_frames(path) == 0, "the thread copied every committed frame back"
    checkpoint.unwatch(db)
    db.close()


def test_a_nested_write_starts_it_only_when_the_outer_transaction_commits(tmp_path: Path) -> None:
    db, worker = _watched(tmp_path / "shop.db", 10)
    with atomic(db):
        with atomic(db):
            db.execute("INSERT INTO scratch VALUES (1)")
        assert not worker.running  # still inside the outer transaction: nothing committed
    assert worker.running
    worker.stop()
    db.close()
