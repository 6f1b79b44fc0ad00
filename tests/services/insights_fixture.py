"""Two hand-counted weeks in Europe/Berlin, 19 Oct - 1 Nov 2026, with the night clocks went back
(Sunday 25 Oct, 03:00 CEST -> 02:00 CET, a 25-hour day). Every expected number in
test_insights.py is counted by hand from the comments here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from csdesk.domain import Channel, CustomerDraft, GoodwillKind, IssueDraft, IssueStatus, Priority
from csdesk.services.desk import Desk
from tests.conftest import FakeClock
from tests.services.reports_helpers import add_staff
from tests.settings_seam import set_setting


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@dataclass
class Shop:
    old1: int
    old2: int
    new1: int
    overdue_issue: int


def seed(desk: Desk, clock: FakeClock) -> Shop:
    set_setting(desk, "timezone", "Europe/Berlin")
    set_setting(desk, "shop_name", "Trailhead Outfitters")
    add_staff(desk, "Anna", "lead")
    add_staff(desk, "Ben", "staff")
    add_staff(desk, "Cleo", "staff")
    log = desk.visits.log

    clock.now = utc(2026, 9, 1, 9)
    desk.act_as("Ben")
    old1 = desk.customers.create(CustomerDraft(first_name="Olga", last_name="Old")).id
    old2 = desk.customers.create(CustomerDraft(first_name="Oscar", last_name="Older")).id

    # the period before (5-18 Oct): one visit, 23:59 CEST on Sunday 18 Oct
    log(old1, at=utc(2026, 10, 18, 21, 59))
    # week 1 (19-25 Oct), Ben
    log(old1, at=utc(2026, 10, 19, 7, 0), satisfaction=5)  # Mon 09:00
    log(old2, channel=Channel.PHONE, at=utc(2026, 10, 19, 7, 30), satisfaction=4)  # Mon 09:30
    gone = log(old2, at=utc(2026, 10, 20, 10, 0))  # deleted below: counts nowhere
    clock.now = utc(2026, 10, 21, 8, 0)
    new1 = desk.customers.create(CustomerDraft(first_name="Nia", last_name="New")).id  # 10:00
    log(new1, at=utc(2026, 10, 21, 8, 5))  # Wed 10:05, a new customer's first visit
    log(old1, channel=Channel.PHONE, at=utc(2026, 10, 25, 0, 30), satisfaction=1)  # 02:30 CEST
    log(old2, channel=Channel.PHONE, at=utc(2026, 10, 25, 1, 30), satisfaction=2)  # 02:30 CET
    log(old1, channel=Channel.EMAIL, at=utc(2026, 10, 25, 22, 59))  # Sun 23:59 CET
    desk.visits.delete(gone.id)
    # week 2 (26 Oct - 1 Nov), Cleo
    desk.act_as("Cleo")
    log(new1, at=utc(2026, 10, 27, 9, 0), satisfaction=3)  # Tue 10:00, now a returning one
    log(old2, channel=Channel.CHAT, at=utc(2026, 10, 27, 9, 15))  # Tue 10:15
    log(old1, at=utc(2026, 11, 1, 22, 30))  # Sun 23:30
    log(old1, at=utc(2026, 11, 1, 23, 0))  # Mon 2 Nov 00:00: after the period
    clock.now = utc(2026, 10, 28, 9, 0)
    desk.customers.create(CustomerDraft(first_name="Nils", last_name="Newer"))

    anna, ben, cleo = (desk.insights.member_id(n) for n in ("Anna", "Ben", "Cleo"))
    # issues: category 1 Product fault, 2 Delivery
    desk.act_as("Anna")
    clock.now = utc(2026, 10, 10, 8)  # the period before: opened and resolved then
    old = desk.issues.log(IssueDraft(customer_id=old1, title="Old", owner_id=ben))
    clock.now = utc(2026, 10, 12, 8)
    desk.issues.set_status(old.id, IssueStatus.RESOLVED, version=old.version, resolution="ok")

    clock.now = utc(2026, 10, 20, 10)
    i1 = desk.issues.log(
        IssueDraft(customer_id=old1, title="Zip broke", category_id=1, priority=Priority.HIGH,
                   owner_id=ben, due_at=utc(2026, 10, 21, 10)),
    )
    clock.now = utc(2026, 10, 20, 11)
    desk.issues.add_goodwill(i1.id, GoodwillKind.DISCOUNT, 1500)  # Anna, a lead
    desk.act_as("Ben")
    clock.now = utc(2026, 10, 20, 16)  # 6 h after opening, within its 24 h
    desk.issues.set_status(i1.id, IssueStatus.RESOLVED, version=i1.version, resolution="Fixed")
    desk.act_as("Anna")
    clock.now = utc(2026, 10, 22, 8)
    i2 = desk.issues.log(
        IssueDraft(customer_id=old2, title="Parcel late", category_id=2, owner_id=cleo,
                   due_at=utc(2026, 10, 23, 8)),
    )
    desk.act_as("Ben")
    clock.now = utc(2026, 10, 22, 9)
    desk.issues.add_goodwill(i2.id, GoodwillKind.GIFT, 500)  # Ben, plain staff
    desk.act_as("Cleo")
    clock.now = utc(2026, 10, 28, 8)  # 144 h after opening, 120 h late
    desk.issues.set_status(i2.id, IssueStatus.RESOLVED, version=desk.issues.get(i2.id).version,
                           resolution="Came")
    desk.act_as("Anna")
    clock.now = utc(2026, 10, 27, 8)
    i3 = desk.issues.log(
        IssueDraft(customer_id=old1, title="Refund", category_id=1, priority=Priority.URGENT,
                   owner_id=ben, due_at=utc(2026, 10, 27, 12)),
    )  # never resolved: overdue now
    clock.now = utc(2026, 10, 28, 8)
    desk.issues.log(
        IssueDraft(customer_id=new1, title="Size", category_id=2, priority=Priority.LOW,
                   owner_id=cleo, due_at=utc(2026, 12, 31, 8)),
    )  # open, not yet due

    # follow-ups due in the period: on time, late, still due; one due after the period
    clock.now = utc(2026, 10, 19, 12)
    f1 = desk.followups.add(old1, "Ring back", utc(2026, 10, 20, 12), owner_id=ben)
    f2 = desk.followups.add(old2, "Send form", utc(2026, 10, 21, 12), owner_id=ben)
    desk.followups.add(new1, "Ask how it went", utc(2026, 10, 29, 12), owner_id=cleo)
    desk.followups.add(new1, "Later", utc(2026, 11, 5, 12), owner_id=cleo)
    desk.act_as("Ben")
    clock.now = utc(2026, 10, 20, 11)
    desk.followups.complete(f1.id, "done")
    clock.now = utc(2026, 10, 22, 9)
    desk.followups.complete(f2.id, "done")

    clock.now = utc(2026, 11, 2, 12)
    desk.act_as("Anna")
    del anna
    return Shop(old1, old2, new1, i3.id)
