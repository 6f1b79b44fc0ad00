"""Desk.without_waiting: a write that meets another connection's write lock fails at once with
DatabaseLocked and writes nothing, so the window can run the same write again on a worker."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import DatabaseLocked, UserError
from csdesk.services.desk import Desk
from csdesk.store.db import BUSY_TIMEOUT_MS


def test_a_write_without_waiting_meets_the_lock_writes_nothing_and_waits_again_after(
    tmp_path: Path,
) -> None:
    desk = Desk.open(tmp_path / "shop.db")
    try:
        customer = desk.customers.create(CustomerDraft(first_name="Ada", last_name="Byron"))
        other = sqlite3.connect(tmp_path / "shop.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseLocked) as caught, desk.without_waiting():
            desk.notes.add(customer.id, "Prefers mornings")
        assert isinstance(caught.value, UserError) and "busy" in str(caught.value)
        assert not desk.db.conn.in_transaction  # rolled back, nothing held
        # The wait is back for every other write of this connection.
        assert desk.db.conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
        other.execute("ROLLBACK")
        other.close()
        assert desk.notes.for_customer(customer.id) == []  # nothing half-written
        desk.notes.add(customer.id, "Prefers mornings")  # the same write, now free
        assert [n.body for n in desk.notes.for_customer(customer.id)] == ["Prefers mornings"]
    finally:
        desk.close()
