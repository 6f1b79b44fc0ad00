"""What every bar, line point, slice and table row of the Insights charts opens, on a real
database, against the hand-counted fixture (tests/services/insights_fixture.py): the rows, their
order, the count said, and who may see them."""

from __future__ import annotations

from datetime import date

import pytest

from csdesk.errors import PermissionDenied
from csdesk.services.desk import Desk
from csdesk.services.insight_data import Insights
from csdesk.services.insight_lists import Listing
from csdesk.services.insight_tables import table
from csdesk.store import insight_lists as store
from csdesk.store.plans import query_plan
from tests.conftest import FakeClock
from tests.services.insights_fixture import Shop, seed


@pytest.fixture
def shop(desk: Desk, clock: FakeClock) -> Shop:
    return seed(desk, clock)


@pytest.fixture
def ins(desk: Desk, shop: Shop) -> Insights:
    return desk.insights.compute(desk.insights.custom(date(2026, 10, 19), date(2026, 11, 1)))


def behind(desk: Desk, ins: Insights, key: str, row: int, column: str | None = None) -> Listing:
    listing = desk.insights.lists.behind(ins, key, row, column)
    assert listing is not None, (key, row, column)
    assert listing.total == len(listing.items)  # nothing cut in a fixture this small
    return listing


def whats(listing: Listing) -> list[str]:
    return [i.what for i in listing.items]


def names(listing: Listing) -> list[str]:
    return [i.customer for i in listing.items]


def test_a_days_bar_and_one_channel_of_it(desk: Desk, ins: Insights, shop: Shop) -> None:
    day = behind(desk, ins, "visits", 6)  # Sunday 25 Oct, the 25-hour day: three
    assert names(day) == ["Olga Old", "Oscar Older", "Olga Old"]
    phone = behind(desk, ins, "visits", 6, "Phone")  # the Phone part of that bar
    assert [(i.at.strftime("%H:%M"), i.at.fold) for i in phone.items] == [("02:30", 0), ("02:30", 1)]
    assert "Phone" in phone.title and all(i.detail.startswith("Phone") for i in phone.items)
    assert behind(desk, ins, "visits", 1).items == []  # the 20th: its one visit was deleted


def test_satisfaction_per_week_lists_the_answers_with_their_score(
    desk: Desk, ins: Insights, shop: Shop
) -> None:
    week1 = behind(desk, ins, "satisfaction", 0, "Answers")
    assert [(i.customer, i.detail) for i in week1.items] == [
        ("Olga Old", "In person · rated 5"), ("Oscar Older", "Phone · rated 4"),
        ("Olga Old", "Phone · rated 1"), ("Oscar Older", "Phone · rated 2")]
    line = behind(desk, ins, "satisfaction", 0, "Average (1–5)")  # a point on the line
    assert line.items == week1.items
    fives = behind(desk, ins, "satisfaction", 0, "5")  # the bar part of the 5s
    assert [(i.customer_id, i.detail) for i in fives.items] == [(shop.old1, "In person · rated 5")]
    assert behind(desk, ins, "satisfaction", 0, "3").items == []
    week2 = behind(desk, ins, "satisfaction", 1)
    assert [(i.customer, i.detail) for i in week2.items] == [("Nia New", "In person · rated 3")]


def test_returning_visits_and_new_customers_per_week(desk: Desk, ins: Insights, shop: Shop) -> None:
    # week 1: six visits, five by customers seen before (not Nia's first visit, the Wednesday)
    returning = behind(desk, ins, "returning", 0, "Visits by returning customers (%)")
    assert names(returning) == ["Olga Old", "Oscar Older", "Olga Old", "Oscar Older", "Olga Old"]
    assert behind(desk, ins, "returning", 0, "By returning customers").items == returning.items
    assert len(behind(desk, ins, "returning", 0, "Visits").items) == 6
    new = behind(desk, ins, "returning", 0, "New customers")
    assert [(i.customer_id, i.customer, i.who) for i in new.items] == [(shop.new1, "Nia New", "Ben")]
    assert names(behind(desk, ins, "returning", 1, "New customers")) == ["Nils Newer"]
    # week 2: by then Nia had been seen before
    assert names(behind(desk, ins, "returning", 1)) == ["Nia New", "Oscar Older", "Olga Old"]


def test_issues_opened_and_resolved_per_week(desk: Desk, ins: Insights, shop: Shop) -> None:
    assert whats(behind(desk, ins, "issues", 0, "Opened")) == ["Zip broke", "Parcel late"]
    assert whats(behind(desk, ins, "issues", 0, "Resolved")) == ["Zip broke"]
    assert whats(behind(desk, ins, "issues", 1, "Opened")) == ["Refund", "Size"]
    resolved = behind(desk, ins, "issues", 1, "Resolved")
    assert [(i.what, i.customer_id, i.at.strftime("%d %H:%M")) for i in resolved.items] == [
        ("Parcel late", shop.old2, "28 09:00")]  # resolved 08:00 UTC, 09:00 in Berlin (CET)
    both = behind(desk, ins, "issues", 1, "Week of")  # the row: opened or resolved that week
    assert whats(both) == ["Parcel late", "Refund", "Size"]
    assert both.items[0].detail.startswith("opened, resolved 28 Oct 09:00")


