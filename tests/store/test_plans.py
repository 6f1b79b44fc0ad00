"""store.plans reads the facts the index tests ask about off either engine's plan: a query
that an index serves says so, one that none serves reads its table whole, an order no index
gives is sorted."""

from __future__ import annotations

from csdesk.services.desk import Desk
from csdesk.store.plans import query_plan


def test_an_indexed_condition_uses_its_index(desk: Desk) -> None:
    plan = query_plan(desk.db, "SELECT id FROM notes WHERE customer_id = ? ORDER BY pinned DESC, "
                               "created_at DESC LIMIT 5", [1])
    assert plan.uses("notes_customer"), plan.text
    assert "notes" not in plan.whole_tables() and not plan.sorts, plan.text


def test_a_condition_no_index_serves_reads_the_table_whole(desk: Desk) -> None:
    plan = query_plan(desk.db, "SELECT id FROM notes WHERE body = ?", ["boots"])
    assert plan.whole_tables() == ["notes"], plan.text
    assert not plan.uses("notes_customer"), plan.text


def test_an_order_no_index_gives_is_sorted(desk: Desk) -> None:
    plan = query_plan(desk.db, "SELECT id FROM notes WHERE customer_id = ? ORDER BY body LIMIT 5",
                      [1])
    assert plan.sorts, plan.text
