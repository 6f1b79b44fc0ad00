"""Nobody overwrites anybody, for what admins edit (staff, settings) and for issues and
follow-ups: two Desks on one file, as two counters, each refusing the other's stale save."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft, IssueDraft, IssueStatus, Role
from csdesk.errors import Conflict
from csdesk.services.desk import Desk
from tests.conftest import FakeClock
from tests.services.helpers_security import add_member, two_admin_counters


@pytest.fixture
def counters(db_path: Path, clock: FakeClock) -> Iterator[tuple[Desk, Desk]]:
    with two_admin_counters(db_path, clock) as pair:
        yield pair


def test_a_stale_staff_change_is_refused_saying_who_when_and_what(
    counters: tuple[Desk, Desk], clock: FakeClock
) -> None:
    one, two = counters
    add_member(one, "Carl", Role.STAFF)
    seen_at_two = {e.name: e for e in two.auth.list_staff()}["Carl"]  # Ben's list, read now
    clock.advance(minutes=2)
    one.auth.deactivate("Carl", version={e.name: e for e in one.auth.list_staff()}["Carl"].version)
    with pytest.raises(Conflict) as refused:
        two.auth.set_pin("Carl", "9753", version=seen_at_two.version)
    said = str(refused.value)
    assert said.startswith("Anna changed Carl's account at 15:02 (at Counter 1): active")
    assert refused.value.who == "Anna" and refused.value.changed == ("active",)
    now = {e.name: e for e in two.auth.list_staff()}["Carl"]
    assert now.active is False and now.version == seen_at_two.version + 1
    # the stale reactivation is refused the same way
    with pytest.raises(Conflict, match=r"Anna changed Carl's account at 15:02 .*: active"):
        two.auth.reactivate("Carl", version=seen_at_two.version)
    one.auth.reactivate("Carl", version=now.version)
    one.auth.set_pin("Carl", "2222", version=now.version + 1)
    with pytest.raises(Conflict, match=r"changed Carl's account .*: set pin"):
        two.auth.deactivate("Carl", version=now.version)
    # on the version read now, the change goes through
    latest = {e.name: e for e in two.auth.list_staff()}["Carl"]
    assert two.auth.deactivate("Carl", version=latest.version).active is False


def test_a_stale_settings_save_is_refused_but_untouched_keys_are_not_a_conflict(
    counters: tuple[Desk, Desk], clock: FakeClock
) -> None:
    one, two = counters
    read_at_two = two.shop.versions()
    assert read_at_two["shop_name"] == 0  # never stored
    clock.advance(minutes=5)
    one.shop.set_many({"shop_name": "Trail & Co", "shop_phone": "555 0100"},
                      versions=one.shop.versions())
    with pytest.raises(Conflict) as refused:
        two.shop.set_many({"shop_name": "Ben's Bikes", "shop_phone": "555 0100"},
                          versions=read_at_two)
    said = str(refused.value)
    assert said.startswith("Anna changed the settings at 15:05 (at Counter 1): shop name, shop phone")
    assert "shop name" in refused.value.changed and "shop phone" in refused.value.changed
    assert two.shop.get("shop_name") == "Trail & Co"  # nothing of the stale save
    # A value equal to what is stored now is no conflict: it overwrites nothing
    two.shop.set_many({"shop_phone": "555 0100"}, versions=read_at_two)
    # Keeping one's own: save again on the versions read now
    two.shop.set_many({"shop_name": "Ben's Bikes"}, versions=two.shop.versions())
    assert one.shop.get("shop_name") == "Ben's Bikes"
    assert one.shop.versions(["shop_name"]) == {"shop_name": 2}


def test_stale_issue_and_follow_up_saves_name_who_and_what(
    counters: tuple[Desk, Desk], clock: FakeClock
) -> None:
    one, two = counters
    maria = one.customers.create(CustomerDraft(first_name="Maria"))
    issue = one.issues.log(IssueDraft(customer_id=maria.id, title="late parcel"))
    followup = one.followups.add(maria.id, "Call Maria back", clock() + timedelta(hours=1))
    clock.advance(minutes=3)
    one.issues.set_status(issue.id, IssueStatus.WAITING, version=issue.version)
    with pytest.raises(Conflict) as refused:
        two.issues.set_status(issue.id, IssueStatus.IN_PROGRESS, version=issue.version)
    assert str(refused.value).startswith("Anna changed issue #1 at 15:03 (at Counter 1): status")
    assert two.issues.get(issue.id).status is IssueStatus.WAITING
    # a follow-up marked done at counter 1 after counter 2 opened it
    one.followups.complete(followup.id, "Called, all fine", version=followup.version)
    with pytest.raises(Conflict) as done:
        two.followups.complete(followup.id, "Left a message", version=followup.version)
    assert str(done.value).startswith(
        "Anna changed follow-up #1 at 15:03 (at Counter 1): outcome, done at"
    )
    assert two.followups.get(followup.id).outcome == "Called, all fine"
