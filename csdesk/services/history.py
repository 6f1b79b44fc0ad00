"""Kept for callers written against the first cut: desk.history delegates to desk.visits and
desk.notes, which own visits/calls and notes. New code should call those directly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csdesk.domain import Channel, Note, NoteKind, Visit

if TYPE_CHECKING:
    from csdesk.services.desk import Desk


class HistoryService:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def log_visit(
        self, customer_id: int | None, *, channel: Channel | str = Channel.IN_PERSON, **kw: Any
    ) -> Visit:
        return self._desk.visits.log(customer_id, channel=channel, **kw)

    def visits(self, customer_id: int, *, offset: int = 0, limit: int = 50) -> list[Visit]:
        return self._desk.visits.for_customer(customer_id, offset=offset, limit=limit)

    def visit_count(self, customer_id: int) -> int:
        return self._desk.visits.count(customer_id)

    def add_note(
        self, customer_id: int, body: str, *, kind: NoteKind | str = NoteKind.REMEMBER, **kw: Any
    ) -> Note:
        return self._desk.notes.add(customer_id, body, kind=kind, **kw)

    def notes(self, customer_id: int) -> list[Note]:
        return self._desk.notes.for_customer(customer_id)
