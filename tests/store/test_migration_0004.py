"""0004_letters: the letters table keeps the HTML exactly as sent and checks its page size."""

from __future__ import annotations

import sqlite3

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.store.migrations import migrations


def test_letters_table(desk: Desk) -> None:
    assert "0004_letters" in [m.name for m in migrations._migrations]
    columns = {r[1] for r in desk.db.execute("PRAGMA table_info(letters)")}
    assert {"customer_id", "template", "title", "html", "page_size", "issue_id", "created_at"} <= columns
    customer = desk.customers.create(CustomerDraft(first_name="Ada")).id
    html = "<p>Dear Ada,\u00a0thank you &amp; see you soon</p>"
    desk.db.execute(
        "INSERT INTO letters (customer_id, template, title, html, created_at) VALUES (?, 't', 'T', ?, 'x')",
        [customer, html],
    )
    assert desk.db.execute("SELECT html, page_size FROM letters").fetchone() == (html, "A4")
    with pytest.raises(sqlite3.IntegrityError):
        desk.db.execute(
            "INSERT INTO letters (customer_id, template, title, html, page_size, created_at) "
            "VALUES (?, 't', 'T', '', 'A5', 'x')",
            [customer],
        )
