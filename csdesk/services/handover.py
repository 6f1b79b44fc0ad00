"""Handover notes: the shift lead leaves a note; the next person to open csdesk sees it first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change
from csdesk.errors import UserError
from csdesk.services.auth import Permission, require
from csdesk.store import audit
from csdesk.store import reports as store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context

MAX_NOTE = 4000
MAX_SHIFT = 60


@dataclass(frozen=True)
class HandoverNote:
    id: int
    body: str
    for_shift: str
    created_at: str
    created_by: str
    read_at: str | None
    read_by: str | None


class HandoverService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def write(self, body: str, *, for_shift: str = "") -> HandoverNote:
        """A lead's note for the next shift; it stays on screen until someone acknowledges it."""
        require(self._ctx.actor, Permission.WRITE_HANDOVER)
        text = body.strip()
        if not text:
            raise UserError("Write something for the next shift first.", field="body")
        if len(text) > MAX_NOTE:
            raise UserError(f"Keep the handover note under {MAX_NOTE} characters.", field="body")
        shift = " ".join(for_shift.split())
        if len(shift) > MAX_SHIFT:
            raise UserError(f"Keep the shift name under {MAX_SHIFT} characters.", field="shift")
        now = self._ctx.now_iso()
        row: dict[str, Any] = {
            "body": text,
            "for_shift": shift,
            "created_at": now,
            "created_by": self._ctx.actor.id,
        }
        with atomic(self._ctx.db):
            note_id = store.insert_handover(self._ctx.db, row)
            audit.record(
                self._ctx.db,
                at=now,
                staff_id=self._ctx.actor.id,
                action="create",
                entity="handover",
                entity_id=note_id,
                after=row,
                source=self._ctx.source,
            )
        self._ctx.notify(Change("handover", (note_id,)))
        return self.get(note_id)

    def get(self, note_id: int) -> HandoverNote:
        row = store.get_handover(self._ctx.db, note_id)
        if row is None:
            from csdesk.errors import NotFound

            raise NotFound(f"No handover note #{note_id}.")
        return _note(row)

    def unread(self) -> list[HandoverNote]:
        """Notes nobody has acknowledged yet, newest first."""
        return [_note(r) for r in store.unread_handovers(self._ctx.db)]

    def recent(self, limit: int = 5) -> list[HandoverNote]:
        return [_note(r) for r in store.recent_handovers(self._ctx.db, limit=limit)]

    def acknowledge(self, note_ids: list[int]) -> list[int]:
        """The acting staff member has read these; returns the ids this call marked."""
        if not note_ids:
            return []
        now = self._ctx.now_iso()
        with atomic(self._ctx.db):
            marked = store.mark_handovers_read(self._ctx.db, note_ids, now, self._ctx.actor.id)
            for note_id in marked:
                audit.record(
                    self._ctx.db,
                    at=now,
                    staff_id=self._ctx.actor.id,
                    action="read",
                    entity="handover",
                    entity_id=note_id,
                    source=self._ctx.source,
                )
        if marked:
            self._ctx.notify(Change("handover", tuple(marked)))
        return marked


def _note(row: dict[str, Any]) -> HandoverNote:
    return HandoverNote(
        id=row["id"],
        body=row["body"],
        for_shift=row["for_shift"],
        created_at=row["created_at"],
        created_by=row["created_by_name"] or "",
        read_at=row["read_at"],
        read_by=row["read_by_name"],
    )
