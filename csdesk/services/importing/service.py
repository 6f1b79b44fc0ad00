"""ImportService: preview a file, apply it in batches with progress and cancel, undo it whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change
from csdesk.errors import NotFound, UserError
from csdesk.services.auth import Permission, require
from csdesk.services.customers import _audit_view
from csdesk.services.importing.plan import Plan, PlanItem, build_plan, read_records
from csdesk.store import audit, bulk
from csdesk.store import customers as store
from csdesk.store import imports as log
from csdesk.store import notes as notes_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

Progress = Callable[[int, int], bool]
BATCH_ROWS = 1000
_COLUMNS = [c.strip() for c in bulk.CUSTOMER_COLUMNS.split(",")]
_row_values = itemgetter(*_COLUMNS)  # dict -> tuple in bulk.CUSTOMER_COLUMNS order
_DEFAULTS: dict[str, Any] = {c: "" for c in _COLUMNS} | {"last_visit_at": None, "visit_count": 0}


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    created: int
    updated: int
    skipped: int
    cancelled: bool


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    removed: int
    restored: int
    kept: tuple[int, ...]  # created customers kept because they have visits or notes since


class ImportService:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def preview(
        self,
        path: Path | str,
        *,
        fmt: str = "auto",
        mapping: dict[str, str] | None = None,
        progress: Progress | None = None,
    ) -> Plan:
        """A dry run: what each row would do. Writes nothing.

        fmt: auto, square, shopify, google, vcard, csv (needs `mapping` or guessable headers)
        or csdesk (our own export). mapping: {'Column': 'field' or 'phone:work'}.
        """
        require(self._desk.actor, Permission.VIEW)
        path = Path(path)
        found_fmt, recs = read_records(path, fmt, mapping)
        return build_plan(self._desk, path.name, found_fmt, recs, progress)

    def apply(self, plan: Plan, progress: Progress | None = None) -> ImportResult:
        """Write the plan, BATCH_ROWS rows per transaction. progress(done, total) returning False
        stops before the next batch; the batches already written stay and can be undone."""
        desk = self._desk
        # An import rewrites customers other people entered: a lead's or an admin's call.
        require(desk.actor, Permission.CORRECT_OTHERS)
        total = len(plan.items)
        with atomic(desk.db):
            batch_id = log.start_batch(
                desk.db,
                file_name=plan.file_name,
                fmt=plan.fmt,
                at=desk.now_iso(),
                by=desk.actor.id,
                total=total,
            )
        created = updated = skipped = 0
        cancelled = False
        for start in range(0, total, BATCH_ROWS):
            chunk = plan.items[start : start + BATCH_ROWS]
            c, u = self._write_chunk(batch_id, chunk)
            created, updated, skipped = created + c, updated + u, skipped + len(chunk) - c - u
            if progress is not None and progress(start + len(chunk), total) is False:
                cancelled = start + len(chunk) < total
                if cancelled:
                    break
        with atomic(desk.db):
            log.finish_batch(
                desk.db, batch_id, at=desk.now_iso(), status="cancelled" if cancelled else "done"
            )
            audit.record(
                desk.db,
                at=desk.now_iso(),
                staff_id=desk.actor.id,
                action="import",
                entity="import_batch",
                entity_id=batch_id,
                after={
                    "file": plan.file_name,
                    "format": plan.fmt,
                    "created": created,
                    "updated": updated,
                    "skipped": skipped,
                    "cancelled": cancelled,
                },
                source=desk.source,
            )
        desk.notify(Change("customer", extra={"import_batch": batch_id}))
        return ImportResult(batch_id, created, updated, skipped, cancelled)

    def _write_chunk(self, batch_id: int, chunk: list[PlanItem]) -> tuple[int, int]:
        desk, db = self._desk, self._desk.db
        now, actor, source = desk.now_iso(), desk.actor.id, desk.source
        rows: list[tuple[Any, ...]] = []
        phones: list[tuple[Any, ...]] = []
        notes: list[tuple[Any, ...]] = []
        audits: list[tuple[Any, ...]] = []
        items: list[tuple[int, str, Any]] = []
        updated = 0
        with atomic(db):
            next_id = bulk.next_customer_id(db)
            for item in chunk:
                if item.action == "create":
                    cid = next_id
                    next_id += 1
                    consent_at = now if item.row["marketing_consent"] else None
                    rows.append(
                        _row_values(
                            {
                                **_DEFAULTS,
                                **item.row,
                                "id": cid,
                                "last_seen_at": now,
                                "created_at": now,
                                "updated_at": now,
                                "created_by": actor,
                                "updated_by": actor,
                                "marketing_consent_at": consent_at,
                            }
                        )
                    )
                    phones.extend(
                        (cid, pos, p["label"], p["raw"], p["e164"], p["digits_rev"], p["national"])
                        for pos, p in enumerate(item.phones)
                    )
                    if item.note:
                        notes.append((cid, item.note, "remember", 0, 0, None, now, actor))
                    audits.append(
                        (
                            now,
                            actor,
                            "create",
                            "customer",
                            cid,
                            None,
                            _audit_view(item.row, item.phones),
                            source,
                        )
                    )
                    items.append((cid, "create", None))
                    item.customer_id = cid
                elif item.action == "update" and self._update_one(item, now, actor, audits, items):
                    updated += 1
            bulk.insert_customers(db, rows)
            bulk.insert_phones(db, phones)
            bulk.insert_notes(db, notes)
            audit.record_many(db, audits)
            log.add_items(db, batch_id, items)
            log.add_counts(
                db,
                batch_id,
                created=len(rows),
                updated=updated,
                skipped=len(chunk) - len(rows) - updated,
            )
        return len(rows), updated

    def _update_one(self, item: PlanItem, now: str, actor: int, audits: list[Any], items: list[Any]) -> bool:
        db = self._desk.db
        cid = int(item.customer_id or 0)
        before = store.get(db, cid)
        if before is None:  # deleted or merged away since the preview
            item.action, item.reason = "skip", f"customer #{cid} no longer exists"
            return False
        before_phones = store.phones_full(db, [cid])[cid]
        row = dict(item.row, updated_at=now, updated_by=actor)
        if bool(row["marketing_consent"]) != bool(before["marketing_consent"]):
            row["marketing_consent_at"] = now
        store.update(db, cid, row, item.phones)
        audits.append(
            (
                now,
                actor,
                "update",
                "customer",
                cid,
                _audit_view(before, before_phones),
                _audit_view(row, item.phones),
                self._desk.source,
            )
        )
        items.append((cid, "update", {"row": before, "phones": before_phones}))
        if item.note:
            note_id = notes_store.insert(
                db,
                {
                    "customer_id": cid,
                    "body": item.note,
                    "kind": "remember",
                    "created_at": now,
                    "created_by": actor,
                },
            )
            items.append((cid, "note", {"note_id": note_id}))
        return True

    # -- undo ----------------------------------------------------------------------------------
    def batches(self, limit: int = 50) -> list[dict[str, Any]]:
        return log.list_batches(self._desk.db, limit)

    def undo(self, batch_id: int) -> UndoResult:
        """Remove what the import created and put back what it changed, in one transaction.
        Customers with visits or notes recorded after the import are kept (and listed)."""
        desk, db = self._desk, self._desk.db
        require(desk.actor, Permission.CORRECT_OTHERS)
        batch = log.get_batch(db, batch_id)
        if batch is None:
            raise NotFound(f"No import #{batch_id}. `csdesk import list` shows the imports.")
        if batch["status"] == "undone":
            raise UserError(f"Import #{batch_id} was already undone on {batch['undone_at'][:10]}.")
        if batch["status"] == "running":
            raise UserError(f"Import #{batch_id} is still running. Cancel it first, then undo it.")
        now, actor = desk.now_iso(), desk.actor.id
        since = batch["finished_at"] or now
        removed: list[int] = []
        kept: list[int] = []
        restored = 0
        audits: list[tuple[Any, ...]] = []
        with atomic(db):
            for cid, action, before in log.items(db, batch_id):
                if action == "create":
                    if store.get(db, cid) is None:
                        continue
                    if log.later_changes(db, cid, since):
                        kept.append(cid)
                        continue
                    removed.append(cid)
                    audits.append((now, actor, "delete", "customer", cid, None, None, desk.source))
                elif action == "note":
                    log.delete_note(db, int(before["note_id"]))
                elif store.get(db, cid) is not None:
                    row = {k: before["row"][k] for k in (*store.CUSTOMER_FIELDS, "updated_at", "updated_by")}
                    store.update(db, cid, row, before["phones"])
                    restored += 1
                    audits.append(
                        (
                            now,
                            actor,
                            "restore",
                            "customer",
                            cid,
                            None,
                            _audit_view(row, before["phones"]),
                            desk.source,
                        )
                    )
            log.delete_customers(db, removed)
            audit.record_many(db, audits)
            audit.record(
                db,
                at=now,
                staff_id=actor,
                action="undo",
                entity="import_batch",
                entity_id=batch_id,
                after={"removed": len(removed), "restored": restored, "kept": kept},
                source=desk.source,
            )
            log.mark_undone(db, batch_id, at=now, by=actor)
        desk.notify(Change("customer", extra={"import_undone": batch_id}))
        return UndoResult(batch_id, len(removed), restored, tuple(kept))
