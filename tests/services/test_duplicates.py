"""Finding likely duplicates and merging two customers into one."""

from __future__ import annotations

import pytest

from csdesk.domain import Channel, CustomerDraft, NoteKind
from csdesk.errors import NotFound, UserError
from csdesk.services.desk import Desk
from csdesk.store import merge as merge_store
from tests.conftest import FakeClock


@pytest.fixture(autouse=True)
def _as_admin(desk: Desk) -> None:
    """Imports, merges and exports are a lead's or an admin's job; permissions have own tests."""
    desk.auth.act_as_cli()


def test_pairs_by_phone_email_and_close_name(desk: Desk) -> None:
    c = desk.customers.create
    a = c(CustomerDraft(first_name="Jon", last_name="Smith", phones=(("mobile", "212 555 0100"),)))
    b = c(CustomerDraft(first_name="Jonathan", last_name="Doe", phones=(("home", "+1 (212) 555-0100"),)))
    d = c(CustomerDraft(first_name="Eve", email="eve@example.com"))
    e = c(CustomerDraft(first_name="Evelyn", email="EVE@example.com"))
    f = c(CustomerDraft(first_name="Zoë", last_name="Müller"))
    g = c(CustomerDraft(first_name="Zoe", last_name="Muller"))
    h = c(CustomerDraft(first_name="Johan", last_name="Muller"))
    i = c(CustomerDraft(first_name="Marie", last_name="Curie"))
    c(CustomerDraft(first_name="Marie", last_name="Dupont"))
    pairs = {(p.keep_id, p.other_id): p.reason for p in desk.duplicates.pairs()}
    assert pairs[(a.id, b.id)] == "same phone +12125550100"
    assert pairs[(d.id, e.id)] == "same e-mail eve@example.com"
    assert pairs[(f.id, g.id)] == "very close names"
    assert (f.id, h.id) not in pairs and (g.id, h.id) not in pairs
    assert not any(i.id in pair for pair in pairs)
    assert len(desk.duplicates.pairs(limit=1)) == 1


def test_merge_keeps_everything(desk: Desk, clock: FakeClock) -> None:
    keep = desk.customers.create(
        CustomerDraft(first_name="Ana", email="ana@example.com", phones=(("mobile", "212 555 0100"),))
    )
    clock.advance(days=-30)
    other = desk.customers.create(
        CustomerDraft(
            first_name="Anna",
            last_name="García",
            email="ana.old@example.com",
            birthday="03-07",
            phones=(("home", "+1 212 555 0100"), ("work", "+44 20 7946 0958")),
        )
    )
    clock.advance(days=31)
    desk.visits.log(keep.id, channel=Channel.IN_PERSON, purpose="boots")
    desk.visits.log(other.id, channel=Channel.PHONE, purpose="asked about socks")
    clock.advance(days=1)
    desk.visits.log(other.id, channel=Channel.IN_PERSON, purpose="bought socks")
    desk.notes.add(other.id, "Allergic to latex", kind=NoteKind.WARNING)
    # A feature table that lands later registers itself for merges.
    desk.db.execute("CREATE TABLE loyalty_cards (id INTEGER PRIMARY KEY, customer_id INTEGER, body TEXT)")
    desk.db.execute("INSERT INTO loyalty_cards (customer_id, body) VALUES (?, 'Gold')", [other.id])
    merge_store.register("loyalty_cards", "customer_id")
    other_before = desk.customers.get(other.id)
    result = desk.duplicates.merge(keep.id, other.id)
    assert result.moved["visits"] == 2 and result.moved["notes"] == 1 and result.moved["loyalty_cards"] == 1
    merged = desk.customers.get(keep.id)
    assert merged.first_name == "Ana" and merged.last_name == "García"  # blanks filled from other
    assert merged.email == "ana@example.com" and merged.birthday == "--03-07"
    assert [p.e164 for p in merged.phones] == ["+12125550100", "+442079460958"]
    assert merged.created_at == other_before.created_at  # the earliest
    assert merged.visit_count == 3 and merged.last_visit_at == clock.now.isoformat(timespec="seconds")
    assert len(desk.visits.for_customer(keep.id)) == 3
    bodies = {n.body for n in desk.notes.for_customer(keep.id)}
    assert bodies == {"Allergic to latex"}
    # The other's address is kept as one of hers, not as a note (issue 13.5).
    assert "ana.old@example.com" in [e.address for e in merged.emails]
    assert merged.email == merged.emails[0].address
    with pytest.raises(NotFound):
        desk.customers.get(other.id)
    row = desk.db.execute("SELECT entity_id, before FROM audit WHERE action = 'merge'").fetchone()
    assert row[0] == keep.id and f'"merged_id": {other.id}' in row[1]
    assert desk.db.execute("SELECT customer_id FROM loyalty_cards").fetchone()[0] == keep.id


def test_merge_refuses_nonsense(desk: Desk) -> None:
    a = desk.customers.create(CustomerDraft(first_name="A"))
    with pytest.raises(UserError):
        desk.duplicates.merge(a.id, a.id)
    with pytest.raises(NotFound):
        desk.duplicates.merge(a.id, 999)
    assert desk.customers.count() == 1


def test_reassign_skips_missing_tables(desk: Desk) -> None:
    merge_store.register("not_there_yet")
    a = desk.customers.create(CustomerDraft(first_name="A"))
    b = desk.customers.create(CustomerDraft(first_name="B"))
    assert "not_there_yet" not in desk.duplicates.merge(a.id, b.id).moved
