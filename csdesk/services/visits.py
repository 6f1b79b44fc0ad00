"""Visits and calls: log, edit (who and when), soft delete and undo, purpose suggestions.

Every write is one transaction with an audit row, then a Change on the bus. A call is a visit
on the phone channel with a direction and a duration; the call timer lives in the UI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csdesk.domain import Change, Channel, Visit
from csdesk.errors import NotFound, UserError
from csdesk.services.auth import Permission, require, require_correction
from csdesk.services.clock import iso
from csdesk.services.conflicts import refused
from csdesk.services.text import clean_text, fold
from csdesk.store import audit
from csdesk.store import customers as customer_store
from csdesk.store import visits as store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from datetime import datetime

from csdesk.services.context import Context

MAX_TEXT = 4000
MAX_CALL_S = 24 * 3600
DIRECTIONS = ("in", "out")
_UNSET: Any = object()


def parse_channel(value: str | Channel) -> Channel:
    """'in_person', 'in-person', 'In person', 'phone', ... -> Channel; UserError otherwise."""
    if isinstance(value, Channel):
        return value
    key = str(value).strip().casefold().replace("-", "_").replace(" ", "_")
    key = {"e_mail": "email", "call": "phone", "instore": "in_person"}.get(key, key)
    try:
        return Channel(key)
    except ValueError:
        choices = ", ".join(c.value for c in Channel)
        raise UserError(
            f"“{value}” is not a channel. Use one of: {choices}.", field="channel"
        ) from None


def _check(
    *, purpose: str, outcome: str, satisfaction: int | None, duration_s: int | None,
    direction: str | None,
) -> None:
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise UserError("Satisfaction is a number from 1 to 5.", field="satisfaction")
    if duration_s is not None and not 0 <= duration_s <= MAX_CALL_S:
        raise UserError("A duration is between 0 seconds and 24 hours.", field="duration")
    if direction is not None and direction not in DIRECTIONS:
        raise UserError(
            "A call is either “in” (they called) or “out” (we called).", field="direction"
        )
    if len(purpose) > MAX_TEXT or len(outcome) > MAX_TEXT:
        raise UserError(f"Keep purpose and outcome under {MAX_TEXT} characters.")


class VisitService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # -- logging -------------------------------------------------------------------------------
    def log(
        self,
        customer_id: int | None,
        *,
        channel: Channel | str = Channel.IN_PERSON,
        purpose: str = "",
        outcome: str = "",
        at: datetime | None = None,
        duration_s: int | None = None,
        satisfaction: int | None = None,
        direction: str | None = None,
    ) -> Visit:
        """Log a visit; customer_id None is an anonymous walk-in."""
        require(self._ctx.actor, Permission.LOG)  # a deactivated member logs nothing
        channel = parse_channel(channel)
        # What is stored is what is shown: no controls or bidi overrides (csdesk/text.py).
        purpose, outcome = clean_text(purpose).strip(), clean_text(outcome).strip()
        if channel != Channel.PHONE:
            direction = None
        elif direction is None:
            direction = "in"
        _check(purpose=purpose, outcome=outcome, satisfaction=satisfaction,
               duration_s=duration_s, direction=direction)
        db = self._ctx.db
        if customer_id is not None and customer_store.get(db, customer_id) is None:
            raise NotFound(f"No customer #{customer_id}.")
        now = self._ctx.now_iso()
        actor = self._ctx.actor.id
        row: dict[str, Any] = {
            "customer_id": customer_id,
            "at": iso(at) if at else now,
            "channel": channel.value,
            "purpose": purpose,
            "outcome": outcome,
            "staff_id": actor,
            "duration_s": duration_s,
            "satisfaction": satisfaction,
            "direction": direction,
            "created_at": now,
            "created_by": actor,
            "computer": self._ctx.computer,  # where it was logged: the daily log says so
        }
        with atomic(db):
            visit_id = store.insert(db, row)  # also keeps the customer's last-seen facts current
            audit.record(db, at=now, staff_id=actor, action="create", entity="visit",
                         entity_id=visit_id, after=row, source=self._ctx.source)
        self._ctx.notify(Change("visit", (visit_id,), customer_id))
        return visit_from_row({**row, "id": visit_id})

    def log_call(
        self,
        customer_id: int | None,
        *,
        direction: str = "in",
        duration_s: int | None = None,
        purpose: str = "",
        outcome: str = "",
        satisfaction: int | None = None,
        at: datetime | None = None,
    ) -> Visit:
        """A call: the UI's timer gives duration_s when the call is logged."""
        return self.log(customer_id, channel=Channel.PHONE, direction=direction,
                        duration_s=duration_s, purpose=purpose, outcome=outcome,
                        satisfaction=satisfaction, at=at)

    # -- editing, deleting, undo ---------------------------------------------------------------
    def edit(
        self,
        visit_id: int,
        *,
        channel: Channel | str = _UNSET,
        purpose: str = _UNSET,
        outcome: str = _UNSET,
        satisfaction: int | None = _UNSET,
        duration_s: int | None = _UNSET,
        direction: str | None = _UNSET,
        version: int | None = None,
    ) -> Visit:
        """Change what was typed; only the fields given change. Records who and when.
        `version`: the one the edit was read at; a save by someone else since raises Conflict."""
        before = self._row(visit_id)
        require_correction(self._ctx.actor, _author(before))
        changes: dict[str, Any] = {}
        if channel is not _UNSET:
            changes["channel"] = parse_channel(channel).value
        for key, value in (("purpose", purpose), ("outcome", outcome)):
            if value is not _UNSET:
                changes[key] = clean_text(str(value)).strip()
        numbers: tuple[tuple[str, object], ...] = (
            ("satisfaction", satisfaction), ("duration_s", duration_s), ("direction", direction)
        )
        for key, given in numbers:
            if given is not _UNSET:
                changes[key] = given
        merged = {**before, **changes}
        if merged["channel"] != Channel.PHONE.value:
            changes["direction"] = merged["direction"] = None
        _check(purpose=merged["purpose"], outcome=merged["outcome"],
               satisfaction=merged["satisfaction"], duration_s=merged["duration_s"],
               direction=merged["direction"])
        now = self._ctx.now_iso()
        actor = self._ctx.actor.id
        changes.update(updated_at=now, updated_by=actor)
        with atomic(self._ctx.db):
            # A correction is not an interaction: last_seen_at stays where the visit put it.
            if not store.update(self._ctx.db, visit_id, changes, version=version):
                raise refused(self._ctx, "visit", visit_id, what="this visit")
            audit.record(self._ctx.db, at=now, staff_id=actor, action="update", entity="visit",
                         entity_id=visit_id, before=before, after=changes,
                         source=self._ctx.source)
            saved = self.get(visit_id)  # this save's row, not a later one (see Customers.update)
        self._ctx.notify(Change("visit", (visit_id,), before["customer_id"]))
        return saved

    def assign(self, visit_id: int, customer_id: int) -> Visit:
        """Give an anonymous walk-in's visit to a customer (e.g. one just created for them)."""
        before = self._row(visit_id)
        require_correction(self._ctx.actor, _author(before))
        if before["customer_id"] is not None:
            raise UserError("This visit already belongs to a customer; edit that one instead.")
        db = self._ctx.db
        if customer_store.get(db, customer_id) is None:
            raise NotFound(f"No customer #{customer_id}.")
        now = self._ctx.now_iso()
        actor = self._ctx.actor.id
        changes = {"customer_id": customer_id, "updated_at": now, "updated_by": actor}
        with atomic(db):
            store.update(db, visit_id, changes)
            store.recompute_customer(db, customer_id)
            audit.record(db, at=now, staff_id=actor, action="update", entity="visit",
                         entity_id=visit_id, before=before, after=changes,
                         source=self._ctx.source)
        self._ctx.notify(Change("visit", (visit_id,), customer_id))
        return self.get(visit_id)

    def delete(self, visit_id: int) -> Visit:
        """Soft delete; `restore(visit_id)` undoes it."""
        return self._set_deleted(visit_id, deleted=True)

    def restore(self, visit_id: int) -> Visit:
        return self._set_deleted(visit_id, deleted=False)

    def _set_deleted(self, visit_id: int, *, deleted: bool) -> Visit:
        before = self._row(visit_id, include_deleted=True)
        if bool(before["deleted_at"]) == deleted:
            return visit_from_row(before)  # already so: undo twice is harmless
        require_correction(self._ctx.actor, _author(before))
        now = self._ctx.now_iso()
        actor = self._ctx.actor.id
        with atomic(self._ctx.db):
            store.set_deleted(self._ctx.db, visit_id, now if deleted else None)
            if before["customer_id"] is not None:
                store.recompute_customer(self._ctx.db, before["customer_id"])
            audit.record(self._ctx.db, at=now, staff_id=actor,
                         action="delete" if deleted else "restore", entity="visit",
                         entity_id=visit_id, source=self._ctx.source)
        self._ctx.notify(Change("visit", (visit_id,), before["customer_id"],
                                 extra={"deleted": deleted}))
        return visit_from_row(self._row(visit_id, include_deleted=True))

    # -- reading -------------------------------------------------------------------------------
    def get(self, visit_id: int) -> Visit:
        return visit_from_row(self._row(visit_id))

    def _row(self, visit_id: int, *, include_deleted: bool = False) -> dict[str, Any]:
        row = store.get(self._ctx.db, visit_id)
        if row is None or (row["deleted_at"] and not include_deleted):
            raise NotFound(f"No visit #{visit_id}.")
        return row

    def for_customer(self, customer_id: int, *, offset: int = 0, limit: int = 50) -> list[Visit]:
        rows = store.for_customer(self._ctx.db, customer_id, offset=offset, limit=limit)
        return [visit_from_row(r) for r in rows]

    def last(self, customer_id: int) -> Visit | None:
        row = store.last_for_customer(self._ctx.db, customer_id)
        return visit_from_row(row) if row else None

    def count(self, customer_id: int) -> int:
        return store.count_for_customer(self._ctx.db, customer_id)

    def purpose_suggestions(self, prefix: str = "", *, limit: int = 8) -> list[str]:
        """The shop's recent purposes matching what is typed, most frequent then most recent.

        Purposes that start with the text come before those with a later word starting with it;
        case and accents are ignored. Reads a bounded window of recent visits.
        """
        wanted = fold(prefix.strip())[:200]
        stats: dict[str, list[Any]] = {}  # folded -> [shown text, count, latest at, starts]
        for purpose, times, latest in store.recent_purposes(self._ctx.db):
            key = fold(purpose)
            starts = key.startswith(wanted)
            if not starts and f" {wanted}" not in f" {key}":
                continue
            entry = stats.get(key)
            if entry is None:
                stats[key] = [purpose, times, latest, starts]
                continue
            if latest > entry[2]:  # spellings differing in case: show the latest one
                entry[0], entry[2] = purpose, latest
            entry[1] += times
        ranked = sorted(stats.values(), key=lambda e: (not e[3], -e[1], _desc(e[2])))
        return [e[0] for e in ranked[: max(1, limit)]]


def _author(row: dict[str, Any]) -> int | None:
    """Who made the entry: whoever typed it in (older rows: who served)."""
    author = row.get("created_by") or row.get("staff_id")
    return int(author) if author is not None else None


def _desc(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)


def visit_from_row(row: dict[str, Any]) -> Visit:
    return Visit(
        id=row["id"],
        customer_id=row["customer_id"],
        at=row["at"],
        channel=Channel(row["channel"]),
        purpose=row["purpose"],
        outcome=row["outcome"],
        staff_id=row["staff_id"],
        duration_s=row["duration_s"],
        satisfaction=row["satisfaction"],
        direction=row["direction"],
        created_at=row.get("created_at", ""),
        created_by=row.get("created_by"),
        updated_at=row.get("updated_at"),
        updated_by=row.get("updated_by"),
        deleted_at=row.get("deleted_at"),
        version=row.get("version", 1),
    )
