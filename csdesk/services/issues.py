"""Issues: log them, own them, move them through a clear workflow, make things right within limits.

Every write is one transaction that also writes an issue event (who, when, comment) and an audit
row. Edits carry the `version` they read; a stale one raises Conflict and changes nothing.
"""

from __future__ import annotations

from typing import Any, NoReturn

from csdesk.domain import (
    Category,
    Change,
    Channel,
    Goodwill,
    GoodwillKind,
    Issue,
    IssueDraft,
    IssueEvent,
    IssueStatus,
    Priority,
)
from csdesk.errors import NotFound, PermissionDenied, UserError
from csdesk.services.clock import iso
from csdesk.services.conflicts import refused
from csdesk.services.issue_queries import IssueQueries
from csdesk.services.issue_rules import (
    MAX_TEXT,
    MAX_TITLE,
    TRANSITIONS,
    IssueQuery,
    fields_priority,
    parse_priority,
    parse_status,
)
from csdesk.services.money import format_cents
from csdesk.services.text import clean_line, clean_text
from csdesk.store import audit
from csdesk.store import customers as customer_store
from csdesk.store import issues as store
from csdesk.store.db import atomic

S = IssueStatus
__all__ = ["IssueQuery", "IssueService", "parse_priority", "parse_status"]


class IssueService(IssueQueries):
    """The workflow: every write below is one transaction with its issue event and audit row.
    The reads (get, page, owners, settings the rules read) come from IssueQueries."""

    # -- categories (the reads are in IssueQueries) -------------------------------------------
    def add_category(self, name: str) -> Category:
        clean = self._category_name(name)
        with atomic(self._ctx.db):
            category_id = store.insert_category(self._ctx.db, clean)
            self._audit("create", "issue_category", category_id, after={"name": clean})
        self._ctx.notify(Change("issue_category", (category_id,)))
        return Category(category_id, clean, True)

    def edit_category(self, category_id: int, *, name: str, active: bool = True) -> Category:
        before = store.category(self._ctx.db, category_id)
        if before is None:
            raise NotFound(f"No category #{category_id}.")
        clean = self._category_name(name, exclude_id=category_id)
        with atomic(self._ctx.db):
            store.update_category(self._ctx.db, category_id, name=clean, active=active)
            self._audit(
                "update",
                "issue_category",
                category_id,
                before=before,
                after={"name": clean, "active": active},
            )
        self._ctx.notify(Change("issue_category", (category_id,)))
        return Category(category_id, clean, active)

    def _category_name(self, name: str, exclude_id: int | None = None) -> str:
        clean = " ".join(clean_line(name).split())
        if not clean or len(clean) > 60:
            raise UserError("A category needs a name of 1 to 60 characters.", field="category")
        found = store.category_by_name(self._ctx.db, clean)
        if found is not None and found["id"] != exclude_id:
            raise UserError(f"There is already a category “{found['name']}”.", field="category")
        return clean

    # -- writing -------------------------------------------------------------------------------
    def log(self, draft: IssueDraft, *, goodwill: tuple[GoodwillKind, int] | None = None) -> Issue:
        """Log a new issue (and, optionally, goodwill given at once: both or neither are saved)."""
        if customer_store.get(self._ctx.db, draft.customer_id) is None:
            raise NotFound(f"No customer #{draft.customer_id}.")
        fields = self._validate(draft)
        now = self._ctx.now_iso()
        if draft.due_at is None:
            fields["due_at"] = iso(self.default_due(fields_priority(fields)))
        elif draft.due_at <= self._ctx.clock():
            raise UserError(
                "That due date has already passed. Pick a time from now on.", field="due"
            )
        if goodwill is not None:
            self._check_goodwill(goodwill[0], goodwill[1], already=0)
        actor = self._ctx.actor.id
        row: dict[str, Any] = {
            **fields,
            "status": S.OPEN.value,
            "created_at": now,
            "created_by": actor,
            "updated_at": now,
            "updated_by": actor,
            "version": 1,
        }
        with atomic(self._ctx.db):
            issue_id = store.insert(self._ctx.db, row)
            self._event(issue_id, draft.customer_id, "created", None, S.OPEN, draft.description)
            self._audit("create", "issue", issue_id, after=row)
            if goodwill is not None:
                self._write_goodwill(issue_id, draft.customer_id, goodwill[0], goodwill[1], "")
        self._ctx.notify(Change("issue", (issue_id,), draft.customer_id))
        return self.get(issue_id)

    def update(self, issue_id: int, draft: IssueDraft, *, version: int, comment: str = "") -> Issue:
        """Save an edit made on `version`. Someone else's save in between raises Conflict."""
        current = self.get(issue_id)
        if draft.customer_id != current.customer_id:
            raise UserError("An issue cannot move to another customer; log a new one there.")
        fields = self._validate(draft, keep_owner=current.owner_id)
        if draft.due_at is None:
            fields["due_at"] = current.due_at
        elif iso(draft.due_at) != current.due_at and draft.due_at <= self._ctx.clock():
            raise UserError(
                "That due date has already passed. Pick a time from now on.", field="due"
            )
        before = {k: getattr(current, k) for k in fields if hasattr(current, k)}
        changed = [k for k, v in fields.items() if before.get(k, v) != v]
        note = comment.strip() or (
            "Changed " + ", ".join(changed).replace("_id", "") if changed else ""
        )
        return self._save(current, version, fields, "edited", None, note, before=before)

    def set_status(
        self,
        issue_id: int,
        status: IssueStatus,
        *,
        version: int,
        comment: str = "",
        resolution: str = "",
        satisfaction: int | None = None,
    ) -> Issue:
        """Move along the workflow. Resolving needs a resolution; reopening restarts the target."""
        current = self.get(issue_id)
        target = IssueStatus(status)
        if version != current.version:
            self._conflict(issue_id)
        if target not in TRANSITIONS[current.status]:
            allowed = ", ".join(s.label.lower() for s in TRANSITIONS[current.status])
            raise UserError(
                f"An issue that is {current.status.label.lower()} cannot become "
                f"{target.label.lower()}. From here it can go to: {allowed}.",
                field="status",
            )
        text = comment.strip()
        if len(text) > MAX_TEXT or len(resolution) > MAX_TEXT:
            raise UserError(f"Keep the comment and resolution under {MAX_TEXT} characters.")
        now = self._ctx.now_iso()
        changes: dict[str, Any] = {"status": target.value}
        kind = "status"
        if target is S.RESOLVED:
            if not resolution.strip():
                raise UserError(
                    "Say how it was resolved before resolving the issue.", field="resolution"
                )
            if satisfaction is not None and not 1 <= satisfaction <= 5:
                raise UserError("Satisfaction is a number from 1 to 5.", field="satisfaction")
            changes.update(
                resolution=resolution.strip(), satisfaction=satisfaction, resolved_at=now
            )
            text = "\n".join(p for p in (text, f"Resolution: {resolution.strip()}") if p)
        elif target is S.OPEN:
            kind = "reopened"
            changes.update(
                resolution="",
                satisfaction=None,
                resolved_at=None,
                due_at=iso(self.default_due(current.priority)),
            )
        return self._save(
            current, version, changes, kind, target, text, before={"status": current.status.value}
        )

    def reopen(self, issue_id: int, *, version: int, comment: str = "") -> Issue:
        return self.set_status(issue_id, S.OPEN, version=version, comment=comment)

    def comment(self, issue_id: int, text: str) -> IssueEvent:
        """Add a comment. Comments only append, so they never conflict with an edit."""
        body = clean_text(text).strip()
        if not body or len(body) > MAX_TEXT:
            raise UserError(f"A comment needs 1 to {MAX_TEXT} characters.", field="comment")
        issue = self.get(issue_id)
        with atomic(self._ctx.db):
            event_id = self._event(issue_id, issue.customer_id, "comment", None, None, body)
            self._audit("create", "issue_event", event_id, after={"comment": body})
        self._ctx.notify(Change("issue", (issue_id,), issue.customer_id))
        return next(e for e in self.events(issue_id) if e.id == event_id)

    def add_goodwill(
        self, issue_id: int, kind: GoodwillKind, amount_cents: int, *, comment: str = ""
    ) -> Goodwill:
        """Record goodwill within the actor's per-issue limit; above it PermissionDenied."""
        issue = self.get(issue_id)
        with atomic(self._ctx.db):
            # Read the total inside the transaction so two counters cannot both squeeze under it.
            self._check_goodwill(
                kind, amount_cents, already=store.goodwill_total(self._ctx.db, issue_id)
            )
            goodwill_id = self._write_goodwill(
                issue_id, issue.customer_id, kind, amount_cents, comment
            )
        self._ctx.notify(Change("issue", (issue_id,), issue.customer_id))
        return next(g for g in self.goodwill(issue_id) if g.id == goodwill_id)

    # -- helpers -------------------------------------------------------------------------------
    def _validate(self, draft: IssueDraft, keep_owner: int | None = None) -> dict[str, Any]:
        title = " ".join(clean_line(draft.title).split())  # no controls, bidi overrides
        if not title:
            raise UserError("Give the issue a short title, like “late delivery”.", field="title")
        if len(title) > MAX_TITLE:
            raise UserError(f"Keep the title under {MAX_TITLE} characters.", field="title")
        if len(draft.description) > MAX_TEXT:
            raise UserError(
                f"Keep the description under {MAX_TEXT} characters.", field="description"
            )
        if draft.category_id is not None:
            found = store.category(self._ctx.db, draft.category_id)
            if found is None:
                raise UserError("Pick a category from the list.", field="category")
        owner = (
            draft.owner_id if draft.owner_id is not None else (keep_owner or self._ctx.actor.id)
        )
        if owner != keep_owner:
            self.check_owner(owner)
        priority = Priority(draft.priority)
        return {
            "customer_id": draft.customer_id,
            "title": title,
            "description": clean_text(draft.description).strip(),
            "category_id": draft.category_id,
            "priority": priority.value,
            "priority_rank": priority.rank,
            "channel": Channel(draft.channel).value,
            "owner_id": owner,
            **({"due_at": iso(draft.due_at)} if draft.due_at else {}),
        }

    def _check_goodwill(self, kind: GoodwillKind, amount_cents: int, *, already: int) -> None:
        GoodwillKind(kind)
        if not isinstance(amount_cents, int) or amount_cents <= 0:
            raise UserError("Goodwill needs an amount above zero.", field="goodwill")
        actor = self._ctx.actor
        limit = self.goodwill_limit(actor.role)
        if limit is not None and already + amount_cents > limit:
            given = f" This issue already has {format_cents(already)}." if already else ""
            raise PermissionDenied(
                f"{actor.name} ({actor.role.value}) may give up to {format_cents(limit)} "
                f"of goodwill per issue.{given} Ask a shift lead or an admin to approve "
                f"{format_cents(amount_cents)}."
            )

    def _write_goodwill(
        self, issue_id: int, customer_id: int, kind: GoodwillKind, cents: int, comment: str
    ) -> int:
        now = self._ctx.now_iso()
        row = {
            "issue_id": issue_id,
            "kind": GoodwillKind(kind).value,
            "amount_cents": cents,
            "approved_by": self._ctx.actor.id,
            "at": now,
        }
        goodwill_id = store.insert_goodwill(self._ctx.db, row)
        # With the shop's currency: "Refund 12.50" alone reads as a number (issue 13.18).
        symbol = str(self._ctx.setting("currency_symbol", "$") or "")
        text = f"{GoodwillKind(kind).label} {symbol}{format_cents(cents)}"
        self._event(
            issue_id,
            customer_id,
            "goodwill",
            None,
            None,
            f"{text}: {comment.strip()}" if comment.strip() else text,
        )
        self._audit("create", "goodwill", goodwill_id, after=row)
        return goodwill_id

    def _save(
        self,
        current: Issue,
        version: int,
        changes: dict[str, Any],
        kind: str,
        to_status: IssueStatus | None,
        comment: str,
        *,
        before: dict[str, Any],
    ) -> Issue:
        """The issue as this save left it, read in the save's own transaction: read after the
        commit it could already carry another counter's next save, and an edit started from it
        would pass over that save unseen."""
        now = self._ctx.now_iso()
        changes = {**changes, "updated_at": now, "updated_by": self._ctx.actor.id}
        with atomic(self._ctx.db):
            if not store.update(self._ctx.db, current.id, version, changes):
                self._conflict(current.id)
            self._event(
                current.id,
                current.customer_id,
                kind,
                current.status if to_status else None,
                to_status,
                comment,
            )
            self._audit("update", "issue", current.id, before=before, after=changes)
            saved = self.get(current.id)
        self._ctx.notify(Change("issue", (current.id,), current.customer_id))
        return saved

    def _conflict(self, issue_id: int) -> NoReturn:
        if store.last_change(self._ctx.db, issue_id) is None:
            raise NotFound(f"Issue #{issue_id} was deleted while you were editing it.")
        raise refused(
            self._ctx, "issue", issue_id, what=f"issue #{issue_id}",
            then="Nothing of yours was saved and your text is still here: reload to see their "
            "change, then save again to keep yours.",
        )

    def _event(
        self,
        issue_id: int,
        customer_id: int,
        kind: str,
        from_status: IssueStatus | None,
        to_status: IssueStatus | None,
        comment: str,
    ) -> int:
        return store.insert_event(
            self._ctx.db,
            {
                "issue_id": issue_id,
                "customer_id": customer_id,
                "at": self._ctx.now_iso(),
                "staff_id": self._ctx.actor.id,
                "kind": kind,
                "from_status": from_status.value if from_status else None,
                "to_status": to_status.value if to_status else None,
                "comment": comment,
            },
        )

    def _audit(
        self, action: str, entity: str, entity_id: int, *, before: Any = None, after: Any = None
    ) -> None:
        audit.record(
            self._ctx.db,
            at=self._ctx.now_iso(),
            staff_id=self._ctx.actor.id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            source=self._ctx.source,
        )
