"""A save returns the record as that save left it, on both engines, even when another counter
saves the same record the moment this one has committed. A form that keeps its own text after
Save carries the returned version into its next save: a later version there would let that next
save pass over the other counter's change unseen (the 3-counter test met it: read at 21,
returned at 24). The other counter's save is made from this desk's own change sink, which runs
right after the commit, where the old read-back sat."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from csdesk.domain import Change, CustomerDraft, IssueDraft
from csdesk.services.desk import Desk
from tests.conftest import FakeClock


@pytest.fixture
def counters(db_target: Path | str, clock: FakeClock) -> Iterator[tuple[Desk, Desk]]:
    one = Desk.open(db_target, clock=clock, computer="Counter 1")
    two = Desk.open(db_target, clock=clock, computer="Counter 2")
    yield one, two
    one.close()
    two.close()


def right_after_commit(desk: Desk, kind: str, then: Callable[[], object]) -> list[object]:
    """Run `then` once, from `desk`'s sink, when its next change of `kind` is published."""
    done: list[object] = []

    def listener(change: Change) -> None:
        if change.kind == kind and not done:
            done.append(then())

    desk.subscribe(listener)
    return done


def test_customer_save_returns_its_own_version(counters: tuple[Desk, Desk]) -> None:
    one, two = counters
    maria = one.customers.create(CustomerDraft(first_name="Maria", company="Old"))
    theirs = right_after_commit(one, "customer", lambda: two.customers.update(
        maria.id, CustomerDraft(first_name="Maria", company="Theirs"), version=maria.version + 1
    ))
    mine = one.customers.update(
        maria.id, CustomerDraft(first_name="Maria", company="Mine"), version=maria.version
    )
    assert theirs, "the other counter's save ran"
    assert (mine.version, mine.company) == (maria.version + 1, "Mine")
    assert one.customers.get(maria.id).version == maria.version + 2  # theirs is stored after


def test_note_and_visit_edits_return_their_own_version(counters: tuple[Desk, Desk]) -> None:
    one, two = counters
    cid = one.customers.create(CustomerDraft(first_name="Ana")).id
    note = one.notes.add(cid, "likes tea")
    visit = one.visits.log(cid, purpose="repair")
    right_after_commit(one, "note", lambda: two.notes.edit(
        note.id, body="likes coffee", version=note.version + 1
    ))
    right_after_commit(one, "visit", lambda: two.visits.edit(
        visit.id, purpose="pick-up", version=visit.version + 1
    ))
    saved_note = one.notes.edit(note.id, body="likes green tea", version=note.version)
    saved_visit = one.visits.edit(visit.id, purpose="repair, glass", version=visit.version)
    assert (saved_note.version, saved_note.body) == (note.version + 1, "likes green tea")
    assert (saved_visit.version, saved_visit.purpose) == (visit.version + 1, "repair, glass")
    assert one.notes.get(note.id).body == "likes coffee"  # the other counter's save came after
    assert one.visits.get(visit.id).purpose == "pick-up"


def test_issue_save_returns_its_own_version(counters: tuple[Desk, Desk]) -> None:
    one, two = counters
    cid = one.customers.create(CustomerDraft(first_name="Lee")).id
    issue = one.issues.log(IssueDraft(customer_id=cid, title="late delivery"))
    right_after_commit(one, "issue", lambda: two.issues.update(
        issue.id, IssueDraft(customer_id=cid, title="lost parcel"), version=issue.version + 1
    ))
    mine = one.issues.update(
        issue.id, IssueDraft(customer_id=cid, title="late delivery, twice"), version=issue.version
    )
    assert (mine.version, mine.title) == (issue.version + 1, "late delivery, twice")
    assert one.issues.get(issue.id).title == "lost parcel"
