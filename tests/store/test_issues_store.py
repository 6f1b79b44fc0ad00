"""The 0003_issues schema: tables, seeded categories, timeline shape, and index use."""

from __future__ import annotations

import sqlite3

import pytest

from csdesk.domain import CustomerDraft, GoodwillKind, IssueDraft, IssueStatus
from csdesk.services.desk import Desk
from csdesk.store import followups as followup_store
from csdesk.store import issues as store
from csdesk.store.issues import TIMELINE_SQL
from csdesk.store.migrations import migrations

TIMELINE_COLUMNS = ["kind", "ref_id", "customer_id", "at", "channel", "title", "detail", "staff_id"]


def test_migration_is_registered_in_order_and_applied(desk: Desk) -> None:
    names = [m.name for m in migrations._migrations]
    assert "0003_issues" in names
    assert names == sorted(names)
    tables = {r[0] for r in desk.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"issues", "issue_events", "goodwill", "followups", "issue_categories"} <= tables


def test_constraints_guard_bad_rows(desk: Desk) -> None:
    customer = desk.customers.create(CustomerDraft(first_name="Ada")).id
    issue = desk.issues.log(IssueDraft(customer_id=customer, title="x"))
    for sql in (
        "UPDATE issues SET status = 'lost' WHERE id = ?",
        "UPDATE issues SET satisfaction = 9 WHERE id = ?",
        "INSERT INTO goodwill (issue_id, kind, amount_cents, at) VALUES (?, 'gift', -5, 'x')",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            desk.db.execute(sql, [issue.id])


def test_timeline_sql_has_the_shared_columns(desk: Desk) -> None:
    customer = desk.customers.create(CustomerDraft(first_name="Ada")).id
    issue = desk.issues.log(IssueDraft(customer_id=customer, title="late delivery"))
    desk.issues.add_goodwill(issue.id, GoodwillKind.GIFT, 500)
    issue = desk.issues.set_status(issue.id, IssueStatus.RESOLVED, version=1, resolution="ok")
    desk.issues.set_status(issue.id, IssueStatus.OPEN, version=issue.version)
    cur = desk.db.execute(f"SELECT * FROM ({TIMELINE_SQL}) AS entries ORDER BY at, title")
    assert [d[0] for d in cur.description] == TIMELINE_COLUMNS
    rows = cur.fetchall()
    titles = sorted(r[5] for r in rows)
    assert titles == [
        "Goodwill on issue: late delivery",
        "Issue logged: late delivery",
        "Issue reopened: late delivery",
        "Issue resolved: late delivery",
    ]
    assert {(r[0], r[1], r[2], r[4], r[7]) for r in rows} == {
        ("issue", issue.id, customer, "in_person", desk.actor.id)
    }
    assert {type(r[1]) for r in rows} == {int}


@pytest.mark.parametrize(
    ("flt", "sort", "index"),
    [
        (store.ListFilter(), "due", "issues_queue"),
        (store.ListFilter(overdue_at="2026-12-01"), "due", "issues_queue"),
        (store.ListFilter(), "priority", "issues_priority"),
        (store.ListFilter(open_only=False, status="resolved"), "due", "issues_status"),
        (store.ListFilter(owner_id=1), "due", "issues_owner"),
        (store.ListFilter(category_id=1), "due", "issues_category"),
        (store.ListFilter(open_only=False), "created", "issues_created"),
    ],
)
def test_list_first_page_walks_an_index(
    desk: Desk, flt: store.ListFilter, sort: str, index: str
) -> None:
    plan = store.list_plan(desk.db, flt, sort=sort)
    assert plan.uses(index) and not plan.sorts, plan.text


@pytest.mark.parametrize(("before", "owner"), [("2026-12-01", None), (None, None), ("2026", 1)])
def test_followup_queue_walks_an_index(desk: Desk, before: str | None, owner: int | None) -> None:
    plan = followup_store.queue_plan(desk.db, due_before=before, owner_id=owner)
    assert "followups_" in plan.text and not plan.sorts, plan.text
