"""Nobody overwrites anybody: a save over a newer version is refused, saying who, when and what."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import Conflict
from csdesk.services.desk import Desk
from tests.conftest import FakeClock
from tests.services.helpers_security import make_admin


@pytest.fixture
def counters(db_path: Path, clock: FakeClock) -> Iterator[tuple[Desk, Desk]]:
    one = Desk.open(db_path, clock=clock, computer="Counter 1")
    two = Desk.open(db_path, clock=clock, computer="Counter 2")
    yield one, two
    one.close()
    two.close()


def test_a_stale_customer_save_is_refused_with_who_when_and_what(
    counters: tuple[Desk, Desk], clock: FakeClock
) -> None:
    one, two = counters
    maria = one.customers.create(CustomerDraft(first_name="Maria", company="Old Ltd"))
    anna = make_admin(one, "Anna")  # Anna saves at counter 1 ...
    one.actor = anna
    read_at_two = two.customers.get(maria.id)  # ... after counter 2 opened Maria's form
    clock.advance(minutes=2)
    one.customers.update(maria.id, CustomerDraft(first_name="Maria", company="New Ltd"),
                         version=one.customers.get(maria.id).version)
    with pytest.raises(Conflict) as refused:
        two.customers.update(
            maria.id, CustomerDraft(first_name="Maria", company="Mine Ltd"),
            version=read_at_two.version,
        )
    assert refused.value.who == "Anna" and refused.value.computer == "Counter 1"
    assert refused.value.changed == ("company",)
    assert str(refused.value).startswith("Anna changed Maria's details at 15:02 (at Counter 1): company")
    assert two.customers.get(maria.id).company == "New Ltd"  # nothing of the stale save
    # Saving again on the version now shown keeps one's own text, knowingly
    kept = two.customers.update(
        maria.id, CustomerDraft(first_name="Maria", company="Mine Ltd"),
        version=two.customers.get(maria.id).version,
    )
    assert kept.company == "Mine Ltd" and kept.version == read_at_two.version + 2


def test_stale_note_and_visit_edits_are_refused_but_appends_never_are(
    counters: tuple[Desk, Desk],
) -> None:
    one, two = counters
    maria = one.customers.create(CustomerDraft(first_name="Maria"))
    note = one.notes.add(maria.id, "Likes tea")
    visit = one.visits.log(maria.id, purpose="tyres")
    one.notes.edit(note.id, body="Likes green tea", version=note.version)
    one.visits.edit(visit.id, purpose="winter tyres", version=visit.version)
    with pytest.raises(Conflict, match="changed this note"):
        two.notes.edit(note.id, body="Likes coffee", version=note.version)
    with pytest.raises(Conflict, match="changed this visit"):
        two.visits.edit(visit.id, purpose="summer tyres", version=visit.version)
    assert two.notes.get(note.id).body == "Likes green tea"
    assert two.visits.get(visit.id).purpose == "winter tyres"
    # appends carry no version: both counters' visits and notes are kept
    two.visits.log(maria.id, purpose="a second visit")
    two.notes.add(maria.id, "A second note")
    assert len(one.visits.for_customer(maria.id)) == 2
    assert len(one.notes.for_customer(maria.id)) == 2
