"""Visits and calls on a real database file: logging, last-seen facts, edits, undo, suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csdesk.domain import Change, Channel, CustomerDraft
from csdesk.errors import NotFound, UserError
from csdesk.services.desk import Desk
from csdesk.services.visits import parse_channel
from tests.conftest import FakeClock


def _customer(desk: Desk, first: str = "Maria", last: str = "García") -> int:
    return desk.customers.create(CustomerDraft(first_name=first, last_name=last)).id


def _audit(desk: Desk, entity: str, entity_id: int) -> list[tuple[str, int, str | None]]:
    cur = desk.db.execute(
        "SELECT action, staff_id, after FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id",
        [entity, entity_id],
    )
    return [tuple(r) for r in cur.fetchall()]


def test_log_visit_updates_last_interaction_and_audits(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    changes: list[Change] = []
    desk.subscribe(changes.append)
    clock.advance(hours=3)
    visit = desk.visits.log(cid, purpose="  fitted walking boots ", outcome="happy", satisfaction=5)
    assert visit.channel is Channel.IN_PERSON
    assert visit.purpose == "fitted walking boots"
    assert visit.staff_id == desk.actor.id
    customer = desk.customers.get(cid)
    assert customer.visit_count == 1
    assert customer.last_visit_at == customer.last_seen_at == desk.now_iso()
    assert changes == [Change("visit", (visit.id,), cid)]
    actions = _audit(desk, "visit", visit.id)
    assert [a[0] for a in actions] == ["create"]
    assert json.loads(actions[0][2] or "{}")["purpose"] == "fitted walking boots"


def test_visit_moves_customer_to_the_top_of_recent_search(desk: Desk, clock: FakeClock) -> None:
    first = _customer(desk, "Ann", "Old")
    clock.advance(minutes=5)
    _customer(desk, "Ben", "New")
    assert desk.search.search("")[0].display_name == "Ben New"
    clock.advance(minutes=5)
    desk.visits.log(first, purpose="resoled boots")
    assert desk.search.search("")[0].customer_id == first


def test_anonymous_walk_in(desk: Desk) -> None:
    visit = desk.visits.log(None, purpose="asked for directions")
    assert visit.customer_id is None
    assert desk.visits.get(visit.id).purpose == "asked for directions"


def test_call_records_direction_and_duration(desk: Desk) -> None:
    cid = _customer(desk)
    call = desk.visits.log_call(cid, direction="out", duration_s=245, purpose="order arrived")
    assert call.channel is Channel.PHONE and call.is_call
    assert (call.direction, call.duration_s) == ("out", 245)
    default = desk.visits.log(cid, channel="phone")
    assert default.direction == "in"  # a phone visit without a direction was a call to us
    in_person = desk.visits.log(cid, channel="in-person", direction="out")
    assert in_person.direction is None  # only calls have a direction
    assert desk.customers.get(cid).visit_count == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"duration_s": -1, "channel": "phone"}, "duration"),
        ({"duration_s": 90_000, "channel": "phone"}, "duration"),
        ({"direction": "sideways", "channel": "phone"}, "direction"),
        ({"channel": "carrier pigeon"}, "channel"),
        ({"purpose": "x" * 4001}, None),
    ],
)
def test_bad_visit_input_is_a_user_error_and_writes_nothing(
    desk: Desk, kwargs: dict[str, object], field: str | None
) -> None:
    cid = _customer(desk)
    with pytest.raises(UserError) as caught:
        desk.visits.log(cid, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert desk.visits.count(cid) == 0
    assert desk.customers.get(cid).visit_count == 0


def test_unknown_customer_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound):
        desk.visits.log(12345)


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("in-person", Channel.IN_PERSON),
        ("In person", Channel.IN_PERSON),
        ("PHONE", Channel.PHONE),
        ("e-mail", Channel.EMAIL),
        ("chat", Channel.CHAT),
        ("social", Channel.SOCIAL),
        ("other", Channel.OTHER),
    ],
)
def test_channel_spellings(text: str, channel: Channel) -> None:
    assert parse_channel(text) is channel


def test_edit_records_who_and_when(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    visit = desk.visits.log(cid, purpose="boots")
    seen = desk.customers.get(cid).last_seen_at
    # Correcting someone else's entry takes a shift lead (tests/services/test_corrections.py).
    desk.db.execute("INSERT INTO staff (name, role, created_at) VALUES ('Sam', 'lead', 'x')")
    sam = desk.act_as("Sam")
    clock.advance(hours=1)
    edited = desk.visits.edit(visit.id, purpose="fitted walking boots", satisfaction=4)
    assert edited.purpose == "fitted walking boots" and edited.satisfaction == 4
    assert edited.outcome == ""  # untouched fields stay
    assert (edited.updated_by, edited.updated_at) == (sam.id, desk.now_iso())
    assert edited.created_by != sam.id
    assert [a[0] for a in _audit(desk, "visit", visit.id)] == ["create", "update"]
    assert desk.customers.get(cid).last_seen_at == seen  # a correction is not an interaction
    with pytest.raises(UserError):
        desk.visits.edit(visit.id, satisfaction=9)
    assert desk.visits.get(visit.id).satisfaction == 4


def test_soft_delete_and_undo_keep_counts_right(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    clock.advance(days=1)
    first = desk.visits.log(cid, purpose="first")
    clock.advance(days=1)
    second = desk.visits.log(cid, purpose="second")
    desk.visits.delete(second.id)
    customer = desk.customers.get(cid)
    assert customer.visit_count == 1
    assert customer.last_visit_at == first.at
    assert customer.last_seen_at == first.at
    assert [v.id for v in desk.visits.for_customer(cid)] == [first.id]
    with pytest.raises(NotFound):
        desk.visits.get(second.id)
    restored = desk.visits.restore(second.id)
    assert restored.deleted_at is None
    assert desk.visits.restore(second.id).id == second.id  # undo twice is harmless
    customer = desk.customers.get(cid)
    assert (customer.visit_count, customer.last_visit_at) == (2, second.at)
    assert [a[0] for a in _audit(desk, "visit", second.id)] == ["create", "delete", "restore"]


def test_purpose_suggestions_rank_frequent_then_recent(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    for purpose in [
        "Fitted walking boots",
        "fitted walking boots",
        "resoled boots",
        "bought socks",
        "Fitting for trail shoes",
        "Ñandú boots",
    ]:
        clock.advance(minutes=1)
        desk.visits.log(cid, purpose=purpose)
    assert desk.visits.purpose_suggestions("fit") == [
        "fitted walking boots",
        "Fitting for trail shoes",
    ]
    # Word starts count too: the most frequent first, then the most recent.
    assert desk.visits.purpose_suggestions("boo") == [
        "fitted walking boots",
        "Ñandú boots",
        "resoled boots",
    ]
    # A purpose that starts with the text comes before one with a later word starting with it.
    assert desk.visits.purpose_suggestions("bo")[0] == "bought socks"
    assert desk.visits.purpose_suggestions("nandu") == ["Ñandú boots"]
    assert desk.visits.purpose_suggestions("")[0] == "fitted walking boots"
    assert desk.visits.purpose_suggestions("zzz") == []
    assert desk.visits.purpose_suggestions("%_'\"*") == []  # hostile text is only text
    assert len(desk.visits.purpose_suggestions("", limit=2)) == 2


def test_deleted_visits_are_not_suggested(desk: Desk) -> None:
    cid = _customer(desk)
    visit = desk.visits.log(cid, purpose="typo purpse")
    desk.visits.delete(visit.id)
    assert desk.visits.purpose_suggestions("typo") == []


def test_a_visit_counts_and_a_note_lists(desk: Desk) -> None:
    cid = _customer(desk)
    desk.visits.log(cid, purpose="boots")
    desk.notes.add(cid, "Likes green")
    assert desk.visits.count(cid) == 1
    assert [n.body for n in desk.notes.for_customer(cid)] == ["Likes green"]


def test_walk_in_becomes_a_customer(desk: Desk, clock: FakeClock) -> None:
    visit = desk.visits.log(None, purpose="tried on winter coats")
    clock.advance(minutes=3)
    cid = _customer(desk, "Walk", "In")
    assigned = desk.visits.assign(visit.id, cid)
    assert assigned.customer_id == cid and assigned.updated_by == desk.actor.id
    customer = desk.customers.get(cid)
    assert (customer.visit_count, customer.last_visit_at) == (1, visit.at)
    assert customer.last_seen_at == desk.now_iso()  # created after the visit: creation is later
    with pytest.raises(UserError):
        desk.visits.assign(visit.id, _customer(desk, "Someone", "Else"))
    with pytest.raises(NotFound):
        desk.visits.assign(desk.visits.log(None).id, 4242)


def test_background_checkpoints_keep_the_wal_short(desk: Desk) -> None:
    import time

    assert desk.path is not None
    cid = _customer(desk)
    desk.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # start from an empty log
    size_before = desk.path.stat().st_size
    desk.start_background_checkpoints(interval_s=0.05)
    for i in range(300):
        desk.visits.log(cid, purpose=f"visit {i}")
    checkpointer = desk._checkpointer
    assert checkpointer is not None
    assert desk.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 20_000

    def copied_back() -> bool:  # the app never checkpoints itself below 20,000 pages
        return checkpointer.runs >= 3 and desk.path is not None and (
            desk.path.stat().st_size > size_before
        )

    deadline = time.monotonic() + 60  # a wait on the condition, not a budget
    while not copied_back() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert copied_back(), "the background thread copied the log into the database"
    # Stop the thread before looking: a checkpoint of our own would race its passes.
    desk.stop_background_checkpoints()
    busy, log_frames, done = desk.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and done == log_frames  # nothing left behind
    desk.close()
    assert desk._checkpointer is None


def test_any_writer_checkpoints_on_a_thread_started_by_its_first_write(db_path: Path) -> None:
    reader = Desk.open(db_path)  # makes the database (a write: the default staff member)
    reader.close()
    reader = Desk.open(db_path)
    reader.customers.count()
    reader.search.search("maria")
    assert reader._checkpointer is not None and not reader._checkpointer.running  # reads: no thread
    cid = _customer(reader)
    assert reader._checkpointer.running
    assert reader.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 20_000
    reader.visits.log(cid, purpose="fitted walking boots")
    reader.close()
    assert reader._checkpointer is None
