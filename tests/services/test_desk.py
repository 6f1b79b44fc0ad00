"""The Desk assembles services around one shared Context; opening one to read writes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from csdesk.domain import Change, CustomerDraft, Role
from csdesk.services.desk import Desk
from csdesk.store.db import open_db
from tests.conftest import FakeClock
from tests.services.helpers_security import add_member, fast_scrypt

__all__ = ["fast_scrypt"]  # a fixture the security helper provides

WRITING = {"BEGIN", "SAVEPOINT", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP"}


def test_opening_an_existing_desk_to_read_writes_nothing(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "shop.db"
    first = Desk.open(path, clock=clock)
    first.customers.create(CustomerDraft(first_name="Ada", phones=[("mobile", "555 0100")]))
    first.close()

    # Another program holds the write lock for the whole time: a Desk that tried to write while
    # opening or reading would wait for it and then fail with "busy".
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        db = open_db(path)
        seen: list[str] = []
        db.conn.set_trace_callback(seen.append)  # every statement the Desk sends from here on
        desk = Desk(db, path=path, clock=clock)
        assert desk.actor.name == "Front desk"
        assert [hit.display_name for hit in desk.search.search("Ada")] == ["Ada"]
        assert desk.setting("shop_name", "") == ""
        assert desk.db.conn.total_changes == 0
        assert seen  # the trace works: the Desk did read
        assert [s for s in seen if s.split()[0].upper() in WRITING] == []
        desk.close()
    finally:
        holder.rollback()
        holder.close()


def test_a_new_database_gets_its_default_member(tmp_path: Path, clock: FakeClock) -> None:
    desk = Desk.open(tmp_path / "new.db", clock=clock)
    assert [s.name for s in desk.auth.list_staff()] == ["Front desk"]
    desk.close()


def test_every_service_sees_the_current_actor(desk: Desk, fast_scrypt: None) -> None:
    add_member(desk, "Bea", Role.LEAD)
    desk.act_as("Bea")
    customer = desk.customers.create(CustomerDraft(first_name="Cy"))
    visit = desk.visits.log(customer.id, purpose="asked about hours")
    desk.notes.add(customer.id, "likes mornings")
    assert desk.context.actor.name == "Bea"
    assert visit.staff_id == desk.actor.id
    # The audit service (a lead may read it) names Bea for the customer, the visit and the note.
    made = [(e.entity, e.staff_name) for e in desk.audit.entries() if e.action == "create"]
    assert ("customer", "Bea") in made and ("visit", "Bea") in made and ("note", "Bea") in made


def test_changes_reach_subscribers_until_they_leave(desk: Desk) -> None:
    seen: list[Change] = []
    desk.subscribe(seen.append)
    desk.customers.create(CustomerDraft(first_name="Di"))
    desk.unsubscribe(seen.append)
    desk.customers.create(CustomerDraft(first_name="Ed"))
    assert [c.kind for c in seen] == ["customer"]
