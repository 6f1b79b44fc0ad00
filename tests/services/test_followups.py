"""Follow-ups: the due-today / overdue queue, completing one, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csdesk.domain import CustomerDraft, IssueDraft, Role
from csdesk.errors import Conflict, NotFound, UserError
from csdesk.services.desk import Desk
from csdesk.store import staff as staff_store
from csdesk.store.db import atomic
from csdesk.store.issues import TIMELINE_SQL
from tests.conftest import FakeClock
from tests.settings_seam import set_setting


@pytest.fixture
def customer_id(desk: Desk) -> int:
    set_setting(desk, "timezone", "UTC")
    return desk.customers.create(CustomerDraft(first_name="Ada", last_name="Byron")).id


def test_queue_today_overdue_all(desk: Desk, customer_id: int, clock: FakeClock) -> None:
    parse = desk.issues.parse_due
    soon = desk.followups.add(customer_id, "call back", parse("in 1 hour"))
    tonight = desk.followups.add(customer_id, "send a letter", parse("today"))
    friday = desk.followups.add(customer_id, "check the repair", parse("friday"))
    assert [f.id for f in desk.followups.queue("today")] == [soon.id, tonight.id]
    assert desk.followups.queue("overdue") == []
    assert [f.id for f in desk.followups.queue("all")] == [soon.id, tonight.id, friday.id]
    clock.advance(minutes=90)  # 16:30: the call-back is 30 min late, the letter due at 17:00
    overdue = desk.followups.queue("overdue")
    assert [(f.id, f.overdue, f.time_label) for f in overdue] == [(soon.id, True, "30 min overdue")]
    assert desk.followups.queue("today")[1].time_label == "30 min left"
    clock.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Friday morning
    assert [f.id for f in desk.followups.queue("today")] == [soon.id, tonight.id, friday.id]
    with pytest.raises(UserError, match="not a queue"):
        desk.followups.queue("someday")


def test_queue_by_owner(desk: Desk, customer_id: int) -> None:
    with atomic(desk.db):
        lena = staff_store.insert(desk.db, "Lena", Role.LEAD.value, desk.now_iso())
    mine = desk.followups.add(customer_id, "mine", desk.issues.parse_due("in 2 hours"))
    desk.followups.add(customer_id, "hers", desk.issues.parse_due("in 1 hour"), owner_id=lena)
    assert [f.id for f in desk.followups.queue("today", owner_id=desk.actor.id)] == [mine.id]


def test_complete_records_outcome_and_timeline(
    desk: Desk, customer_id: int, clock: FakeClock
) -> None:
    issue = desk.issues.log(IssueDraft(customer_id=customer_id, title="late delivery"))
    followup = desk.followups.add(
        customer_id, "call back", desk.issues.parse_due("tomorrow"), issue_id=issue.id
    )
    clock.advance(days=1)
    done = desk.followups.complete(followup.id, "Called: parcel arrived, customer happy")
    assert done.done_at == clock.now.isoformat(timespec="seconds")
    assert done.outcome == "Called: parcel arrived, customer happy"
    assert done.seconds_left is None and not done.overdue
    assert desk.followups.queue("all") == []
    assert desk.customers.get(customer_id).last_seen_at == done.done_at
    rows = desk.db.execute(
        f"SELECT * FROM ({TIMELINE_SQL}) AS t WHERE customer_id = ? AND kind = 'followup' ORDER BY at",
        [customer_id],
    ).fetchall()
    assert [(r[0], r[1], r[5], r[6]) for r in rows] == [
        ("followup", followup.id, "Follow-up planned: call back", "Due 2026-12-01 17:00 UTC"),
        ("followup", followup.id, "Follow-up done: call back", done.outcome),
    ]
    with pytest.raises(UserError, match="already done"):
        desk.followups.complete(followup.id, "again")


def test_stale_completion_is_a_conflict(desk: Desk, customer_id: int) -> None:
    followup = desk.followups.add(customer_id, "call back", desk.issues.parse_due("tomorrow"))
    desk.followups.complete(followup.id, "done by the first counter", version=followup.version)
    with pytest.raises(UserError):  # already done wins over a stale version: same outcome, clear
        desk.followups.complete(followup.id, "second", version=followup.version)
    other = desk.followups.add(customer_id, "letter", desk.issues.parse_due("tomorrow"))
    with pytest.raises(Conflict):
        desk.followups.complete(other.id, "x", version=other.version + 5)
    assert desk.followups.get(other.id).done_at is None


@pytest.mark.parametrize(
    ("title", "due_hours", "message"),
    [
        ("  ", 2, "what to do"),
        ("x" * 201, 2, "under 200"),
        ("call", -1, "already passed"),
    ],
)
def test_bad_followup_input(
    desk: Desk, customer_id: int, clock: FakeClock, title: str, due_hours: int, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        desk.followups.add(customer_id, title, clock.now + timedelta(hours=due_hours))
    assert desk.followups.queue("all") == []


def test_followup_checks_customer_issue_and_owner(
    desk: Desk, customer_id: int, clock: FakeClock
) -> None:
    due = clock.now + timedelta(days=1)
    with pytest.raises(NotFound):
        desk.followups.add(9999, "call", due)
    with pytest.raises(NotFound):
        desk.followups.add(customer_id, "call", due, issue_id=777)
    stranger = desk.customers.create(CustomerDraft(first_name="Sam")).id
    their_issue = desk.issues.log(IssueDraft(customer_id=stranger, title="theirs"))
    with pytest.raises(UserError, match="another customer"):
        desk.followups.add(customer_id, "call", due, issue_id=their_issue.id)
    with atomic(desk.db):
        gone = staff_store.insert(desk.db, "Gone", "staff", desk.now_iso())
        desk.db.execute("UPDATE staff SET active = 0 WHERE id = ?", [gone])
    with pytest.raises(UserError, match="no longer active"):
        desk.followups.add(customer_id, "call", due, owner_id=gone)
    with pytest.raises(UserError):
        desk.followups.add(customer_id, "call", datetime(2026, 12, 4, 9, 0))  # naive
    assert desk.followups.queue("all") == []
