"""Two counters on one file: what one writes reaches the other's change sink; a rollback nobody."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from csdesk.domain import Change, CustomerDraft
from csdesk.services.desk import Desk
from csdesk.store import changes as change_store
from csdesk.store.db import atomic
from tests.conftest import FakeClock
from tests.services.helpers_security import make_admin


@pytest.fixture
def counters(db_path: Path, clock: FakeClock) -> Iterator[tuple[Desk, Desk]]:
    one = Desk.open(db_path, clock=clock, computer="Counter 1")
    two = Desk.open(db_path, clock=clock, computer="Counter 2")
    yield one, two
    one.close()
    two.close()


def heard_by(desk: Desk, within_s: float = 1.0) -> list[Change]:
    """Poll as the window does (every few hundred ms) until something arrives or time is up."""
    heard: list[Change] = []
    desk.subscribe(heard.append)
    try:
        deadline = time.monotonic() + within_s
        while not heard and time.monotonic() < deadline:
            desk.live.poll()
            time.sleep(0.05)
    finally:
        desk.unsubscribe(heard.append)
    return heard


def test_a_write_at_one_counter_reaches_the_others_sink_within_a_second(
    counters: tuple[Desk, Desk],
) -> None:
    one, two = counters
    two.live.start()
    maria = one.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
    started = time.monotonic()
    heard = heard_by(two)
    assert time.monotonic() - started < 1.0
    assert heard == [Change("customer", (maria.id,), maria.id)]
    visit = one.visits.log(maria.id, purpose="Tyres")
    note = one.notes.add(maria.id, "Prefers mornings")
    heard = heard_by(two)
    assert Change("visit", (visit.id,), maria.id) in heard
    assert Change("note", (note.id,), maria.id) in heard


def test_a_window_does_not_hear_its_own_writes_twice(counters: tuple[Desk, Desk]) -> None:
    one, _two = counters
    one.live.start()
    own: list[Change] = []
    one.subscribe(own.append)
    one.customers.create(CustomerDraft(first_name="Ana"))
    assert len(own) == 1  # the service told it once, locally
    assert one.live.poll() == []  # and the log does not tell it again
    assert len(own) == 1


def test_a_rolled_back_write_notifies_nobody(counters: tuple[Desk, Desk]) -> None:
    one, two = counters
    two.live.start()
    before = change_store.last_id(one.db)
    with pytest.raises(RuntimeError), atomic(one.db):
        one.db.execute("INSERT INTO customers (first_name, last_seen_at, created_at, updated_at) "
                       "VALUES ('Ghost', 'x', 'x', 'x')")
        from csdesk.store import audit
        audit.record(one.db, at="x", staff_id=None, action="create", entity="customer",
                     entity_id=1, after={})
        raise RuntimeError("the write fails after its audit row")
    assert change_store.last_id(one.db) == before
    assert heard_by(two, within_s=0.6) == []


def test_who_and_where_are_in_the_log_and_settings_say_which_key(
    counters: tuple[Desk, Desk],
) -> None:
    one, two = counters
    one.actor = make_admin(one)
    two.live.start()
    one.shop.set("shop_name", "Tyre Town")
    heard = heard_by(two)
    assert heard == [Change("settings", extra={"key": "shop_name"})]
    rows = change_store.since(two.db, 0)
    assert rows[-1]["computer"] == "Counter 1" and rows[-1]["staff_name"] == "Ada"
    audit = one.audit.entries(limit=1)[0]
    assert audit.computer == "Counter 1"


def test_a_window_asleep_longer_than_the_log_keeps_reloads_everything(
    counters: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = counters
    monkeypatch.setattr(change_store, "KEEP", 3)
    monkeypatch.setattr(change_store, "PRUNE_EVERY", 2)
    two.live.start()
    for name in ("A", "B", "C", "D", "E", "F", "G", "H"):
        one.customers.create(CustomerDraft(first_name=name))
    assert two.db.execute("SELECT count(*) FROM changes").fetchone()[0] <= 5
    heard = heard_by(two)
    assert heard[0] == Change("restore")


def test_presence_says_who_has_the_customer_open_where(
    counters: tuple[Desk, Desk], clock: FakeClock
) -> None:
    one, two = counters
    maria = one.customers.create(CustomerDraft(first_name="Maria"))
    one.live.beat(maria.id)
    here = two.live.with_customer(maria.id)
    assert [p.says("Maria") for p in here] == ["Front desk has Maria open at Counter 1"]
    assert one.live.with_customer(maria.id) == []  # not oneself
    one.live.beat(None, on_call=True)
    assert [p.says() for p in two.live.calls_elsewhere()] == [
        "Front desk is taking a call at Counter 1"
    ]
    clock.advance(seconds=31)
    assert two.live.others() == []  # silent for longer than the heartbeat allows: gone
    one.live.beat(maria.id)
    one.live.leave()
    assert two.live.others() == []
