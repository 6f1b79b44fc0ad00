"""The rules of the issue workflow, as plain data and pure functions: transitions, words people
type for statuses and priorities, the default targets and limits, and row-to-domain mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csdesk.domain import Channel, Issue, IssueEvent, IssueListRow, IssueStatus, Priority
from csdesk.errors import UserError
from csdesk.services import dates
from csdesk.services.clock import parse

MAX_TITLE = 200
MAX_TEXT = 4000
DEFAULT_TARGET_HOURS = {"urgent": 4, "high": 24, "normal": 72, "low": 168}
# None: unlimited. Per issue: the total goodwill on one issue may not pass the actor's limit.
DEFAULT_GOODWILL_LIMITS: dict[str, int | None] = {"staff": 5_000, "lead": 50_000, "admin": None}

S = IssueStatus
# Where each status may go next; resolved/closed -> open is "reopen".
TRANSITIONS: dict[IssueStatus, tuple[IssueStatus, ...]] = {
    S.OPEN: (S.IN_PROGRESS, S.WAITING, S.RESOLVED),
    S.IN_PROGRESS: (S.WAITING, S.RESOLVED),
    S.WAITING: (S.IN_PROGRESS, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.OPEN),
    S.CLOSED: (S.OPEN,),
}
STATUS_WORDS = {
    "open": S.OPEN,
    "reopen": S.OPEN,
    "in_progress": S.IN_PROGRESS,
    "in-progress": S.IN_PROGRESS,
    "in progress": S.IN_PROGRESS,
    "progress": S.IN_PROGRESS,
    "waiting": S.WAITING,
    "waiting_on_customer": S.WAITING,
    "waiting-on-customer": S.WAITING,
    "resolved": S.RESOLVED,
    "resolve": S.RESOLVED,
    "closed": S.CLOSED,
    "close": S.CLOSED,
}


def parse_status(text: str) -> IssueStatus:
    found = STATUS_WORDS.get(text.strip().lower())
    if found is None:
        raise UserError(
            f"“{text}” is not a status. Use open, in_progress, waiting, resolved or closed.",
            field="status",
        )
    return found


def parse_priority(text: str) -> Priority:
    try:
        return Priority(text.strip().lower())
    except ValueError:
        raise UserError(
            f"“{text}” is not a priority. Use low, normal, high or urgent.", field="priority"
        ) from None


@dataclass(frozen=True)
class IssueQuery:
    """What the issue list shows. status: 'active' (open, in progress, waiting), 'all', or one."""

    status: str = "active"
    owner_id: int | None = None
    priority: Priority | None = None
    category_id: int | None = None
    customer_id: int | None = None
    overdue: bool = False
    sort: str = "due"  # due, priority, created, updated
    descending: bool = False


def fields_priority(fields: dict[str, Any]) -> Priority:
    return Priority(fields["priority"])


def to_issue(row: dict[str, Any]) -> Issue:
    return Issue(
        id=row["id"],
        customer_id=row["customer_id"],
        title=row["title"],
        description=row["description"],
        category_id=row["category_id"],
        category=row["category"],
        priority=Priority(row["priority"]),
        channel=Channel(row["channel"]),
        owner_id=row["owner_id"],
        owner_name=row["owner_name"],
        status=IssueStatus(row["status"]),
        due_at=row["due_at"],
        resolution=row["resolution"],
        satisfaction=row["satisfaction"],
        resolved_at=row["resolved_at"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        version=row["version"],
        goodwill_cents=row["goodwill_cents"],
    )


def list_row(issue: Issue, customer_name: str, now: datetime) -> IssueListRow:
    left = int((parse(issue.due_at) - now).total_seconds()) if issue.status.is_open else None
    return IssueListRow(issue, customer_name, left, dates.left_label(left))


def to_event(row: dict[str, Any]) -> IssueEvent:
    return IssueEvent(
        id=row["id"],
        issue_id=row["issue_id"],
        at=row["at"],
        staff_id=row["staff_id"],
        staff_name=row["staff_name"],
        kind=row["kind"],
        from_status=IssueStatus(row["from_status"]) if row["from_status"] else None,
        to_status=IssueStatus(row["to_status"]) if row["to_status"] else None,
        comment=row["comment"],
    )
