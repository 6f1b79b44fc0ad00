"""A customer's history: visits and personal notes. Every write is one transaction with an audit row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csdesk.domain import Change, Channel, Note, NoteKind, Visit
from csdesk.errors import NotFound, UserError
from csdesk.services.clock import iso
from csdesk.store import audit
from csdesk.store import customers as customer_store
from csdesk.store import notes as note_store
from csdesk.store import visits as visit_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from datetime import datetime

    from csdesk.services.desk import Desk

MAX_TEXT = 4000


class HistoryService:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    # -- visits --------------------------------------------------------------------------------
    def log_visit(
        self,
        customer_id: int | None,
        *,
        channel: Channel = Channel.IN_PERSON,
        purpose: str = "",
        outcome: str = "",
        at: datetime | None = None,
        duration_s: int | None = None,
        satisfaction: int | None = None,
        direction: str | None = None,
    ) -> Visit:
        if customer_id is not None and customer_store.get(self._desk.db, customer_id) is None:
            raise NotFound(f"No customer #{customer_id}.")
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            raise UserError("Satisfaction is a number from 1 to 5.", field="satisfaction")
        if duration_s is not None and duration_s < 0:
            raise UserError("A duration cannot be negative.", field="duration")
        if len(purpose) > MAX_TEXT or len(outcome) > MAX_TEXT:
            raise UserError(f"Keep purpose and outcome under {MAX_TEXT} characters.")
        now = self._desk.now_iso()
        row: dict[str, Any] = {
            "customer_id": customer_id,
            "at": iso(at) if at else now,
            "channel": Channel(channel).value,
            "purpose": purpose.strip(),
            "outcome": outcome.strip(),
            "staff_id": self._desk.actor.id,
            "duration_s": duration_s,
            "satisfaction": satisfaction,
            "direction": direction,
            "created_at": now,
            "created_by": self._desk.actor.id,
        }
        with atomic(self._desk.db):
            visit_id = visit_store.insert(self._desk.db, row)
            audit.record(
                self._desk.db,
                at=now,
                staff_id=self._desk.actor.id,
                action="create",
                entity="visit",
                entity_id=visit_id,
                after=row,
                source=self._desk.source,
            )
        self._desk.notify(Change("visit", (visit_id,), customer_id))
        return _visit({**row, "id": visit_id})

    def visits(self, customer_id: int, *, offset: int = 0, limit: int = 50) -> list[Visit]:
        rows = visit_store.for_customer(self._desk.db, customer_id, offset=offset, limit=limit)
        return [_visit(r) for r in rows]

    def visit_count(self, customer_id: int) -> int:
        return visit_store.count_for_customer(self._desk.db, customer_id)

    # -- notes ---------------------------------------------------------------------------------
    def add_note(
        self,
        customer_id: int,
        body: str,
        *,
        kind: NoteKind = NoteKind.REMEMBER,
        pinned: bool = False,
        read_before_serving: bool = False,
        expires_on: str | None = None,
    ) -> Note:
        text = body.strip()
        if not text:
            raise UserError("A note needs some text.", field="body")
        if len(text) > MAX_TEXT:
            raise UserError(f"Keep a note under {MAX_TEXT} characters.", field="body")
        if customer_store.get(self._desk.db, customer_id) is None:
            raise NotFound(f"No customer #{customer_id}.")
        now = self._desk.now_iso()
        row: dict[str, Any] = {
            "customer_id": customer_id,
            "body": text,
            "kind": NoteKind(kind).value,
            "pinned": int(pinned),
            "read_before_serving": int(read_before_serving),
            "expires_on": expires_on or None,
            "created_at": now,
            "created_by": self._desk.actor.id,
        }
        with atomic(self._desk.db):
            note_id = note_store.insert(self._desk.db, row)
            visit_store.touch_customer(self._desk.db, customer_id, now, visit=False)
            audit.record(
                self._desk.db,
                at=now,
                staff_id=self._desk.actor.id,
                action="create",
                entity="note",
                entity_id=note_id,
                after=row,
                source=self._desk.source,
            )
        self._desk.notify(Change("note", (note_id,), customer_id))
        return _note({**row, "id": note_id})

    def notes(self, customer_id: int) -> list[Note]:
        return [_note(r) for r in note_store.for_customer(self._desk.db, customer_id)]


def _visit(row: dict[str, Any]) -> Visit:
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
    )


def _note(row: dict[str, Any]) -> Note:
    return Note(
        id=row["id"],
        customer_id=row["customer_id"],
        body=row["body"],
        kind=NoteKind(row["kind"]),
        pinned=bool(row["pinned"]),
        read_before_serving=bool(row["read_before_serving"]),
        expires_on=row["expires_on"],
        created_at=row["created_at"],
        created_by=row["created_by"],
    )