def test_categories_goodwill_and_overdue(desk: Desk, ins: Insights, shop: Shop) -> None:
    assert [c.name for c in ins.by_category] == ["Product fault", "Delivery"]
    overdue = behind(desk, ins, "categories", 0, "Overdue now")
    assert [(i.issue_id, i.customer_id) for i in overdue.items] == [(shop.overdue_issue, shop.old1)]
    assert "Product fault" in overdue.title
    assert behind(desk, ins, "categories", 1, "Overdue now").items == []
    assert whats(behind(desk, ins, "categories", 0, "Opened")) == ["Zip broke", "Refund"]
    assert whats(behind(desk, ins, "categories", 1, "Resolved")) == ["Parcel late"]
    assert whats(behind(desk, ins, "priorities", 0, "Overdue now")) == ["Refund"]  # urgent
    # goodwill rows: (lead, discount) by Anna on Zip broke; (staff, gift) by Ben on Parcel late
    lead = behind(desk, ins, "goodwill", 0)
    assert [(i.what, i.who, i.detail, i.customer_id) for i in lead.items] == [
        ("Zip broke", "Anna", "discount 15.00", shop.old1)]
    staff = behind(desk, ins, "goodwill", 1, "Amount")
    assert [(i.what, i.who, i.detail) for i in staff.items] == [("Parcel late", "Ben", "gift 5.00")]


def test_followups_on_time_late_and_still_due(desk: Desk, ins: Insights, shop: Shop) -> None:
    assert whats(behind(desk, ins, "followups", 0, "Done on time")) == ["Ring back"]
    assert whats(behind(desk, ins, "followups", 0, "Done on time: 1")) == ["Ring back"]  # a slice
    late = behind(desk, ins, "followups", 0, "Done late")
    assert [(i.what, i.detail) for i in late.items] == [("Send form", "done 22 Oct 11:00 (late)")]
    due = behind(desk, ins, "followups", 0, "Still due: 1")
    assert [(i.what, i.customer_id, i.who) for i in due.items] == [
        ("Ask how it went", shop.new1, "Cleo")]  # not "Later": due after the period


def test_per_staff_member_and_the_summary(desk: Desk, ins: Insights, shop: Shop) -> None:
    assert [s.name for s in ins.staff] == ["Ben", "Cleo"]
    ben = behind(desk, ins, "staff", 0)
    assert len(ben.items) == 6 and {i.who for i in ben.items} == {"Ben"}
    assert names(behind(desk, ins, "staff", 1)) == ["Nia New", "Oscar Older", "Olga Old"]
    assert whats(behind(desk, ins, "staff", 0, "Follow-ups late")) == ["Send form"]
    labels = [str(r[0]) for r in table(ins, "summary").rows]

    def summary(label: str) -> Listing:
        return behind(desk, ins, "summary", labels.index(label))

    assert len(summary("Visits and calls").items) == ins.headline.visits == 9
    assert names(summary("New customers")) == ["Nia New", "Nils Newer"]
    assert len(summary("Satisfaction answers").items) == 5
    assert whats(summary("Issues resolved")) == ["Zip broke", "Parcel late"]
    assert whats(summary("Issues overdue now")) == ["Refund"]
    assert len(summary("Follow-ups done on time (%)").items) == 3
    assert len(behind(desk, ins, "heat", 6, "02").items) == 2  # Sundays 02:00, both of them
    assert desk.insights.lists.behind(ins, "heat", 6, "Day") is None  # the weekday's name
    assert desk.insights.lists.behind(ins, "visits", 99) is None
    assert desk.insights.lists.behind(ins, "nothing", 0) is None


def test_plain_staff_open_only_their_own(desk: Desk, ins: Insights, shop: Shop) -> None:
    desk.act_as("Ben")
    mine = desk.insights.compute(ins.period)
    assert whats(behind(desk, mine, "issues", 1, "Opened")) == ["Refund"]  # not Cleo's "Size"
    assert [(g.role, g.kind) for g in mine.goodwill] == [("lead", "discount")]
    assert {i.who for i in behind(desk, mine, "visits", 6).items} == {"Ben"}
    assert behind(desk, mine, "followups", 0, "Still due").items == []  # Cleo's, not Ben's
    with pytest.raises(PermissionDenied, match="only their own"):
        desk.insights.lists.behind(ins, "staff", 1)  # Cleo's row of a lead's figures
    cleo = desk.insights.member_id("Cleo")
    with pytest.raises(PermissionDenied):
        desk.insights.lists.issues(date(2026, 10, 19), date(2026, 11, 2), staff_id=cleo)


