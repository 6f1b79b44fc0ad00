"""Two counters on one database (the file, or the server: both engines): what one writes reaches
the other's change sink within a second; a rollback tells nobody. On the server the second
counter is woken by LISTEN/NOTIFY on a connection of its own and only then reads the log; on the
file it polls data_version as the window does."""

from __future__ import annotations

import threading
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

WOKEN: dict[int, threading.Event] = {}  # id(desk) -> set by its listener on each NOTIFY


@pytest.fixture
def counters(db_target: Path | str, clock: FakeClock) -> Iterator[tuple[Desk, Desk]]:
    one = Desk.open(db_target, clock=clock, computer="Counter 1")
    two = Desk.open(db_target, clock=clock, computer="Counter 2")
    woken = threading.Event()
    listener = two.live.listen(lambda event: woken.set() if event == "change" else None)
    if isinstance(db_target, str):  # the server: listening before anyone writes
        assert listener is not None
        deadline = time.monotonic() + 10
        while not listener.listening and time.monotonic() < deadline:
            time.sleep(0.02)
        assert listener.listening
        WOKEN[id(two)] = woken
    else:
        assert listener is None  # the file has no notifications: its windows poll
    yield one, two
    WOKEN.pop(id(two), None)
    if listener is not None:
        listener.stop()
    one.close()
    two.close()


def heard_by(desk: Desk, within_s: float = 1.0) -> list[Change]:
    """What reaches `desk`'s sink within `within_s`: on the server it waits for the NOTIFY and
    then reads the log once; on the file it polls as the window does."""
    heard: list[Change] = []
    desk.subscribe(heard.append)
    try:
        woken = WOKEN.get(id(desk))
        if woken is not None:
            if woken.wait(within_s):
                woken.clear()
                desk.live.poll()
            return heard
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
    assert heard_by(two, within_s=1.0) == []  # on the server: no NOTIFY came either
    assert two.live.poll() == []


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


def test_a_counter_keeps_the_shop_zone_until_another_counter_changes_it(
    counters: tuple[Desk, Desk],
) -> None:
    """Desk.tz is read once (a window asked for it six times per customer shown, a round trip
    each on a server) and read again when the setting's change arrives, from anywhere."""
    from tests.settings_seam import set_setting

    one, two = counters
    two.live.start()
    assert getattr(two.tz, "key", None) != "Pacific/Auckland"
    set_setting(one, "timezone", "Pacific/Auckland")
    assert getattr(one.tz, "key", None) == "Pacific/Auckland"  # its own write: at once
    assert any(c.kind == "settings" for c in heard_by(two, within_s=3.0))
    assert getattr(two.tz, "key", None) == "Pacific/Auckland"  # the other's: when heard
