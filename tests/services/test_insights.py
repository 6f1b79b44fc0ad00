"""Insights on a real database: every chart's numbers against the hand-counted fixture
(tests/services/insights_fixture.py), empty periods, no answers, DST, and who sees what."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from csdesk.errors import PermissionDenied
from csdesk.services.desk import Desk
from csdesk.services.insight_data import MIN_ANSWERS
from csdesk.services.insight_export import csv_rows
from csdesk.services.insights import offsets
from csdesk.store import bulk
from tests.conftest import FakeClock
from tests.services.insights_fixture import Shop, seed, utc


@pytest.fixture
def shop(desk: Desk, clock: FakeClock) -> Shop:
    return seed(desk, clock)


def two_weeks(desk: Desk):  # type: ignore[no-untyped-def]
    return desk.insights.compute(desk.insights.custom(date(2026, 10, 19), date(2026, 11, 1)))


def test_visits_per_day_by_channel_on_a_25_hour_day(desk: Desk, shop: Shop) -> None:
    ins = two_weeks(desk)
    got = {d.day.isoformat(): d.by_channel for d in ins.days if d.by_channel}
    assert got == {
        "2026-10-19": {"in_person": 1, "phone": 1},
        "2026-10-21": {"in_person": 1},  # the deleted visit of the 20th is gone
        "2026-10-25": {"phone": 2, "email": 1},  # both 02:30s and 23:59 CET
        "2026-10-27": {"in_person": 1, "chat": 1},
        "2026-11-01": {"in_person": 1},  # 00:00 on 2 Nov is not in it
    }
    assert len(ins.days) == 14
    assert ins.channels == ["in_person", "phone", "email", "chat"]


def test_returning_customers_and_satisfaction_per_week(desk: Desk, shop: Shop) -> None:
    ins = two_weeks(desk)
    w1, w2 = ins.weeks
    assert (w1.monday, w1.visits, w1.known, w1.new_customers) == (date(2026, 10, 19), 6, 5, 1)
    assert (w2.monday, w2.visits, w2.known, w2.new_customers) == (date(2026, 10, 26), 3, 3, 1)
    assert w1.returning_share == pytest.approx(5 / 6)
    assert (w1.rated, w1.average, w1.distribution) == (4, 3.0, [1, 1, 0, 1, 1])
    assert (w2.rated, w2.average, w2.distribution) == (1, 3.0, [0, 0, 1, 0, 0])
    assert w1.few_answers and w2.few_answers  # fewer than MIN_ANSWERS each
    head = ins.headline
    assert (head.visits, head.known, head.new_customers, head.rated) == (9, 8, 2, 5)
    assert head.average == 3.0 and not head.few_answers  # five answers is enough
    assert MIN_ANSWERS == 5


def test_issues_sla_overdue_and_goodwill(desk: Desk, shop: Shop) -> None:
    ins = two_weeks(desk)
    assert [(w.opened, w.resolved) for w in ins.issue_weeks] == [(2, 1), (2, 1)]
    head = ins.headline
    assert (head.opened, head.resolved, head.in_sla) == (4, 2, 1)
    assert head.median_hours == pytest.approx(75.0)  # 6 h and 144 h
    assert head.median_sla_hours == pytest.approx(24.0)
    assert head.in_sla_share == 0.5
    assert ins.overdue == 1
    assert [(c.name, c.opened, c.resolved, c.overdue) for c in ins.by_category] == [
        ("Product fault", 2, 1, 1), ("Delivery", 2, 1, 0)]
    assert [(c.name, c.opened, c.resolved, c.overdue) for c in ins.by_priority] == [
        ("urgent", 1, 0, 1), ("high", 1, 1, 0), ("normal", 1, 1, 0), ("low", 1, 0, 0)]
    assert [(g.role, g.kind, g.count, g.cents) for g in ins.goodwill] == [
        ("lead", "discount", 1, 1500), ("staff", "gift", 1, 500)]


def test_followups_heat_map_and_staff(desk: Desk, shop: Shop) -> None:
    ins = two_weeks(desk)
    f = ins.followups
    assert (f.on_time, f.late, f.due) == (1, 1, 1)  # the one due 5 Nov is not in the period
    cells = {(d, h): n for d in range(7) for h in range(24) if (n := ins.heat[d][h])}
    # Mon 09:00 + 09:30; Tue 10:00 + 10:15; Wed 10:05; Sun 02:30 twice (the repeated hour);
    # Sun 23:59 and 23:30 (two Sundays)
    assert cells == {(0, 9): 2, (1, 10): 2, (2, 10): 1, (6, 2): 2, (6, 23): 2}
    staff = {s.name: (s.visits, s.rated, s.average, s.issues_resolved,
                      (s.followups.on_time, s.followups.late, s.followups.due)) for s in ins.staff}
    assert staff == {"Ben": (6, 4, 3.0, 1, (1, 1, 0)), "Cleo": (3, 1, 3.0, 1, (0, 0, 1))}


def test_the_period_before(desk: Desk, shop: Shop) -> None:
    before = two_weeks(desk).previous
    assert (before.visits, before.known, before.opened, before.resolved) == (1, 1, 1, 1)
    assert before.average is None  # nobody answered then


def test_an_empty_period_and_a_period_without_answers(desk: Desk, shop: Shop) -> None:
    empty = desk.insights.compute(desk.insights.custom(date(2026, 6, 1), date(2026, 6, 7)))
    assert all(d.total == 0 for d in empty.days) and empty.heat_max == 0
    assert empty.headline.visits == 0 and empty.headline.average is None
    assert empty.headline.median_hours is None and empty.followups.total == 0
    assert empty.channels == [] and empty.staff == []
    assert empty.overdue == 1  # "overdue now" is about today, whatever the period
    quiet = desk.insights.compute(desk.insights.custom(date(2026, 10, 28), date(2026, 11, 1)))
    assert quiet.headline.visits == 1 and quiet.headline.rated == 0
    assert [w.average for w in quiet.weeks] == [None] and not quiet.weeks[0].few_answers
    rows = [r for r in csv_rows(quiet) if r[:3] == ["satisfaction", "2026-10-26", "Average"]]
    assert rows == [["satisfaction", "2026-10-26", "Average", ""]]


def test_staff_see_only_their_own_figures(desk: Desk, shop: Shop) -> None:
    ben = desk.insights.member_id("Ben")
    cleo = desk.insights.member_id("Cleo")
    desk.act_as("Ben")
    assert not desk.insights.sees_team
    mine = two_weeks(desk)
    assert mine.only == "Ben"
    assert mine.headline.visits == 6 and [s.name for s in mine.staff] == ["Ben"]
    assert mine.headline.opened == 2 and mine.overdue == 1  # the issues Ben owns
    assert (mine.followups.on_time, mine.followups.late, mine.followups.due) == (1, 1, 0)
    assert [(g.role, g.kind) for g in mine.goodwill] == [("lead", "discount")]  # on Ben's issue
    assert desk.insights.members() == [(ben, "Ben")]
    period = desk.insights.custom(date(2026, 10, 19), date(2026, 11, 1))
    with pytest.raises(PermissionDenied, match="only their own"):
        desk.insights.compute(period, cleo)
    with pytest.raises(PermissionDenied):
        desk.insights.lists.visits_on(date(2026, 10, 27), staff_id=cleo)
    assert desk.insights.lists.visits_on(date(2026, 10, 27)).items == []  # Cleo's, not Ben's
    desk.act_as("Anna")
    assert desk.insights.compute(period, cleo).headline.visits == 3  # a lead picks anyone
    assert len(desk.insights.members()) >= 3


def test_click_through_lists(desk: Desk, shop: Shop) -> None:
    lists = desk.insights.lists
    period = desk.insights.custom(date(2026, 10, 19), date(2026, 11, 1))
    day = lists.visits_on(date(2026, 10, 25))
    assert [(v.at.strftime("%H:%M"), v.at.fold, v.customer) for v in day.items] == [
        ("02:30", 0, "Olga Old"), ("02:30", 1, "Oscar Older"), ("23:59", 0, "Olga Old")]
    assert [v.customer_id for v in day.items] == [shop.old1, shop.old2, shop.old1]
    assert (day.total, day.said, day.with_day) == (3, "3", False)
    hour = lists.visits_at(period, 6, 2)  # Sundays 02:00-03:00: both of them
    assert hour.total == 2
    assert lists.visits_at(period, 6, 23).total == 2
    overdue = lists.overdue_issues()
    assert [(i.issue_id, i.what, i.customer) for i in overdue.items] == [
        (shop.overdue_issue, "Refund", "Olga Old")]


def test_slots_follow_edits_deletes_and_bulk_loads(desk: Desk, shop: Shop, clock: FakeClock) -> None:
    def count() -> int:
        return int(desk.db.execute("SELECT SUM(visits) FROM visit_slots").fetchone()[0])

    direct = "SELECT COUNT(*) FROM visits WHERE deleted_at IS NULL"
    assert count() == desk.db.execute(direct).fetchone()[0] == 11
    visit = desk.visits.log(shop.old1, at=utc(2026, 10, 19, 8), satisfaction=2)
    desk.visits.edit(visit.id, channel="phone", satisfaction=5)
    ins = two_weeks(desk)
    assert ins.days[0].by_channel == {"in_person": 1, "phone": 2}
    assert ins.weeks[0].distribution == [1, 1, 0, 1, 2]
    desk.visits.delete(visit.id)
    desk.visits.restore(visit.id)
    desk.visits.delete(visit.id)
    assert count() == 11
    with bulk.loading(desk.db):
        bulk.insert_visits(desk.db, [_bulk_visit(desk, shop.old1, "2026-10-20T10:00:00+00:00")])
    assert count() == 12 == desk.db.execute(direct).fetchone()[0]
    assert two_weeks(desk).days[1].by_channel == {"in_person": 1}


def _bulk_visit(desk: Desk, customer_id: int, at: str) -> tuple[object, ...]:
    row = {"customer_id": customer_id, "at": at, "channel": "in_person", "purpose": "",
           "outcome": "", "created_at": at}
    return tuple(row.get(c.strip()) for c in bulk.VISIT_COLUMNS.split(","))


def test_offsets_are_exact_for_dst_and_half_hour_zones() -> None:
    from zoneinfo import ZoneInfo

    berlin = offsets(ZoneInfo("Europe/Berlin"), utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert berlin == [("2026-10-25T01:00", "+120 minutes"), (None, "+60 minutes")]
    india = offsets(ZoneInfo("Asia/Kolkata"), utc(2026, 1, 1), utc(2026, 4, 1))
    assert india == [(None, "+330 minutes")]
    adelaide = offsets(ZoneInfo("Australia/Adelaide"), utc(2026, 3, 1), utc(2026, 5, 1))
    assert adelaide == [("2026-04-04T16:30", "+630 minutes"), (None, "+570 minutes")]


def test_presets(desk: Desk, shop: Shop) -> None:
    today = date(2026, 11, 4)  # a Wednesday
    week = desk.insights.preset("this_week", today)  # to date: Monday to today
    assert (week.first, week.last) == (date(2026, 11, 2), today)
    four = desk.insights.preset("last_4_weeks", today)
    assert (four.first, four.last, len(four.days)) == (date(2026, 10, 8), today, 28)
    quarter = desk.insights.preset("this_quarter", today)
    assert (quarter.first, quarter.last) == (date(2026, 10, 1), today)
    assert quarter.before().first == date(2026, 8, 27)  # the 35 days before
    assert desk.insights.preset("this_quarter", date(2026, 12, 31)).first == date(2026, 10, 1)
    assert isinstance(quarter.start_utc, datetime)
