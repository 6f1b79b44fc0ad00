"""0009_customer_emails: every customer's e-mail moves into customer_emails; search stays indexed."""

from __future__ import annotations

from pathlib import Path

from csdesk.services.desk import Desk
from csdesk.store.db import open_db
from csdesk.store.migrations import migrations


def test_0009_moves_existing_emails_and_keeps_search_indexed(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path, migrate=False)
    migrations.apply(db, stop_before="0009_customer_emails")
    for name, email in (("Ana", "Ana@Example.com"), ("Bo", "")):
        db.execute(
            "INSERT INTO customers (first_name, email, email_norm, last_seen_at, created_at, "
            "updated_at) VALUES (?, ?, ?, '2026-01-01', '2026-01-01', '2026-01-01')",
            [name, email, email.casefold()],
        )
    db.conn.commit()
    db.close()

    desk = Desk.open(path)
    rows = desk.db.execute(
        "SELECT customer_id, position, address, email_norm FROM customer_emails"
    ).fetchall()
    assert rows == [(1, 0, "Ana@Example.com", "ana@example.com")]
    assert [h.customer_id for h in desk.search.search("ana@ex")] == [1]
    plan = " ".join(
        r[3]
        for r in desk.db.execute(
            "EXPLAIN QUERY PLAN SELECT DISTINCT customer_id FROM customer_emails INDEXED BY emails_norm "
            "WHERE email_norm >= 'a' AND email_norm < 'b'"
        )
    )
    assert "USING INDEX emails_norm" in plan or "USING COVERING INDEX emails_norm" in plan
    assert desk.customers.get(1).emails[0].address == "Ana@Example.com"
    desk.close()
