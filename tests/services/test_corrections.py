"""Who may correct whose entries: anyone their own; someone else's needs CORRECT_OTHERS (a shift
lead or an admin). Every edit, delete and undo of a visit or a note goes through the same rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from csdesk.domain import CustomerDraft, Role
from csdesk.errors import PermissionDenied
from csdesk.services.desk import Desk
from tests.services.helpers_security import add_member, fast_scrypt

__all__ = ["fast_scrypt"]


@pytest.fixture
def setup(desk: Desk, fast_scrypt: None) -> tuple[int, int, int]:
    """A visit and a note logged by Bea (staff); returns (customer, visit, note)."""
    bea = add_member(desk, "Bea", Role.STAFF)
    add_member(desk, "Cal", Role.STAFF)
    add_member(desk, "Lee", Role.LEAD)
    cid = desk.customers.create(CustomerDraft(first_name="Maria", last_name="García")).id
    desk.actor = bea
    visit = desk.visits.log(cid, purpose="boots")
    note = desk.notes.add(cid, "likes blue")
    return cid, visit.id, note.id


def _as(desk: Desk, name: str) -> None:
    desk.act_as(name)


def test_staff_cannot_edit_or_delete_someone_elses_visit(desk: Desk, setup: tuple[int, int, int]) -> None:
    _, visit_id, _ = setup
    _as(desk, "Cal")
    for attempt in (
        lambda: desk.visits.edit(visit_id, purpose="sandals"),
        lambda: desk.visits.delete(visit_id),
    ):
        with pytest.raises(PermissionDenied, match="correct entries made by someone else"):
            attempt()
    assert desk.visits.get(visit_id).purpose == "boots"  # nothing written


def test_staff_cannot_edit_or_delete_someone_elses_note(desk: Desk, setup: tuple[int, int, int]) -> None:
    _, _, note_id = setup
    _as(desk, "Cal")
    with pytest.raises(PermissionDenied, match="correct entries made by someone else"):
        desk.notes.edit(note_id, body="likes red")
    with pytest.raises(PermissionDenied, match="correct entries made by someone else"):
        desk.notes.delete(note_id)
    assert desk.notes.get(note_id).body == "likes blue"


def test_the_author_corrects_their_own_entries(desk: Desk, setup: tuple[int, int, int]) -> None:
    _, visit_id, note_id = setup
    _as(desk, "Bea")
    assert desk.visits.edit(visit_id, purpose="sandals").purpose == "sandals"
    assert desk.notes.edit(note_id, body="likes red").body == "likes red"
    desk.visits.delete(visit_id)
    desk.visits.restore(visit_id)
    desk.notes.delete(note_id)
    desk.notes.restore(note_id)


def test_a_lead_corrects_anyones_entries(desk: Desk, setup: tuple[int, int, int]) -> None:
    _, visit_id, note_id = setup
    _as(desk, "Lee")
    assert desk.visits.edit(visit_id, outcome="bought").outcome == "bought"
    assert desk.notes.edit(note_id, body="likes green").body == "likes green"
    desk.visits.delete(visit_id)
    desk.notes.delete(note_id)
    _as(desk, "Cal")  # bringing back what someone else deleted is a correction too
    with pytest.raises(PermissionDenied):
        desk.visits.restore(visit_id)
    with pytest.raises(PermissionDenied):
        desk.notes.restore(note_id)


def test_a_walk_in_is_given_to_a_customer_by_its_author_or_a_lead(
    desk: Desk, setup: tuple[int, int, int]
) -> None:
    cid, _, _ = setup
    walk_in = desk.visits.log(None, purpose="asked the way")  # Bea
    _as(desk, "Cal")
    with pytest.raises(PermissionDenied):
        desk.visits.assign(walk_in.id, cid)
    _as(desk, "Bea")
    assert desk.visits.assign(walk_in.id, cid).customer_id == cid


def test_a_deactivated_member_cannot_act(desk: Desk, setup: tuple[int, int, int]) -> None:
    cid, _, _ = setup
    _as(desk, "Bea")
    bea = desk.actor
    desk.auth.act_as_cli()
    desk.auth.deactivate("Bea")
    with pytest.raises(PermissionDenied, match="Bea's account is deactivated"):
        desk.act_as("Bea")
    desk.actor = replace(bea, active=False)  # a session that began before the deactivation
    with pytest.raises(PermissionDenied, match="deactivated"):
        desk.visits.log(cid, purpose="boots")
    with pytest.raises(PermissionDenied, match="deactivated"):
        desk.notes.add(cid, "x")
