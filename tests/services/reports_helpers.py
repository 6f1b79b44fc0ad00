"""A day with known events in a known time zone, for the daily log's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from csdesk.domain import Channel, CustomerDraft, GoodwillKind, IssueDraft, IssueStatus
from csdesk.services.desk import Desk
from csdesk.store import staff as staff_store
from csdesk.store.db import atomic
from tests.conftest import FakeClock
from tests.settings_seam import set_setting


def add_staff(desk: Desk, name: str, role: str) -> None:
    with atomic(desk.db):
        staff_store.insert(desk.db, name, role, desk.now_iso())


@dataclass
class KnownDay:
    jose: int
    zoe: int
    hostile: int
    issue_id: int


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def seed_dst_day(desk: Desk, clock: FakeClock) -> KnownDay:
    """Europe/Berlin, Sunday 2026-10-25: clocks go back at 03:00 CEST, so the day is 25 hours,
    from 2026-10-24T22:00Z to 2026-10-25T23:00Z."""
    set_setting(desk, "timezone", "Europe/Berlin")
    set_setting(desk, "shop_name", "Trailhead Outfitters")
    add_staff(desk, "Anna", "lead")
    add_staff(desk, "Ben", "staff")
    clock.now = utc(2026, 10, 20, 9, 0)
    jose = desk.customers.create(CustomerDraft(first_name="José", last_name="García Márquez")).id
    zoe = desk.customers.create(CustomerDraft(first_name="Zoë", last_name="Quaglia-Obst")).id
    hostile = desk.customers.create(
        CustomerDraft(first_name="=HYPERLINK(\"http://x\")", last_name="@evil")
    ).id
    desk.act_as("Ben")
    log = desk.visits.log
    # just before the local midnight that starts the day (23:59:59 CEST on the 24th): not in it
    log(jose, channel=Channel.IN_PERSON, purpose="too early", at=utc(2026, 10, 24, 21, 59, 59))
    # local midnight exactly: in it
    log(jose, channel=Channel.IN_PERSON, purpose="midnight", at=utc(2026, 10, 24, 22, 0),
        satisfaction=4)
    # 02:30 happens twice this night; both are in the day
    log(zoe, channel=Channel.PHONE, purpose="first 02:30", at=utc(2026, 10, 25, 0, 30))
    log(zoe, channel=Channel.PHONE, purpose="second 02:30", at=utc(2026, 10, 25, 1, 30),
        satisfaction=2)
    log(hostile, channel=Channel.EMAIL, purpose="-2+3 refund?", outcome="@once",
        at=utc(2026, 10, 25, 9, 0))
    # 23:59:59 CET on the 25th: in it; local midnight after: not
    log(zoe, channel=Channel.IN_PERSON, purpose="last one", at=utc(2026, 10, 25, 22, 59, 59))
    log(zoe, channel=Channel.IN_PERSON, purpose="next day", at=utc(2026, 10, 25, 23, 0))

    clock.now = utc(2026, 10, 25, 10, 0)
    desk.notes.add(jose, "Prefers calls\nafter 5pm")
    new = desk.customers.create(CustomerDraft(first_name="Kofi", last_name="Mensah")).id
    desk.act_as("Anna")
    clock.now = utc(2026, 10, 25, 11, 0)
    issue = desk.issues.log(
        IssueDraft(customer_id=jose, title="Sole came loose", description="after two weeks"),
        goodwill=(GoodwillKind.DISCOUNT, 1500),
    )
    clock.now = utc(2026, 10, 25, 12, 0)
    desk.issues.set_status(
        issue.id, IssueStatus.RESOLVED, version=issue.version, resolution="Replaced", satisfaction=5
    )
    clock.now = utc(2026, 10, 25, 13, 0)
    fu = desk.followups.add(zoe, "Call back about the repair", clock.now + timedelta(hours=1))
    desk.followups.add(new, "Send the catalogue", clock.now + timedelta(hours=2))
    clock.now = utc(2026, 10, 25, 14, 30)
    desk.followups.complete(fu.id, "Happy")
    clock.now = utc(2026, 10, 26, 9, 0)  # the report is read the next morning
    del new
    return KnownDay(jose, zoe, hostile, issue.id)
