"""Issues, read: the settings the rules read, categories, owners, one issue, the list and banners.

services/issues.py adds the workflow (log, edit, move, comment, goodwill) on top of these reads;
a face that only shows issues needs nothing more than this.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from csdesk.domain import (
    Category,
    Goodwill,
    GoodwillKind,
    Issue,
    IssueDraft,
    IssueEvent,
    IssueListRow,
    IssueStatus,
    Priority,
    Role,
    Staff,
    display_name,
)
from csdesk.errors import NotFound, UserError
from csdesk.services import dates
from csdesk.services.auth import CLI_ACTOR
from csdesk.services.clock import iso, parse
from csdesk.services.issue_rules import (
    TRANSITIONS,
    IssueQuery,
    list_row,
    parse_status,
    to_event,
    to_issue,
)
from csdesk.services.setting_registry import read as read_setting
from csdesk.store import issues as store
from csdesk.store import staff as staff_store

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.customers import CustomerService


class IssueQueries:
    """Everything about issues that reads; IssueService adds the writes."""

    def __init__(self, ctx: Context, *, customers: CustomerService) -> None:
        self._ctx = ctx
        self._customers = customers

    # -- settings the rules read ---------------------------------------------------------------
    @property
    def tz(self) -> tzinfo:
        return self._ctx.tz

    # Targets, working days and goodwill limits are settings in the one registry
    # (services.setting_registry): what `csdesk settings` shows is what is applied here.
    def target(self, priority: Priority) -> timedelta:
        hours = read_setting(self._ctx.setting, "issue_targets_hours")
        return timedelta(hours=float(hours[Priority(priority).value]))

    def default_due(self, priority: Priority, start: datetime | None = None) -> datetime:
        """Due time from the priority's target, counted in business time (see services.dates)."""
        business = read_setting(self._ctx.setting, "issue_business_days")
        begin = start or self._ctx.clock()
        return dates.add_business_time(begin, self.target(priority), self.tz, business)

    def goodwill_limit(self, role: Role) -> int | None:
        """The goodwill policy: the most goodwill (cents) one issue may carry when this role gives
        it; None: unlimited. One setting per role (goodwill_limit_staff, _lead, _admin)."""
        value = read_setting(self._ctx.setting, f"goodwill_limit_{Role(role).value}")
        return None if value is None else int(value)

    def parse_due(self, text: str) -> datetime:
        return dates.parse_due(text, self._ctx.clock(), self.tz)

    # -- categories ----------------------------------------------------------------------------
    def categories(self, *, include_inactive: bool = False) -> list[Category]:
        rows = store.categories(self._ctx.db, include_inactive=include_inactive)
        return [Category(r["id"], r["name"], bool(r["active"])) for r in rows]

    def category_named(self, name: str) -> Category:
        row = store.category_by_name(self._ctx.db, name.strip())
        if row is None or not row["active"]:
            names = ", ".join(c.name for c in self.categories())
            raise UserError(
                f"There is no category “{name}”. Pick one of: {names}.", field="category"
            )
        return Category(row["id"], row["name"], True)

    # -- staff ---------------------------------------------------------------------------------
    def owner_named(self, name: str) -> int:
        row = staff_store.by_name(self._ctx.db, name.strip())
        if row is None:
            raise UserError(f"No staff member called “{name}”.", field="owner")
        self.check_owner(int(row["id"]))
        return int(row["id"])

    def owners(self) -> list[Staff]:
        """Who can own an issue or a follow-up: active staff, by name."""
        return [
            Staff(id=r["id"], name=r["name"], role=Role(r["role"]), active=True)
            for r in staff_store.all_staff(self._ctx.db)
            if r["active"] and r["name"] != CLI_ACTOR  # the command line is nobody's owner
        ]

    def check_owner(self, owner_id: int) -> None:
        row = staff_store.get(self._ctx.db, owner_id)
        if row is None:
            raise UserError(
                f"No staff member #{owner_id}. Pick an owner from the list.", field="owner"
            )
        if not row["active"]:
            raise UserError(
                f"{row['name']} is no longer active, so cannot own an issue. Pick someone else.",
                field="owner",
            )

    # -- reading -------------------------------------------------------------------------------
    def get(self, issue_id: int) -> Issue:
        row = store.get(self._ctx.db, issue_id)
        if row is None:
            raise NotFound(f"No issue #{issue_id}.")
        return to_issue(row)

    def events(self, issue_id: int) -> list[IssueEvent]:
        return [to_event(r) for r in store.events(self._ctx.db, issue_id)]

    def goodwill(self, issue_id: int) -> list[Goodwill]:
        return [
            Goodwill(
                r["id"],
                r["issue_id"],
                GoodwillKind(r["kind"]),
                r["amount_cents"],
                r["approved_by"],
                r["at"],
            )
            for r in store.goodwill_for(self._ctx.db, issue_id)
        ]

    @staticmethod
    def draft_of(issue: Issue) -> IssueDraft:
        """The editable fields of an issue; pass it back to update() with issue.version."""
        return IssueDraft(
            customer_id=issue.customer_id,
            title=issue.title,
            description=issue.description,
            category_id=issue.category_id,
            priority=issue.priority,
            channel=issue.channel,
            owner_id=issue.owner_id,
            due_at=parse(issue.due_at),
        )

    @staticmethod
    def next_statuses(status: IssueStatus) -> tuple[IssueStatus, ...]:
        return TRANSITIONS[IssueStatus(status)]

    def page(
        self, query: IssueQuery | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[IssueListRow]:
        """One page of the issue list (default: open ones, soonest due first)."""
        query = query or IssueQuery()
        now = self._ctx.clock()
        rows = store.list_page(
            self._ctx.db,
            self._filter(query, now),
            sort=query.sort if query.sort in store.SORTS else "due",
            descending=query.descending,
            limit=limit,
            offset=offset,
        )
        result = []
        for row in rows:
            name = display_name(row["c_first"], row["c_last"], row["c_preferred"], row["c_company"],
                                row["c_email"], row["c_phone"] or "", row["customer_id"])
            result.append(list_row(to_issue({**row, "goodwill_cents": 0}), name, now))
        return result

    def row(self, issue_id: int) -> IssueListRow:
        """One issue as the list shows it: customer name, time left or overdue."""
        issue = self.get(issue_id)
        name = self._customers.get(issue.customer_id).display_name
        return list_row(issue, name, self._ctx.clock())

    def count(self, query: IssueQuery | None = None) -> int:
        return store.count(self._ctx.db, self._filter(query or IssueQuery(), self._ctx.clock()))

    def _filter(self, query: IssueQuery, now: datetime) -> store.ListFilter:
        status: str | None = None
        if query.status not in ("active", "all"):
            status = parse_status(query.status).value
        return store.ListFilter(
            open_only=query.status == "active",
            status=status,
            owner_id=query.owner_id,
            priority=Priority(query.priority).value if query.priority else None,
            category_id=query.category_id,
            customer_id=query.customer_id,
            overdue_at=iso(now) if query.overdue else None,
        )

    def open_summaries(self, customer_id: int) -> list[str]:
        """Banner lines: 'Open: late delivery, 2 days' (open that long), ', overdue' when late."""
        now = self._ctx.clock()
        lines = []
        for row in store.open_for_customer(self._ctx.db, customer_id):
            age = dates.span((now - parse(row["created_at"])).total_seconds())
            late = ", overdue" if parse(row["due_at"]) < now else ""
            lines.append(f"Open: {row['title']}, {age}{late}")
        return lines
