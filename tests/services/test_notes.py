"""Notes: add, edit, pin, soft delete and undo, read-before-serving with expiry."""

from __future__ import annotations

import pytest

from csdesk.domain import CustomerDraft, NoteKind
from csdesk.errors import NotFound, UserError
from csdesk.services.desk import Desk
from tests.conftest import FakeClock


def _customer(desk: Desk) -> int:
    return desk.customers.create(CustomerDraft(first_name="Seun", last_name="Adeyemi")).id


def test_add_note_touches_last_seen(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    clock.advance(days=2)
    note = desk.notes.add(cid, " Daughter started university ", kind="family")
    assert note.body == "Daughter started university"
    assert note.kind is NoteKind.FAMILY
    customer = desk.customers.get(cid)
    assert customer.last_seen_at == desk.now_iso()
    assert customer.visit_count == 0  # a note is an interaction, not a visit


def test_edit_records_who_when_and_touches_last_seen(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    note = desk.notes.add(cid, "Size 43")
    clock.advance(days=1)
    edited = desk.notes.edit(note.id, body="Size 44, wide fit", kind=NoteKind.PREFERENCE)
    assert (edited.body, edited.kind) == ("Size 44, wide fit", NoteKind.PREFERENCE)
    assert (edited.updated_at, edited.updated_by) == (desk.now_iso(), desk.actor.id)
    assert edited.created_at != edited.updated_at
    assert desk.customers.get(cid).last_seen_at == desk.now_iso()
    rows = desk.db.execute(
        "SELECT action FROM audit WHERE entity = 'note' AND entity_id = ? ORDER BY id", [note.id]
    ).fetchall()
    assert [r[0] for r in rows] == ["create", "update"]


def test_pin_orders_first(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    old = desk.notes.add(cid, "old")
    clock.advance(minutes=1)
    new = desk.notes.add(cid, "new")
    assert [n.id for n in desk.notes.for_customer(cid)] == [new.id, old.id]
    assert desk.notes.pin(old.id).pinned
    assert [n.id for n in desk.notes.for_customer(cid)] == [old.id, new.id]
    assert not desk.notes.unpin(old.id).pinned
    assert [n.id for n in desk.notes.for_customer(cid)] == [new.id, old.id]


def test_delete_and_undo(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    note = desk.notes.add(cid, "Allergic to latex", kind="warning", read_before_serving=True)
    clock.advance(hours=1)
    desk.notes.delete(note.id)
    assert desk.notes.for_customer(cid) == []
    assert desk.notes.read_first(cid) == []
    assert desk.search.search("latex") == []  # a deleted note is not found
    with pytest.raises(NotFound):
        desk.notes.get(note.id)
    with pytest.raises(NotFound):
        desk.notes.edit(note.id, body="sneaky")
    back = desk.notes.restore(note.id)
    assert back.deleted_at is None and back.body == "Allergic to latex"
    assert [n.id for n in desk.notes.read_first(cid)] == [note.id]
    assert [h.customer_id for h in desk.search.search("latex")] == [cid]


def test_read_before_serving_until_expiry(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    desk.notes.add(
        cid, "Ask how the surgery went", read_before_serving=True, expires_on="2026-12-02"
    )
    desk.notes.add(cid, "Hard of hearing", kind="warning", read_before_serving=True)
    desk.notes.add(cid, "Likes blue", read_before_serving=False)
    assert {n.body for n in desk.notes.read_first(cid)} == {
        "Ask how the surgery went",
        "Hard of hearing",
    }
    clock.advance(days=2)  # 2026-12-02: the expiry day itself still shows
    assert len(desk.notes.read_first(cid)) == 2
    clock.advance(days=1)
    assert [n.body for n in desk.notes.read_first(cid)] == ["Hard of hearing"]


@pytest.mark.parametrize(
    "expiry", ["2026-02-30", "2026-13-01", "tomorrow", "30/12/2026", "2026-12-1x", "2025-02-29"]
)
def test_impossible_expiry_dates_are_user_errors(desk: Desk, expiry: str) -> None:
    cid = _customer(desk)
    with pytest.raises(UserError) as caught:
        desk.notes.add(cid, "x", read_before_serving=True, expires_on=expiry)
    assert caught.value.field == "expires_on"
    assert desk.notes.for_customer(cid) == []


def test_expiry_normalised_and_clearable(desk: Desk) -> None:
    cid = _customer(desk)
    note = desk.notes.add(cid, "x", expires_on="2028-2-29")
    assert note.expires_on == "2028-02-29"
    assert desk.notes.edit(note.id, expires_on="").expires_on is None


@pytest.mark.parametrize("body", ["", "   ", "x" * 4001])
def test_bad_bodies(desk: Desk, body: str) -> None:
    cid = _customer(desk)
    with pytest.raises(UserError):
        desk.notes.add(cid, body)


def test_unknown_kind_and_customer(desk: Desk) -> None:
    cid = _customer(desk)
    with pytest.raises(UserError):
        desk.notes.add(cid, "x", kind="gossip")
    with pytest.raises(NotFound):
        desk.notes.add(99999, "x")
    assert desk.notes.add(cid, "x", kind="family and life").kind is NoteKind.FAMILY


def test_a_read_first_note_cannot_be_saved_already_out_of_date(desk: Desk, clock: FakeClock) -> None:
    """"Read before serving" with Show until 2020-01-01 was saved without a word and never
    reached the greeting: an allergy warning with last year's year, gone before it started."""
    cid = _customer(desk)
    with pytest.raises(UserError, match=r"2020-01-01 has already passed.*never be shown") as caught:
        desk.notes.add(cid, "Allergic to latex", read_before_serving=True, expires_on="2020-01-01")
    assert caught.value.field == "expires_on"
    assert desk.notes.for_customer(cid) == []
    today = desk.notes.add(cid, "Ask about the fitting", read_before_serving=True,
                           expires_on="2026-11-30")  # the clock's today: shown all day
    assert [n.body for n in desk.notes.read_first(cid)] == ["Ask about the fitting"]
    # Not a read-first note: its date shows nowhere before serving, nothing to refuse.
    old = desk.notes.add(cid, "Old card", expires_on="2020-01-01")
    with pytest.raises(UserError, match="already passed"):
        desk.notes.edit(today.id, expires_on="2026-11-29")
    clock.advance(days=3)  # it ran out on its own: the text can still be corrected
    fixed = desk.notes.edit(today.id, body="Ask about the fitting on Friday")
    assert fixed.expires_on == "2026-11-30"
    with pytest.raises(UserError, match="already passed"):  # ticking it on, out of date
        desk.notes.edit(old.id, read_before_serving=True)
