"""Personal notes: add, edit, pin, soft delete and undo; read-before-serving with an expiry date.

Adding or editing a note is an interaction with the customer: it keeps last_seen_at current.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change, Note, NoteKind
from csdesk.errors import NotFound, UserError
from csdesk.services.auth import Permission, require, require_correction
from csdesk.services.conflicts import refused
from csdesk.services.text import clean_text
from csdesk.store import audit
from csdesk.store import customers as customer_store
from csdesk.store import notes as store
from csdesk.store import visits as visit_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context

MAX_TEXT = 4000
_UNSET: Any = object()
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_expiry(value: str | date | None) -> str | None:
    """'2026-12-24' -> '2026-12-24'; '' or None -> None (no expiry); nonsense -> UserError."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = value.strip()
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if not match:
        raise UserError("Write the expiry date as YYYY-MM-DD, e.g. 2026-12-24.", field="expires_on")
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        raise UserError(
            f"There is no day {text}. Check the month and day.", field="expires_on"
        ) from None


def refuse_past_expiry(expires_on: str | None, today: date) -> None:
    """A read-before-serving note must not be saved already out of date: it would never reach
    the greeting, and nobody would know. Refused, not warned: at a counter a day in the past is
    a slip (last year's year, a swapped digit), and a warning clicked away hides an allergy
    just the same. Today still counts: a note is shown up to and including its last day."""
    if expires_on is not None and date.fromisoformat(expires_on) < today:
        raise UserError(
            f"{expires_on} has already passed, so the note would never be shown before "
            "serving. Pick today or a later day, or leave Show until empty for no end.",
            field="expires_on",
        )


def parse_kind(value: str | NoteKind) -> NoteKind:
    if isinstance(value, NoteKind):
        return value
    key = str(value).strip().casefold()
    key = {"family and life": "family", "life": "family", "pref": "preference"}.get(key, key)
    try:
        return NoteKind(key)
    except ValueError:
        choices = ", ".join(k.value for k in NoteKind)
        raise UserError(
            f"“{value}” is not a kind of note. Use one of: {choices}.", field="kind"
        ) from None


def _body(text: str) -> str:
    body = clean_text(text).strip()  # no controls or bidi overrides (csdesk/text.py)
    if not body:
        raise UserError("A note needs some text.", field="body")
    if len(body) > MAX_TEXT:
        raise UserError(f"Keep a note under {MAX_TEXT} characters.", field="body")
    return body


