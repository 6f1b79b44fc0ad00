"""ImportService: preview a file, apply it in batches with progress and cancel, undo it whole."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change
from csdesk.errors import NotFound, UserError
from csdesk.services.auth import Permission, require
from csdesk.services.customers import _audit_view
from csdesk.services.importing import liveness
from csdesk.services.importing.collector import fewer_collections
from csdesk.services.importing.plan import Plan, PlanItem, build_plan, open_file
from csdesk.services.importing.pool import staged_rows
from csdesk.store import audit, bulk
from csdesk.store import customers as store
from csdesk.store import imports as log
from csdesk.store import notes as notes_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.customers import CustomerService

log_ = logging.getLogger(__name__)
Progress = Callable[[int, int], bool]
# Rows per transaction. Each commit writes the batch's pages to the WAL and starts a new FTS
# segment that later ones merge: 1,000 rows a batch spent 1.0 of 6.4 s CPU of writing 100,000
# rows in COMMIT; 2,500 a batch 5.7 s in all, still ~0.2 s a batch between progress reports
# (and cancels) on a 1,000,000-customer database.
BATCH_ROWS = 2500
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


def committed(batch: dict[str, Any]) -> int:
    """Rows of the file an import has written (or decided to skip) in committed batches."""
    return int(batch["created_count"]) + int(batch["updated_count"]) + int(batch["skipped_count"])


def interrupted_text(batch_id: int, file_name: str, done: int, total: int, why: str) -> str:
    return (
        f"Import #{batch_id} of {file_name} stopped after {done:,} of {total:,} rows: {why}. "
        f"The {done:,} rows before that are saved. To import the rest: Customer ▸ Finish "
        f"interrupted import… (or `csdesk resume-import {batch_id}`); to take it all back: "
        f"Customer ▸ Undo last import… (or `csdesk undo-import {batch_id}`)."
    )


def interrupted_notice(batch: dict[str, Any]) -> str:
    """One line for a person: which import did not finish, how far it got, what to do."""
    n = batch["id"]
    return (
        f"import #{n} of {batch['file_name']} did not finish ({batch['stop_reason'] or 'interrupted'}); "
        f"{committed(batch):,} of {batch['rows_total']:,} rows are in. "
        f"`csdesk resume-import {n}` imports the rest, `csdesk undo-import {n}` takes it back."
    )


def _why(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        # The store's advice ("nothing was lost", "try again") is about a single write; here
        # rows were committed, and the message around it says what to do.
        return exc.message.split(". ")[0].rstrip(".")
    if isinstance(exc, KeyboardInterrupt):
        return "stopped with Ctrl+C"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return type(exc).__name__


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    removed: int
    restored: int
    kept: tuple[int, ...]  # created customers kept because they have visits or notes since


class ImportService:
    def __init__(self, ctx: Context, *, customers: CustomerService) -> None:
        self._ctx = ctx
        self._customers = customers

    def preview(
        self,
        path: Path | str,
        *,
        fmt: str = "auto",
        mapping: dict[str, str] | None = None,
        progress: Progress | None = None,
        first_page: Callable[[Plan], None] | None = None,
    ) -> Plan:
        """A dry run: what each row would do. Writes nothing. `first_page(plan)`: the first rows
        before the rest is planned (plan.build_plan says what it holds).

        fmt: auto, square, shopify, google, vcard, csv (needs `mapping` or guessable headers)
        or csdesk (our own export). mapping: {'Column': 'field' or 'phone:work'}.
        """
        require(self._ctx.actor, Permission.VIEW)
        path = Path(path)
        source = open_file(path, fmt, mapping)
        # A big CSV file is read and validated by helper processes on the other core (pool.py).
        with fewer_collections(), staged_rows(source, self._ctx.region) as staged:
            plan = build_plan(
                self._ctx, self._customers, path.name, source.fmt, source.records, progress,
                lambda: source.total, first_page, staged,  # counted after the first page
            )
        plan.path, plan.sha256 = str(path.resolve()), source.sha256
        plan.options = {"fmt": fmt, "mapping": mapping}
        return plan

    def apply(self, plan: Plan, progress: Progress | None = None) -> ImportResult:
        """Write the plan, BATCH_ROWS rows per transaction. progress(done, total) returning False
        stops before the next batch; the batches already written stay and can be undone.

        If the import cannot go on (the disk fills, another program holds the database, the
        process is killed), what committed stays as an interrupted import that can be undone or
        resumed; the error says how many rows that is."""
        ctx = self._ctx
        # An import rewrites customers other people entered: a lead's or an admin's call.
        require(ctx.actor, Permission.IMPORT)
        token = liveness.new_token()
        with liveness.ImportLock(ctx.path, token):
            with atomic(ctx.db):
                batch_id = log.start_batch(
                    ctx.db,
                    file_name=plan.file_name,
                    fmt=plan.fmt,
                    at=ctx.now_iso(),
                    by=ctx.actor.id,
                    total=len(plan.items),
                    owner=token,
                    file_path=plan.path,
                    file_sha256=plan.sha256,
                    options=plan.options,
                )
            return self._run(batch_id, token, plan, 0, (0, 0, 0), progress, "import")

    def resume(self, batch_id: int, progress: Progress | None = None) -> ImportResult:
        """Import the rest of an interrupted (or cancelled) import into the same batch, from the
        same file read the same way; the rows it committed before are not written again."""
        ctx = self._ctx
        require(ctx.actor, Permission.IMPORT)
        self.recover_interrupted()
        batch = self._batch(batch_id)
        if batch["status"] not in ("interrupted", "cancelled"):
            raise UserError(
                f"Import #{batch_id} is {batch['status']}; only an interrupted one can be resumed."
            )
        path = Path(batch["file_path"]) if batch["file_path"] else None
        if path is None or not path.is_file():
            raise UserError(
                f"The file of import #{batch_id} ({batch['file_path'] or batch['file_name']}) is not "
                f"there any more. Undo the import (csdesk undo-import {batch_id}) and import the file again."
            )
        options = json.loads(batch["options"] or "{}")
        source = open_file(path, options.get("fmt", "auto"), options.get("mapping"))
        if source.sha256 != batch["file_sha256"]:
            raise UserError(
                f"{path.name} has changed since import #{batch_id} started, so csdesk cannot tell "
                f"which rows are in. Undo it (csdesk undo-import {batch_id}) and import the file again."
            )
        # Planned again from the start, so the rows after the committed ones see the same
        # "same e-mail as row N" repeats; only the rows after those committed are written.
        with fewer_collections(), staged_rows(source, ctx.region) as staged:
            plan = build_plan(
                ctx, self._customers, path.name, source.fmt, source.records, total=source.total,
                staged=staged,
            )
        done = int(batch["created_count"]) + int(batch["updated_count"]) + int(batch["skipped_count"])
        counts = (int(batch["created_count"]), int(batch["updated_count"]), int(batch["skipped_count"]))
        token = liveness.new_token()
        with liveness.ImportLock(ctx.path, token):
            with atomic(ctx.db):
                log.restart_batch(ctx.db, batch_id, owner=token)
            return self._run(batch_id, token, plan, done, counts, progress, "resume import")

    def _run(
        self,
        batch_id: int,
        token: str,
        plan: Plan,
        start: int,
        counts: tuple[int, int, int],
        progress: Progress | None,
        action: str,
    ) -> ImportResult:
        ctx = self._ctx
        total = len(plan.items)
        created, updated, skipped = counts
        done = start
        cancelled = False
        try:
            with fewer_collections():
                for first in range(start, total, BATCH_ROWS):
                    chunk = plan.items[first : first + BATCH_ROWS]
                    c, u = self._write_chunk(batch_id, chunk)
                    plan.items.save(first, chunk)  # the ids given, rows found gone: for the report
                    created, updated = created + c, updated + u
                    skipped += len(chunk) - c - u
                    done = first + len(chunk)
                    if progress is not None and progress(done, total) is False:
                        cancelled = done < total
                        if cancelled:
                            break
        except BaseException as exc:
            self._stopped(batch_id, token, exc)
            ctx.notify(Change("customer", extra={"import_batch": batch_id}))
            if not isinstance(exc, Exception):
                raise  # Ctrl+C and friends: the batch is marked; let them end the program
            raise UserError(
                interrupted_text(batch_id, plan.file_name, done, total, _why(exc))
            ) from exc
        with atomic(ctx.db):
            log.finish_batch(
                ctx.db, batch_id, at=ctx.now_iso(), status="cancelled" if cancelled else "done"
            )
            audit.record(
                ctx.db,
                at=ctx.now_iso(),
                staff_id=ctx.actor.id,
                action=action,
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
                source=ctx.source,
            )
        ctx.notify(Change("customer", extra={"import_batch": batch_id}))
        return ImportResult(batch_id, created, updated, skipped, cancelled)

    def _stopped(self, batch_id: int, token: str, exc: BaseException) -> None:
        """Mark the batch interrupted now if the database lets us; if it does not (full, busy),
        the next start of csdesk finds the lock released and marks it then."""
        ctx = self._ctx
        try:
            with atomic(ctx.db):
                if log.mark_interrupted(
                    ctx.db, batch_id, at=ctx.now_iso(), reason=_why(exc), owner=token
                ):
                    self._audit_interrupted(batch_id, _why(exc))
        except Exception:  # the original error is the one to report
            log_.warning("could not mark import #%s interrupted; the next start will", batch_id)

    def _audit_interrupted(self, batch_id: int, reason: str) -> None:
        batch = self._batch(batch_id)
        audit.record(
            self._ctx.db,
            at=self._ctx.now_iso(),
            staff_id=self._ctx.actor.id,
            action="interrupted",
            entity="import_batch",
            entity_id=batch_id,
            after={"reason": reason, "rows_committed": committed(batch)},
            source=self._ctx.source,
        )

    def recover_interrupted(self) -> list[dict[str, Any]]:
        """Imports left 'running' by a process that is gone: mark them interrupted. Runs when
        csdesk starts (the window or any command); returns the batches it marked."""
        ctx = self._ctx
        found = [b for b in log.running(ctx.db) if not liveness.is_alive(ctx.path, b["owner"])]
        marked: list[dict[str, Any]] = []
        reason = "csdesk stopped while importing (closed, killed or the computer went off)"
        for batch in found:
            with atomic(ctx.db):
                if log.mark_interrupted(
                    ctx.db, batch["id"], at=ctx.now_iso(), reason=reason, owner=batch["owner"]
                ):
                    self._audit_interrupted(int(batch["id"]), reason)
                    marked.append(self._batch(int(batch["id"])))
        if marked:
            ctx.notify(Change("customer", extra={"import_interrupted": [b["id"] for b in marked]}))
        return marked

    def unfinished(self) -> list[dict[str, Any]]:
        """Interrupted imports still waiting to be undone or resumed, newest first."""
        return log.unfinished(self._ctx.db)

    def _batch(self, batch_id: int) -> dict[str, Any]:
        batch = log.get_batch(self._ctx.db, batch_id)
        if batch is None:
            raise NotFound(f"No import #{batch_id}. `csdesk imports` lists them.")
        return batch

    def _write_chunk(self, batch_id: int, chunk: list[PlanItem]) -> tuple[int, int]:
        ctx, db = self._ctx, self._ctx.db
        now, actor, source = ctx.now_iso(), ctx.actor.id, ctx.source
        rows: list[tuple[Any, ...]] = []
        phones: list[tuple[Any, ...]] = []
        emails: list[tuple[Any, ...]] = []
        notes: list[tuple[Any, ...]] = []
        audits: list[tuple[Any, ...]] = []
        items: list[tuple[int, str, Any]] = []
        updated = 0
        with atomic(db):
            # Ids for this chunk's new customers (on a server from the identity: the counters
            # adding customers while the import runs get others, never these).
            new_ids = iter(
                bulk.new_customer_ids(db, sum(1 for item in chunk if item.action == "create"))
            )
            for item in chunk:
                if item.action == "create":
                    cid = next(new_ids)
                    row, item_phones, item_emails = item.row, item.phones, item.emails
                    consent_at = now if row["marketing_consent"] else None
                    rows.append(
                        _row_values(
                            {
                                **_DEFAULTS,
                                **row,
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
                        for pos, p in enumerate(item_phones)
                    )
                    emails.extend(
                        (cid, pos, e["label"], e["address"], e["email_norm"])
                        for pos, e in enumerate(item_emails)
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
                            _audit_view(row, item_phones, item_emails),
                            source,
                        )
                    )
                    items.append((cid, "create", None))
                    item.customer_id = cid
                elif item.action == "update" and self._update_one(item, now, actor, audits, items):
                    updated += 1
            # After the updates above (they keep their triggers): only new rows are fed set-wise.
            with bulk.fts_after_inserts(db, ("customers", "customer_phones", "notes")):
                bulk.insert_customers(db, rows, emails)
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
                at=now,
            )
        return len(rows), updated

    def _update_one(self, item: PlanItem, now: str, actor: int, audits: list[Any], items: list[Any]) -> bool:
        db = self._ctx.db
        cid = int(item.customer_id or 0)
        before = store.get(db, cid)
        if before is None:  # deleted or merged away since the preview
            item.action, item.reason = "skip", f"customer #{cid} no longer exists"
            return False
        before_phones = store.phones_full(db, [cid])[cid]
        before_emails = store.emails_full(db, [cid])[cid]
        row = dict(item.row, updated_at=now, updated_by=actor)
        item_phones, item_emails = item.phones, item.emails
        if bool(row["marketing_consent"]) != bool(before["marketing_consent"]):
            row["marketing_consent_at"] = now
        store.update(db, cid, row, item_phones, item_emails)
        audits.append(
            (
                now,
                actor,
                "update",
                "customer",
                cid,
                _audit_view(before, before_phones, before_emails),
                _audit_view(row, item_phones, item_emails),
                self._ctx.source,
            )
        )
        items.append(
            (cid, "update", {"row": before, "phones": before_phones, "emails": before_emails})
        )
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
        return log.list_batches(self._ctx.db, limit)

    def undo(self, batch_id: int) -> UndoResult:
        """Remove what the import created and put back what it changed, in one transaction.
        Customers with visits or notes recorded after the import are kept (and listed)."""
        ctx, db = self._ctx, self._ctx.db
        require(ctx.actor, Permission.IMPORT)
        self.recover_interrupted()  # one left running by a process that is gone can be undone
        batch = self._batch(batch_id)
        if batch["status"] == "undone":
            raise UserError(f"Import #{batch_id} was already undone on {batch['undone_at'][:10]}.")
        if batch["status"] == "running":
            raise UserError(
                f"Import #{batch_id} is still running in another csdesk window or command. "
                "Cancel it there (or let it finish), then undo it."
            )
        now, actor = ctx.now_iso(), ctx.actor.id
        # Visits and notes after the last rows committed are someone's later work: kept.
        since = batch["finished_at"] or batch["progress_at"] or now
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
                    audits.append((now, actor, "delete", "customer", cid, None, None, ctx.source))
                elif action == "note":
                    log.delete_note(db, int(before["note_id"]))
                elif store.get(db, cid) is not None:
                    row = {k: before["row"][k] for k in (*store.CUSTOMER_FIELDS, "updated_at", "updated_by")}
                    # Snapshots from before e-mails had their own table have no "emails": None
                    # makes the row's own address the primary again.
                    store.update(db, cid, row, before["phones"], before.get("emails"))
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
                            ctx.source,
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
                source=ctx.source,
            )
            log.mark_undone(db, batch_id, at=now, by=actor)
        ctx.notify(Change("customer", extra={"import_undone": batch_id}))
        return UndoResult(batch_id, len(removed), restored, tuple(kept))
