"""Issues on a real database file with the fake clock: due dates, workflow, goodwill, conflicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csdesk.domain import (
    Change,
    CustomerDraft,
    GoodwillKind,
    IssueDraft,
    IssueStatus,
    Priority,
    Role,
)
from csdesk.errors import Conflict, NotFound, PermissionDenied, UserError
from csdesk.services.desk import Desk
from csdesk.services.issues import IssueQuery
from csdesk.store import staff as staff_store
from csdesk.store.db import atomic
from tests.conftest import FakeClock
from tests.settings_seam import set_setting

S = IssueStatus


@pytest.fixture
def customer_id(desk: Desk) -> int:
    set_setting(desk, "timezone", "UTC")
    return desk.customers.create(CustomerDraft(first_name="Ada", last_name="Byron")).id


def add_staff(desk: Desk, name: str, role: Role) -> int:
    with atomic(desk.db):
        return staff_store.insert(desk.db, name, role.value, desk.now_iso())


def log(desk: Desk, customer_id: int, title: str = "late delivery", **kw: object) -> int:
    return desk.issues.log(IssueDraft(customer_id=customer_id, title=title, **kw)).id  # type: ignore[arg-type]


# -- logging and due dates ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("priority", "hours"),
    [(Priority.URGENT, 4), (Priority.HIGH, 24), (Priority.NORMAL, 72), (Priority.LOW, 7 * 24 + 48)],
)
def test_due_date_defaults_from_priority_target(
    desk: Desk, customer_id: int, clock: FakeClock, priority: Priority, hours: int
) -> None:
    # Monday 15:00: urgent/high/normal land within the week; low's 7 days span one weekend (+48 h).
    issue = desk.issues.get(log(desk, customer_id, priority=priority))
    assert issue.due_at == (clock.now + timedelta(hours=hours)).isoformat(timespec="seconds")
    assert issue.status is S.OPEN and issue.version == 1
    assert issue.owner_id == desk.actor.id


def test_sla_across_a_weekend(desk: Desk, customer_id: int, clock: FakeClock) -> None:
    clock.advance(days=4)  # Friday 4 December, 15:00
    high = desk.issues.get(log(desk, customer_id, priority=Priority.HIGH))
    assert high.due_at == "2026-12-07T15:00:00+00:00"  # Monday: the weekend does not count
    clock.advance(hours=7)  # Friday 22:00
    urgent = desk.issues.get(log(desk, customer_id, priority=Priority.URGENT))
    assert urgent.due_at == "2026-12-07T02:00:00+00:00"
    # On Monday 01:00 the high one has 14 hours left, not "overdue since Saturday".
    clock.now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    rows = {r.issue.id: r for r in desk.issues.page()}
    assert rows[high.id].seconds_left == 14 * 3600
    assert rows[high.id].time_label == "14 h left"


def test_targets_are_a_setting(desk: Desk, customer_id: int, clock: FakeClock) -> None:
    set_setting(desk, "issue_targets_hours", {"urgent": 1})
    issue = desk.issues.get(log(desk, customer_id, priority=Priority.URGENT))
    assert issue.due_at == (clock.now + timedelta(hours=1)).isoformat(timespec="seconds")


def test_explicit_due_date_and_past_one(desk: Desk, customer_id: int, clock: FakeClock) -> None:
    due = desk.issues.parse_due("friday 10:00")
    issue = desk.issues.get(log(desk, customer_id, due_at=due))
    assert issue.due_at == "2026-12-04T10:00:00+00:00"
    with pytest.raises(UserError, match="already passed") as info:
        log(desk, customer_id, due_at=clock.now - timedelta(minutes=1))
    assert info.value.field == "due"


def test_log_writes_event_audit_and_notifies(desk: Desk, customer_id: int) -> None:
    seen: list[Change] = []
    desk.subscribe(seen.append)
    issue_id = log(desk, customer_id, description="Parcel 3 days late")
    events = desk.issues.events(issue_id)
    assert [(e.kind, e.to_status, e.comment) for e in events] == [
        ("created", S.OPEN, "Parcel 3 days late")
    ]
    assert events[0].staff_name == "Front desk"
    audit = desk.db.execute(
        "SELECT action, entity FROM audit WHERE entity = 'issue' AND entity_id = ?", [issue_id]
    ).fetchall()
    assert audit == [("create", "issue")]
    assert seen[-1] == Change("issue", (issue_id,), customer_id)


@pytest.mark.parametrize(
    ("draft_kw", "message"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "under 200"),
        ({"description": "x" * 5000}, "description"),
        ({"category_id": 999}, "category"),
        ({"owner_id": 999}, "No staff member"),
    ],
)
def test_bad_issue_input(
    desk: Desk, customer_id: int, draft_kw: dict[str, object], message: str
) -> None:
    kw: dict[str, object] = {"title": "ok", **draft_kw}
    with pytest.raises(UserError, match=message):
        desk.issues.log(IssueDraft(customer_id=customer_id, **kw))  # type: ignore[arg-type]
    assert desk.issues.count(IssueQuery(status="all")) == 0


def test_unknown_customer_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound):
        desk.issues.log(IssueDraft(customer_id=4242, title="x"))


def test_owner_must_be_active(desk: Desk, customer_id: int) -> None:
    gone = add_staff(desk, "Gone Gary", Role.STAFF)
    with atomic(desk.db):  # no service to retire staff yet (security work): set it directly
        desk.db.execute("UPDATE staff SET active = 0 WHERE id = ?", [gone])
    with pytest.raises(UserError, match="no longer active") as info:
        log(desk, customer_id, owner_id=gone)
    assert info.value.field == "owner"
    with pytest.raises(UserError, match="no longer active"):
        desk.issues.owner_named("gone gary")
    assert desk.issues.count(IssueQuery(status="all")) == 0


# -- workflow -------------------------------------------------------------------------------------
def test_full_workflow_records_every_change(desk: Desk, customer_id: int, clock: FakeClock) -> None:
    issue = desk.issues.get(log(desk, customer_id))
    for status in (S.IN_PROGRESS, S.WAITING, S.IN_PROGRESS):
        clock.advance(minutes=10)
        issue = desk.issues.set_status(
            issue.id, status, version=issue.version, comment=f"to {status}"
        )
    clock.advance(minutes=10)
    issue = desk.issues.set_status(
        issue.id, S.RESOLVED, version=issue.version, resolution="Courier refunded", satisfaction=4
    )
    assert (issue.status, issue.resolution, issue.satisfaction) == (
        S.RESOLVED,
        "Courier refunded",
        4,
    )
    assert issue.resolved_at == clock.now.isoformat(timespec="seconds")
    issue = desk.issues.set_status(issue.id, S.CLOSED, version=issue.version)
    clock.advance(days=1)
    issue = desk.issues.reopen(issue.id, version=issue.version, comment="Parcel damaged after all")
    assert issue.status is S.OPEN and issue.resolved_at is None and issue.resolution == ""
    # Reopening restarts the target from now.
    assert issue.due_at == (clock.now + timedelta(hours=72)).isoformat(timespec="seconds")
    events = desk.issues.events(issue.id)
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("created", None, S.OPEN),
        ("status", S.OPEN, S.IN_PROGRESS),
        ("status", S.IN_PROGRESS, S.WAITING),
        ("status", S.WAITING, S.IN_PROGRESS),
        ("status", S.IN_PROGRESS, S.RESOLVED),
        ("status", S.RESOLVED, S.CLOSED),
        ("reopened", S.CLOSED, S.OPEN),
    ]
    assert "Resolution: Courier refunded" in events[4].comment
    assert events[-1].comment == "Parcel damaged after all"
    assert issue.version == 7


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ((), S.CLOSED),  # open -> closed: resolve first
        ((), S.OPEN),
        ((S.IN_PROGRESS,), S.OPEN),
        ((S.RESOLVED,), S.IN_PROGRESS),
        ((S.RESOLVED, S.CLOSED), S.RESOLVED),
    ],
)
def test_invalid_transitions_are_refused(
    desk: Desk, customer_id: int, path: tuple[IssueStatus, ...], bad: IssueStatus
) -> None:
    issue = desk.issues.get(log(desk, customer_id))
    for status in path:
        issue = desk.issues.set_status(issue.id, status, version=issue.version, resolution="fixed")
    with pytest.raises(UserError, match="cannot become"):
        desk.issues.set_status(issue.id, bad, version=issue.version, resolution="fixed")
    assert desk.issues.get(issue.id).version == issue.version  # nothing written


def test_resolving_needs_a_resolution_and_valid_satisfaction(desk: Desk, customer_id: int) -> None:
    issue = desk.issues.get(log(desk, customer_id))
    with pytest.raises(UserError, match="how it was resolved") as info:
        desk.issues.set_status(issue.id, S.RESOLVED, version=issue.version, resolution="  ")
    assert info.value.field == "resolution"
    for score in (0, 6, -1):
        with pytest.raises(UserError, match="1 to 5"):
            desk.issues.set_status(
                issue.id, S.RESOLVED, version=issue.version, resolution="ok", satisfaction=score
            )
    after = desk.issues.get(issue.id)
    assert after.status is S.OPEN and after.version == 1 and len(desk.issues.events(issue.id)) == 1


# -- optimistic concurrency -----------------------------------------------------------------------
def test_second_save_of_the_same_version_is_refused(
    desk: Desk, customer_id: int, clock: FakeClock
) -> None:
    issue = desk.issues.get(log(desk, customer_id, description="first words"))
    assert desk.target is not None
    other = Desk.open(desk.target, clock=clock)  # a second counter, its own connection
    try:
        add_staff(other, "Mia", Role.LEAD)
        other.act_as("Mia")
        mine = desk.issues.get(issue.id)
        theirs = other.issues.get(issue.id)
        clock.advance(minutes=5)
        other.issues.update(
            issue.id,
            IssueDraft(customer_id, "late delivery", description="their words"),
            version=theirs.version,
        )
        my_draft = IssueDraft(customer_id, "late delivery", description="my words")
        with pytest.raises(Conflict, match="Mia changed issue") as info:
            desk.issues.update(issue.id, my_draft, version=mine.version)
        assert "your text is still here" in info.value.message
        with pytest.raises(Conflict):
            desk.issues.set_status(issue.id, S.IN_PROGRESS, version=mine.version)
    finally:
        other.close()
    saved = desk.issues.get(issue.id)
    assert saved.description == "their words" and saved.version == 2
    assert my_draft.description == "my words"  # the caller still holds its text
    # Reloading and saving again works.
    again = desk.issues.update(issue.id, my_draft, version=saved.version)
    assert again.description == "my words" and again.version == 3


def test_update_records_what_changed(desk: Desk, customer_id: int) -> None:
    issue = desk.issues.get(log(desk, customer_id))
    lead = add_staff(desk, "Lena Lead", Role.LEAD)
    billing = desk.issues.category_named("billing")
    updated = desk.issues.update(
        issue.id,
        IssueDraft(customer_id, "wrong invoice", priority=Priority.HIGH, category_id=billing.id,
                   owner_id=lead),
        version=issue.version,
    )  # fmt: skip
    assert (updated.title, updated.priority, updated.category, updated.owner_name) == (
        "wrong invoice", Priority.HIGH, "Billing", "Lena Lead",
    )  # fmt: skip
    assert updated.due_at == issue.due_at  # an edit keeps the due date unless it is changed
    last = desk.issues.events(issue.id)[-1]
    assert last.kind == "edited" and "title" in last.comment and "owner" in last.comment


# -- goodwill -------------------------------------------------------------------------------------
def test_goodwill_limits_per_role(desk: Desk, customer_id: int) -> None:
    issue_id = log(desk, customer_id)
    desk.issues.add_goodwill(issue_id, GoodwillKind.GIFT, 3000)
    # Staff limit is 50.00 per issue: 30.00 given, 25.00 more would make 55.00.
    with pytest.raises(PermissionDenied, match=r"50\.00") as info:
        desk.issues.add_goodwill(issue_id, GoodwillKind.REFUND, 2500)
    assert "already has 30.00" in str(info.value)
    assert desk.issues.get(issue_id).goodwill_cents == 3000
    assert [e.kind for e in desk.issues.events(issue_id)] == ["created", "goodwill"]

    add_staff(desk, "Lena Lead", Role.LEAD)
    desk.act_as("Lena Lead")
    desk.issues.add_goodwill(issue_id, GoodwillKind.REFUND, 2500, comment="courier fault")
    with pytest.raises(PermissionDenied, match=r"500\.00"):
        desk.issues.add_goodwill(issue_id, GoodwillKind.REFUND, 50_000)

    add_staff(desk, "Ada Admin", Role.ADMIN)
    desk.act_as("Ada Admin")
    big = desk.issues.add_goodwill(issue_id, GoodwillKind.DISCOUNT, 1_000_000)
    assert big.approved_by == desk.actor.id
    gifts = desk.issues.goodwill(issue_id)
    assert [g.amount_cents for g in gifts] == [3000, 2500, 1_000_000]
    assert desk.issues.get(issue_id).goodwill_cents == 1_005_500
    assert desk.issues.events(issue_id)[2].comment == "Refund $25.00: courier fault"  # 13.18


def test_goodwill_limits_are_a_setting(desk: Desk, customer_id: int) -> None:
    set_setting(desk, "goodwill_limit_staff", 0)
    issue_id = log(desk, customer_id)
    with pytest.raises(PermissionDenied):
        desk.issues.add_goodwill(issue_id, GoodwillKind.GIFT, 1)


def test_goodwill_limits_are_changed_by_an_admin_through_the_audited_setter(
    desk: Desk, customer_id: int
) -> None:
    with pytest.raises(PermissionDenied, match="change settings"):
        desk.shop.set("goodwill_limit_lead", "750.00")  # Front desk is staff
    assert desk.issues.goodwill_limit(Role.LEAD) == 50_000
    add_staff(desk, "Ada Admin", Role.ADMIN)
    desk.act_as("Ada Admin")
    assert desk.shop.set("goodwill_limit_lead", "750.00") == 75_000
    assert desk.shop.set("goodwill_limit_admin", "2000") == 200_000
    assert desk.shop.values()["goodwill_limit_lead"] == "750.00"
    assert desk.issues.goodwill_limit(Role.LEAD) == 75_000
    assert desk.shop.set("goodwill_limit_admin", "unlimited") is None
    entry = next(e for e in desk.audit.entries() if e.entity == "setting")
    assert entry.before == {"goodwill_limit_admin": 200_000}
    assert entry.after == {"goodwill_limit_admin": None}


def test_over_limit_goodwill_at_logging_writes_nothing(desk: Desk, customer_id: int) -> None:
    draft = IssueDraft(customer_id=customer_id, title="broken kettle")
    with pytest.raises(PermissionDenied):
        desk.issues.log(draft, goodwill=(GoodwillKind.REFUND, 5001))
    assert desk.issues.count(IssueQuery(status="all")) == 0
    assert desk.db.execute("SELECT count(*) FROM issue_events").fetchone()[0] == 0
    issue = desk.issues.log(draft, goodwill=(GoodwillKind.REFUND, 5000))
    assert issue.goodwill_cents == 5000


@pytest.mark.parametrize("amount", [0, -100])
def test_goodwill_must_be_positive(desk: Desk, customer_id: int, amount: int) -> None:
    issue_id = log(desk, customer_id)
    with pytest.raises(UserError, match="above zero"):
        desk.issues.add_goodwill(issue_id, GoodwillKind.GIFT, amount)


# -- list, banner, categories ---------------------------------------------------------------------
def test_issue_list_filters_sorts_and_pages(desk: Desk, customer_id: int, clock: FakeClock) -> None:
    lead = add_staff(desk, "Lena Lead", Role.LEAD)
    delivery = desk.issues.category_named("Delivery").id
    ids = {
        "urgent": log(desk, customer_id, "kettle", priority=Priority.URGENT, owner_id=lead),
        "low": log(desk, customer_id, "typo", priority=Priority.LOW),
        "normal": log(desk, customer_id, "parcel", category_id=delivery),
    }
    done = desk.issues.get(log(desk, customer_id, "done one"))
    desk.issues.set_status(done.id, S.RESOLVED, version=1, resolution="fixed")
    page = desk.issues.page()
    assert [r.issue.id for r in page] == [ids["urgent"], ids["normal"], ids["low"]]  # soonest due
    assert desk.issues.count() == 3 and desk.issues.count(IssueQuery(status="all")) == 4
    assert [r.issue.id for r in desk.issues.page(IssueQuery(status="resolved"))] == [done.id]
    assert [r.issue.id for r in desk.issues.page(IssueQuery(owner_id=lead))] == [ids["urgent"]]
    assert [r.issue.id for r in desk.issues.page(IssueQuery(category_id=delivery))] == [
        ids["normal"]
    ]
    low = desk.issues.page(IssueQuery(priority=Priority.LOW))
    assert [r.issue.id for r in low] == [ids["low"]]
    by_created = desk.issues.page(IssueQuery(status="all", sort="created"), limit=2)
    assert [r.issue.id for r in by_created] == [done.id, ids["normal"]]
    second = desk.issues.page(IssueQuery(status="all", sort="created"), limit=2, offset=2)
    assert [r.issue.id for r in second] == [ids["low"], ids["urgent"]]
    clock.advance(hours=6)
    overdue = desk.issues.page(IssueQuery(overdue=True))
    assert [(r.issue.id, r.overdue, r.time_label) for r in overdue] == [
        (ids["urgent"], True, "2 h overdue")
    ]
    rows = {r.issue.id: r for r in desk.issues.page(IssueQuery(status="all"))}
    assert rows[ids["normal"]].time_label == "3 days left"  # 66 h: to the nearest day
    assert rows[done.id].seconds_left is None and rows[done.id].time_label == ""
    assert rows[ids["urgent"]].customer_name == "Ada Byron"


def test_bad_status_in_query(desk: Desk) -> None:
    with pytest.raises(UserError, match="not a status"):
        desk.issues.page(IssueQuery(status="lost"))


def test_open_summaries_for_the_banner(desk: Desk, customer_id: int, clock: FakeClock) -> None:
    late = log(desk, customer_id, "late delivery", priority=Priority.URGENT)
    log(desk, customer_id, "wobbly chair")
    closed = desk.issues.get(log(desk, customer_id, "fixed thing"))
    desk.issues.set_status(closed.id, S.RESOLVED, version=1, resolution="done")
    clock.advance(days=2, hours=1)
    assert desk.issues.open_summaries(customer_id) == [
        "Open: late delivery, 2 days, overdue",
        "Open: wobbly chair, 2 days",
    ]
    desk.issues.set_status(late, S.RESOLVED, version=1, resolution="delivered")
    assert desk.issues.open_summaries(customer_id) == ["Open: wobbly chair, 2 days"]


def test_categories_are_editable(desk: Desk) -> None:
    names = [c.name for c in desk.issues.categories()]
    assert names == ["Product fault", "Delivery", "Billing", "Service", "Other"]
    added = desk.issues.add_category("  Returns  ")
    assert added.name == "Returns" and desk.issues.category_named("returns").id == added.id
    with pytest.raises(UserError, match="already a category"):
        desk.issues.add_category("DELIVERY")
    desk.issues.edit_category(added.id, name="Returns", active=False)
    assert "Returns" not in [c.name for c in desk.issues.categories()]
    with pytest.raises(UserError, match="Pick one of"):
        desk.issues.category_named("Returns")


def test_comments_append_without_version(desk: Desk, customer_id: int) -> None:
    issue_id = log(desk, customer_id)
    event = desk.issues.comment(issue_id, "Called the courier")
    assert event.kind == "comment" and event.comment == "Called the courier"
    assert desk.issues.get(issue_id).version == 1
    with pytest.raises(UserError):
        desk.issues.comment(issue_id, "   ")


def test_owners_and_draft_round_trip(desk: Desk, customer_id: int) -> None:
    lena = add_staff(desk, "Lena Lead", Role.LEAD)
    gone = add_staff(desk, "Gone", Role.STAFF)
    with atomic(desk.db):
        desk.db.execute("UPDATE staff SET active = 0 WHERE id = ?", [gone])
    assert [s.name for s in desk.issues.owners()] == ["Front desk", "Lena Lead"]
    issue = desk.issues.get(log(desk, customer_id, owner_id=lena))
    same = desk.issues.update(issue.id, desk.issues.draft_of(issue), version=issue.version)
    assert (same.title, same.due_at, same.owner_id) == (issue.title, issue.due_at, lena)
    assert same.version == issue.version + 1


@pytest.mark.parametrize(
    "title",
    ["Robert'); DROP TABLE issues;--", '"quoted" % _ * ? \\', "Ünïcødé 日本語 🚚", "a\u200bb"],
)
def test_hostile_titles_are_stored_verbatim(desk: Desk, customer_id: int, title: str) -> None:
    issue = desk.issues.get(log(desk, customer_id, title))
    assert issue.title == title
    assert desk.issues.open_summaries(customer_id) == [f"Open: {title}, 1 min"]
    assert desk.issues.count(IssueQuery(status="all")) == 1
