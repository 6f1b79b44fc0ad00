"""ImportService: preview a file, apply it in batches with progress and cancel, undo it whole."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from csdesk.domain import Change
from csdesk.errors import NotFound, UserError
from csdesk.services.auth import Permission, require
from csdesk.services.customers import _audit_view
from csdesk.services.importing import liveness
from csdesk.services.importing.collector import fewer_collections
from csdesk.services.importing.items import PlanItem, PlanItems
from csdesk.services.importing.plan import Plan, build_plan, open_file
from csdesk.services.importing.pool import HelperStopped, staged_rows
from csdesk.services.importing.writing import write_chunk
from csdesk.store import audit
from csdesk.store import customers as store
from csdesk.store import imports as log
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


@dataclass
class _Run:
    """How far an import's writing has got: its rows written (in committed batches) and counts."""

    batch_id: int
    total: int
    done: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    cancelled: bool = False


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
    if isinstance(exc, HelperStopped):
        return exc.why
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

    def import_file(
        self,
        path: Path | str,
        *,
        fmt: str = "auto",
        mapping: dict[str, str] | None = None,
        progress: Progress | None = None,
    ) -> tuple[Plan, ImportResult]:
        """preview() and apply() in one go, for a caller that does not review the plan between
        them (`csdesk import` without --dry-run): each batch of BATCH_ROWS rows is written as
        soon as it is planned, while the helper processes (pool.py) read and validate the rows
        after it, instead of planning the whole file first and then writing with a core idle.

        The plan returned is the report (actions, reasons, warnings, the ids given), without
        the values each row was written with (those are in the database; PlanItem.values).
        The same rows end up in the database as with preview() then apply(): the planner does
        not see the customers this import writes (plan.Planner.horizon), and a file's own
        repeats are caught by the planner's memory of earlier rows as before. A file that
        cannot be read is found by the count of its rows (after the first 500) or by its own
        rows before the first batch is written, and says so as a preview does: nothing is
        imported. What stops the import once a batch is in (the file changed, a helper
        process died, Ctrl+C, a full disk) leaves an interrupted import, as apply() does.
        progress(done, total) after each batch; False stops there (cancelled)."""
        ctx = self._ctx
        require(ctx.actor, Permission.IMPORT)
        path = Path(path)
        source = open_file(path, fmt, mapping)
        options = {"fmt": fmt, "mapping": mapping}
        token = liveness.new_token()
        run: _Run | None = None
        pending: list[PlanItem] = []

        def begin() -> _Run:
            with atomic(ctx.db):
                batch_id = log.start_batch(
                    ctx.db,
                    file_name=path.name,
                    fmt=source.fmt,
                    at=ctx.now_iso(),
                    by=ctx.actor.id,
                    total=source.total,
                    owner=token,
                    file_path=str(path.resolve()),
                    file_sha256=source.sha256,
                    options=options,
                )
            return _Run(batch_id, source.total)

        def write(items: PlanItems, planned: list[PlanItem]) -> bool:
            nonlocal run
            pending.extend(planned)
            while len(pending) >= BATCH_ROWS:
                chunk = pending[:BATCH_ROWS]
                del pending[:BATCH_ROWS]
                run = run or begin()
                if not self._write(run, items, chunk, progress):
                    return False
            return True

        with liveness.ImportLock(ctx.path, token):
            try:
                with fewer_collections(), staged_rows(source, ctx.region) as staged:
                    plan = build_plan(
                        ctx, self._customers, path.name, source.fmt, source.records,
                        total=lambda: source.total, staged=staged, write=write,
                    )  # fmt: skip
                    run = run or begin()
                    if pending and not run.cancelled:
                        self._write(run, plan.items, pending, progress)
            except BaseException as exc:
                if run is None:
                    raise  # nothing was written: the preview's own words (a broken line, ...)
                self._failed(run, token, exc, path.name)
            assert run is not None  # begun at the latest once the plan was built
            plan.path, plan.sha256, plan.options = str(path.resolve()), source.sha256, options
            return plan, self._finish(run, plan, "import")

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
        run = _Run(batch_id, len(plan.items), start, *counts)
        try:
            with fewer_collections():
                for first in range(start, run.total, BATCH_ROWS):
                    if not self._write(run, plan.items, plan.items[first : first + BATCH_ROWS], progress):
                        break
        except BaseException as exc:
            self._failed(run, token, exc, plan.file_name)
        return self._finish(run, plan, action)

    def _write(
        self, run: _Run, items: PlanItems, chunk: list[PlanItem], progress: Progress | None
    ) -> bool:
        """Write the plan's next `chunk` (its items from run.done on) in one transaction;
        False when progress cancels before the rest."""
        first = run.done
        c, u = write_chunk(self._ctx, run.batch_id, chunk)
        for item in chunk:
            item.values = None  # import_file's items: written, their values are not read again
        items.save(first, chunk)  # the ids given, rows found gone: for the report
        run.created, run.updated = run.created + c, run.updated + u
        run.skipped += len(chunk) - c - u
        run.done = first + len(chunk)
        if progress is not None and progress(run.done, run.total) is False:
            run.cancelled = run.done < run.total
        return not run.cancelled

    def _failed(self, run: _Run, token: str, exc: BaseException, file_name: str) -> NoReturn:
        self._stopped(run.batch_id, token, exc)
        self._ctx.notify(Change("customer", extra={"import_batch": run.batch_id}))
        if not isinstance(exc, Exception):
            raise exc  # Ctrl+C and friends: the batch is marked; let them end the program
        raise UserError(
            interrupted_text(run.batch_id, file_name, run.done, run.total, _why(exc))
        ) from exc

    def _finish(self, run: _Run, plan: Plan, action: str) -> ImportResult:
        ctx = self._ctx
        with atomic(ctx.db):
            log.finish_batch(
                ctx.db, run.batch_id, at=ctx.now_iso(), status="cancelled" if run.cancelled else "done"
            )
            audit.record(
                ctx.db,
                at=ctx.now_iso(),
                staff_id=ctx.actor.id,
                action=action,
                entity="import_batch",
                entity_id=run.batch_id,
                after={
                    "file": plan.file_name,
                    "format": plan.fmt,
                    "created": run.created,
                    "updated": run.updated,
                    "skipped": run.skipped,
                    "cancelled": run.cancelled,
                },
                source=ctx.source,
            )
        ctx.notify(Change("customer", extra={"import_batch": run.batch_id}))
        return ImportResult(run.batch_id, run.created, run.updated, run.skipped, run.cancelled)

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