def test_a_long_list_is_cut_and_says_how_long(
    desk: Desk, ins: Insights, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = "2026-10-18T22:00:00+00:00", "2026-11-01T23:00:00+00:00"
    page = store.visits(desk.db, [(a, b)], None, limit=4)
    assert (len(page.rows), page.total) == (4, 9)
    cut = Listing("Visits", behind(desk, ins, "visits", 6).items[:2], 1234)
    assert cut.said == "the first 2 of 1,234"
    # past the count's cap a list says only that there are more (no walk of a whole quarter)
    monkeypatch.setattr(store, "COUNT_CAP", 1)
    followups = store.followups(desk.db, a, b, None, limit=1)
    assert (len(followups.rows), followups.total, followups.capped) == (1, 1, True)
    more = Listing("Follow-ups", [], followups.total, capped=followups.capped)
    assert more.said == "the first 0 of more than 1"


def test_visit_lists_count_from_the_slots_and_read_only_where_they_are(
    desk: Desk, ins: Insights, shop: Shop
) -> None:
    """Exact totals from visit_slots, rows from the quarter hours that have some, in order,
    across several runs of quarter hours and several ranges (a heat-map cell's Sundays)."""
    a, b = "2026-10-18T22:00:00+00:00", "2026-11-01T23:00:00+00:00"
    for limit in (1, 2, 3, 5, 9, 500):  # cut inside a run, at its end, across runs
        page = store.visits(desk.db, [(a, b)], None, limit=limit)
        assert page.total == 9 and not page.capped
        assert len(page.rows) == min(limit, 9)
        assert [r["at"] for r in page.rows] == sorted(r["at"] for r in page.rows)
    everything = [r["id"] for r in store.visits(desk.db, [(a, b)], None).rows]
    assert [r["id"] for r in store.visits(desk.db, [(a, b)], None, limit=4).rows] == everything[:4]
    ben = desk.insights.member_id("Ben")
    assert store.visits(desk.db, [(a, b)], ben, rated=True).total == 4
    assert store.visits(desk.db, [(a, b)], None, returning=False).total == 1  # Nia's first
    sundays = [("2026-10-25T00:00:00+00:00", "2026-10-25T02:00:00+00:00"),
               ("2026-11-01T22:00:00+00:00", "2026-11-01T23:00:00+00:00")]
    page = store.visits(desk.db, list(reversed(sundays)), None, limit=3)
    assert page.total == 3 and [r["at"][11:16] for r in page.rows] == ["00:30", "01:30", "22:30"]
    assert store.visits(desk.db, [(a, b)], 0).total == 0  # nobody's: every visit has a member


def test_lists_read_an_index(desk: Desk, shop: Shop) -> None:
    """Every list reads its time index over the range, not the whole table."""
    a, b = "2026-10-18T22:00:00+00:00", "2026-11-01T23:00:00+00:00"
    checks = {
        "visits": ("SELECT 1 FROM visits v WHERE v.at >= ? AND v.at < ?", "visits_at"),
        "customers": ("SELECT 1 FROM customers c WHERE c.created_at >= ? AND c.created_at < ?",
                      "customers_created_at"),
        "goodwill": ("SELECT 1 FROM goodwill g WHERE g.at >= ? AND g.at < ?", "goodwill_at"),
        "followups": ("SELECT 1 FROM followups f WHERE f.due_at >= ? AND f.due_at < ?",
                      "followups_due_any"),
        "resolved": ("SELECT 1 FROM issues i WHERE i.resolved_at IS NOT NULL AND"
                     " i.resolved_at >= ? AND i.resolved_at < ?", "issues_resolved_at"),
        "opened": ("SELECT 1 FROM issues i WHERE i.created_at >= ? AND i.created_at < ?",
                   "issues_created"),
    }
    for name, (sql, index) in checks.items():
        plan = query_plan(desk.db, sql, [a, b])
        assert plan.uses(index), (name, plan.text)


def test_the_nobody_row_opens_the_follow_ups_nobody_owns(desk: Desk, shop: Shop) -> None:
    """Follow-ups without an owner (kept from before owners were required) are counted on the
    staff table's "(nobody)" row; its figures open exactly those follow-ups, not an empty list."""
    from csdesk.store.db import atomic

    with atomic(desk.db):
        desk.db.execute("UPDATE followups SET owner_id = NULL WHERE title = ?", ["Ask how it went"])
    ins = desk.insights.compute(desk.insights.custom(date(2026, 10, 19), date(2026, 11, 1)))
    row = next(i for i, s in enumerate(ins.staff) if s.staff_id == 0)
    assert ins.staff[row].name == "(nobody)" and ins.staff[row].followups.due == 1
    assert whats(behind(desk, ins, "staff", row, "Follow-ups still due")) == ["Ask how it went"]
    cleo = next(i for i, s in enumerate(ins.staff) if s.name == "Cleo")
    assert behind(desk, ins, "staff", cleo, "Follow-ups still due").items == []
