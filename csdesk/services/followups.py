"""Follow-ups: "call back Friday", "send a letter". Each has a due time and an owner, belongs to a
customer and optionally to an issue, and shows up in the "due today / overdue" queue until done.

Completing one records what was done; the timeline shows it through store.issues.TIMELINE_SQL (a
follow-up is not counted as a visit, but it does count as the customer's last interaction).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change, FollowUp, display_name
from csdesk.errors import NotFound, UserError
from csdesk.services import dates
from csdesk.services.clock import iso, parse
from csdesk.services.conflicts import refused
from csdesk.services.text import clean_line, clean_text
from csdesk.store import audit
from csdesk.store import customers as customer_store
from csdesk.store import followups as store
from csdesk.store import issues as issue_store
from csdesk.store import visits as visit_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.issues import IssueService

MAX_TITLE = 200
MAX_TEXT = 4000
QUEUES = ("today", "overdue", "all")


class FollowUpService:
    def __init__(self, ctx: Context, *, issues: IssueService) -> None:
        self._ctx = ctx
        self._issues = issues

    def end_of_today(self) -> datetime:
        """Midnight at the end of today, in the shop's time zone, as UTC."""
        tz = self._issues.tz
        today = self._ctx.clock().astimezone(tz).date()
        return datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)

    # -- reading -------------------------------------------------------------------------------
    def get(self, followup_id: int) -> FollowUp:
        row = store.get(self._ctx.db, followup_id)
        if row is None:
            raise NotFound(f"No follow-up #{followup_id}.")
        return self._followup(row, self._ctx.clock())

    def queue(
        self, due: str = "today", *, owner_id: int | None = None, limit: int = 50, offset: int = 0
    ) -> list[FollowUp]:
        """Open follow-ups, soonest first. due: 'today' (due today or overdue), 'overdue', 'all'."""
        if due not in QUEUES:
            raise UserError(f"“{due}” is not a queue. Use today, overdue or all.", field="due")
        now = self._ctx.clock()
        before = {"today": iso(self.end_of_today()), "overdue": iso(now), "all": None}[due]
        rows = store.queue(
            self._ctx.db, due_before=before, owner_id=owner_id, limit=limit, offset=offset
        )
        return [self._followup(r, now) for r in rows]

    def for_customer(self, customer_id: int, *, open_only: bool = True) -> list[FollowUp]:
        now = self._ctx.clock()
        rows = store.for_customer(self._ctx.db, customer_id, open_only=open_only)
        return [self._followup(r, now) for r in rows]

    # -- writing -------------------------------------------------------------------------------
    def add(
        self,
        customer_id: int,
        title: str,
        due_at: datetime,
        *,
        owner_id: int | None = None,
        issue_id: int | None = None,
    ) -> FollowUp:
        clean = " ".join(clean_line(title).split())  # no controls or bidi overrides
        if not clean:
            raise UserError("Say what to do, like “call back about the repair”.", field="title")
        if len(clean) > MAX_TITLE:
            raise UserError(f"Keep the title under {MAX_TITLE} characters.", field="title")
        if customer_store.get(self._ctx.db, customer_id) is None:
            raise NotFound(f"No customer #{customer_id}.")
        if issue_id is not None:
            issue = issue_store.get(self._ctx.db, issue_id)
            if issue is None:
                raise NotFound(f"No issue #{issue_id}.")
            if issue["customer_id"] != customer_id:
                raise UserError(
                    f"Issue #{issue_id} belongs to another customer. Attach the follow-up to one "
                    "of this customer's issues, or to none.",
                    field="issue",
                )
        if due_at.tzinfo is None:
            raise UserError("The due time needs a time zone.", field="due")
        if due_at <= self._ctx.clock():
            raise UserError("That time has already passed. Pick a time from now on.", field="due")
        owner = owner_id if owner_id is not None else self._ctx.actor.id
        self._issues.check_owner(owner)
        now = self._ctx.now_iso()
        actor = self._ctx.actor.id
        row: dict[str, Any] = {
            "customer_id": customer_id,
            "issue_id": issue_id,
            "title": clean,
            "due_at": iso(due_at),
            "owner_id": owner,
            "created_at": now,
            "created_by": actor,
            "updated_at": now,
            "updated_by": actor,
            "version": 1,
        }
        with atomic(self._ctx.db):
            followup_id = store.insert(self._ctx.db, row)
            self._audit("create", followup_id, after=row)
        self._ctx.notify(Change("followup", (followup_id,), customer_id))
        return self.get(followup_id)

    def complete(
        self, followup_id: int, outcome: str = "", *, version: int | None = None
    ) -> FollowUp:
        """Mark done with what was done. `version`: the one the caller read (None: the current)."""
        current = self.get(followup_id)
        if version is not None and version != current.version:
            # Done (or changed) at another counter since this was read: say who and when.
            raise refused(self._ctx, "followup", followup_id, what=f"follow-up #{followup_id}")
        if current.done_at is not None:
            raise UserError(
                f"This follow-up was already done on {current.done_at[:10]}: {current.outcome}"
            )
        text = clean_text(outcome).strip() or "Done"
        if len(text) > MAX_TEXT:
            raise UserError(f"Keep the outcome under {MAX_TEXT} characters.", field="outcome")
        now = self._ctx.now_iso()
        with atomic(self._ctx.db):
            ok = store.complete(
                self._ctx.db,
                followup_id,
                version=current.version if version is None else version,
                at=now,
                by=self._ctx.actor.id,
                outcome=text,
            )
            if not ok:
                raise refused(self._ctx, "followup", followup_id,
                              what=f"follow-up #{followup_id}")
            visit_store.touch_customer(self._ctx.db, current.customer_id, now, visit=False)
            self._audit("complete", followup_id, after={"outcome": text, "done_at": now})
            done = self.get(followup_id)  # this save's row, not a later one (see Customers.update)
        self._ctx.notify(Change("followup", (followup_id,), current.customer_id))
        return done

    # -- helpers -------------------------------------------------------------------------------
    def _audit(self, action: str, followup_id: int, *, after: Any) -> None:
        audit.record(
            self._ctx.db,
            at=self._ctx.now_iso(),
            staff_id=self._ctx.actor.id,
            action=action,
            entity="followup",
            entity_id=followup_id,
            after=after,
            source=self._ctx.source,
        )

    @staticmethod
    def _followup(row: dict[str, Any], now: datetime) -> FollowUp:
        left = None if row["done_at"] else int((parse(row["due_at"]) - now).total_seconds())
        name = display_name(row["c_first"], row["c_last"], row["c_preferred"], row["c_company"],
                            row["c_email"], row["c_phone"] or "", row["customer_id"])
        return FollowUp(
            id=row["id"],
            customer_id=row["customer_id"],
            issue_id=row["issue_id"],
            title=row["title"],
            due_at=row["due_at"],
            owner_id=row["owner_id"],
            owner_name=row["owner_name"],
            customer_name=name,
            done_at=row["done_at"],
            done_by=row["done_by"],
            outcome=row["outcome"],
            created_at=row["created_at"],
            created_by=row["created_by"],
            version=row["version"],
            seconds_left=left,
            time_label=dates.left_label(left),
        )