class NoteService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def add(
        self,
        customer_id: int,
        body: str,
        *,
        kind: NoteKind | str = NoteKind.REMEMBER,
        pinned: bool = False,
        read_before_serving: bool = False,
        expires_on: str | date | None = None,
    ) -> Note:
        require(self._ctx.actor, Permission.LOG)  # a deactivated member writes nothing
        row: dict[str, Any] = {
            "customer_id": customer_id,
            "body": _body(body),
            "kind": parse_kind(kind).value,
            "pinned": int(pinned),
            "read_before_serving": int(read_before_serving),
            "expires_on": parse_expiry(expires_on),
        }
        if read_before_serving:
            refuse_past_expiry(row["expires_on"], self._today())
        db = self._ctx.db
        if customer_store.get(db, customer_id) is None:
            raise NotFound(f"No customer #{customer_id}.")
        now = self._ctx.now_iso()
        actor = self._ctx.actor.id
        row.update(created_at=now, created_by=actor, computer=self._ctx.computer)
        with atomic(db):
            note_id = store.insert(db, row)
            visit_store.touch_customer(db, customer_id, now, visit=False)
            audit.record(db, at=now, staff_id=actor, action="create", entity="note",
                         entity_id=note_id, after=row, source=self._ctx.source)
        self._ctx.notify(Change("note", (note_id,), customer_id))
        return note_from_row({**row, "id": note_id})

    def edit(
        self,
        note_id: int,
        *,
        body: str = _UNSET,
        kind: NoteKind | str = _UNSET,
        pinned: bool = _UNSET,
        read_before_serving: bool = _UNSET,
        expires_on: str | date | None = _UNSET,
        version: int | None = None,
    ) -> Note:
        """Change only the fields given; records who and when. `version`: the one the edit was
        read at; a save by someone else since raises Conflict (nothing of this one is kept)."""
        before = self._row(note_id)
        require_correction(self._ctx.actor, before["created_by"])
        changes: dict[str, Any] = {}
        if body is not _UNSET:
            changes["body"] = _body(body)
        if kind is not _UNSET:
            changes["kind"] = parse_kind(kind).value
        if pinned is not _UNSET:
            changes["pinned"] = int(bool(pinned))
        if read_before_serving is not _UNSET:
            changes["read_before_serving"] = int(bool(read_before_serving))
        if expires_on is not _UNSET:
            changes["expires_on"] = parse_expiry(expires_on)
        shown_first = bool(changes.get("read_before_serving", before["read_before_serving"]))
        until = changes.get("expires_on", before["expires_on"])
        # Only what is being set now is checked (a date, or the tick): a note that ran out on its
        # own can still be corrected without choosing a new end for it.
        if shown_first and (until != before["expires_on"] or not before["read_before_serving"]):
            refuse_past_expiry(until, self._today())
        return self._write(before, changes, action="update", touch=True, version=version)

    def _today(self) -> date:
        """The shop's today: the greeting counts a note's last day the same way."""
        return self._ctx.clock().astimezone(self._ctx.tz).date()

    def pin(self, note_id: int, pinned: bool = True) -> Note:
        # Pinning arranges the card; it is not an interaction with the customer, and it changes
        # nothing the author wrote, so it is not a correction: anyone who may log may pin.
        require(self._ctx.actor, Permission.LOG)
        row = self._row(note_id)
        return self._write(row, {"pinned": int(pinned)}, action="update", touch=False)

    def unpin(self, note_id: int) -> Note:
        return self.pin(note_id, False)

    def delete(self, note_id: int) -> Note:
        """Soft delete; `restore(note_id)` undoes it."""
        before = self._row(note_id)
        require_correction(self._ctx.actor, before["created_by"])
        return self._write(before, {"deleted_at": self._ctx.now_iso()}, action="delete",
                           touch=False)

    def restore(self, note_id: int) -> Note:
        before = self._row(note_id, include_deleted=True)
        if before["deleted_at"] is None:
            return note_from_row(before)
        require_correction(self._ctx.actor, before["created_by"])
        return self._write(before, {"deleted_at": None}, action="restore", touch=False)

    def _write(self, before: dict[str, Any], changes: dict[str, Any], *, action: str,
               touch: bool, version: int | None = None) -> Note:
        now = self._ctx.now_iso()
        actor = self._ctx.actor.id
        if action == "update":
            changes = {**changes, "updated_at": now, "updated_by": actor}
        db = self._ctx.db
        cid = before["customer_id"]
        with atomic(db):
            if not store.update(db, before["id"], changes, version=version):
                raise refused(self._ctx, "note", before["id"], what="this note")
            if touch:
                visit_store.touch_customer(db, cid, now, visit=False)
            elif action in ("delete", "restore"):
                visit_store.recompute_customer(db, cid)
            audit.record(db, at=now, staff_id=actor, action=action, entity="note",
                         entity_id=before["id"], before=before, after=changes,
                         source=self._ctx.source)
            # this save's row, not a later one (see Customers.update)
            saved = note_from_row(self._row(before["id"], include_deleted=True))
        self._ctx.notify(Change("note", (before["id"],), cid, extra={"action": action}))
        return saved

    # -- reading -------------------------------------------------------------------------------
    def get(self, note_id: int) -> Note:
        return note_from_row(self._row(note_id))

    def _row(self, note_id: int, *, include_deleted: bool = False) -> dict[str, Any]:
        row = store.get(self._ctx.db, note_id)
        if row is None or (row["deleted_at"] and not include_deleted):
            raise NotFound(f"No note #{note_id}.")
        return row

    def for_customer(self, customer_id: int) -> list[Note]:
        """Live notes, pinned first, newest first."""
        return [note_from_row(r) for r in store.for_customer(self._ctx.db, customer_id)]

    def read_first(self, customer_id: int) -> list[Note]:
        """Read-before-serving notes still in force today (the expiry day included)."""
        today = self._ctx.clock().date().isoformat()
        return [note_from_row(r) for r in store.read_first(self._ctx.db, customer_id, today)]


def note_from_row(row: dict[str, Any]) -> Note:
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
        updated_at=row.get("updated_at"),
        updated_by=row.get("updated_by"),
        deleted_at=row.get("deleted_at"),
        version=row.get("version", 1),
    )
