"""qtmodeltester on the issue, follow-up and event models, and their lazy paging."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from csdesk.domain import CustomerDraft, IssueDraft, IssueStatus, Priority
from csdesk.services.desk import Desk
from csdesk.services.issues import IssueQuery
from csdesk.ui.models.issue_models import FollowUpModel, IssueEventsModel, IssueListModel
from csdesk.ui.models.roles import EMPHASIS_ROLE, ID_ROLE, SECONDARY_ROLE
from tests.conftest import FakeClock


def _customers(desk: Desk, n: int) -> list[int]:
    return [desk.customers.create(CustomerDraft(first_name=f"Cust{i}")).id for i in range(n)]


def test_issue_list_model_pages_lazily_and_filters_in_sql(
    qtmodeltester: ModelTester, desk: Desk, clock: FakeClock
) -> None:
    ids = _customers(desk, 3)
    for n in range(23):
        priority = Priority.URGENT if n % 5 == 0 else Priority.LOW
        desk.issues.log(IssueDraft(customer_id=ids[n % 3], title=f"issue {n}", priority=priority))
    clock.advance(hours=5)  # the urgent ones (4 h) are late now
    model = IssueListModel(desk, page=10)
    qtmodeltester.check(model)
    model.reload()
    assert model.total == 23 and model.rowCount() == 10  # one page, not the table
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 20
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 23 and not model.canFetchMore(QModelIndex())
    model.reload()
    qtmodeltester.check(model)  # the tester fetches the rest itself
    assert model.rowCount() == 23
    late = [r for r in range(23) if model.data(model.index(r, 0), EMPHASIS_ROLE)]
    assert len(late) == 5
    assert all(str(model.data(model.index(r, 0))).endswith("overdue") for r in late)
    assert late == list(range(5))  # due soonest first: the late ones lead
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole).startswith("Due ")
    assert model.data(model.index(7, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Issue"

    model.set_query(IssueQuery(overdue=True))
    qtmodeltester.check(model)
    assert model.rowCount() == 5
    model.set_query(IssueQuery(customer_id=ids[0], priority=Priority.LOW))
    assert {model.issue_row(r).issue.customer_id for r in range(model.rowCount())} == {ids[0]}  # type: ignore[union-attr]
    first = model.issue_row(0)
    assert first is not None
    desk.issues.set_status(first.issue.id, IssueStatus.RESOLVED, version=1, resolution="ok")
    model.set_customer(ids[0])
    qtmodeltester.check(model)
    resolved = next(
        r for r in range(model.rowCount()) if model.data(model.index(r, 0), ID_ROLE) == first.issue.id
    )
    assert model.data(model.index(resolved, 0)) == "Resolved"  # no clock once resolved
    model.set_customer(None)
    assert model.rowCount() == 0 and model.data(model.index(0, 0)) is None


def test_followup_model_queue_is_open_ended_and_customer_mode(
    qtmodeltester: ModelTester, desk: Desk, clock: FakeClock
) -> None:
    ids = _customers(desk, 2)
    for n in range(12):
        desk.followups.add(ids[n % 2], f"call {n}", clock.now + timedelta(minutes=10 + n))
    desk.followups.add(ids[0], "next month", clock.now + timedelta(days=30))
    clock.advance(minutes=15)
    model = FollowUpModel(desk, page=5)
    qtmodeltester.check(model)
    model.set_queue("today")
    assert model.rowCount() == 5 and model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 12
    model.set_queue("today")
    qtmodeltester.check(model)
    assert model.rowCount() == 12
    assert model.data(model.index(0, 0)) == "5 min overdue"
    assert model.data(model.index(0, 0), EMPHASIS_ROLE) is True
    assert model.data(model.index(11, 0)).endswith("left")
    assert model.data(model.index(11, 0), Qt.ItemDataRole.ForegroundRole) is None
    model.set_queue("overdue")
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 5  # due 10 to 14 minutes in; the one due right now is not late
    model.set_queue("all")
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 13
    model.set_customer(ids[0])
    qtmodeltester.check(model)
    assert model.rowCount() == 7
    assert {model.followup(r).customer_id for r in range(7)} == {ids[0]}  # type: ignore[union-attr]
    model.set_customer(None)
    assert model.rowCount() == 0


def test_events_model(qtmodeltester: ModelTester, desk: Desk) -> None:
    [cid] = _customers(desk, 1)
    issue = desk.issues.log(IssueDraft(customer_id=cid, title="late", description="Not here"))
    desk.issues.set_status(issue.id, IssueStatus.WAITING, version=1, comment="Asked for photo")
    desk.issues.comment(issue.id, "<b>not bold</b>")
    model = IssueEventsModel(desk)
    qtmodeltester.check(model)
    model.set_issue(issue.id)
    qtmodeltester.check(model)
    texts = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert texts == [
        "Logged: Not here",
        "Now waiting on customer: Asked for photo",
        "Comment: <b>not bold</b>",
    ]
    assert "Front desk" in model.data(model.index(0, 0), SECONDARY_ROLE)
    assert model.issue_event(2) is not None and model.issue_event(3) is None
    model.set_issue(None)
    assert model.rowCount() == 0
