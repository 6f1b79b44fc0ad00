"""Backups (daily, on exit, by hand), rotation, restore, the integrity check and share warnings.

Three promises hold here. A backup is checked when it is made: a copy that fails the check is
kept under a name that says so and never counts as a good backup, so rotation can never delete
the last good one. A restore is all or nothing (store.backup.install). And backups of two
databases never mix: each database has an identity (settings 'database_id', migration
0011_backup_identity) and its own folder of backups.

Which backups a folder holds and what rotation keeps is services/backup_folder.py; a restore's
staging aside is services/restore_staging.py; the network-share warning services/share_warning.py.
"""

from __future__ import annotations

import builtins
import json
import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from csdesk.domain import Change, Role, Staff
from csdesk.errors import NameNotFound, UserError
from csdesk.services.auth import Permission, require
from csdesk.services.backup_folder import (
    AUTO_REASONS,
    MAX_AGE_DAYS,
    BackupFile,
    backup_files,
    failed_name,
    folder_for,
    rotate_files,
)
from csdesk.services.restore_staging import busy_message, refuse_if_in_use, stage
from csdesk.services.share_warning import network_share_warning
from csdesk.store import audit
from csdesk.store import backup as store
from csdesk.store import privacy as privacy_store
from csdesk.store import staff as staff_store
from csdesk.store.db import DatabaseFailed, EngineError, QueryFailed, atomic, translate_error
from csdesk.store.files import check_target
from csdesk.store.holders import other_holders
from csdesk.store.integrity import CheckReport, check_file, repair

if TYPE_CHECKING:
    from csdesk.services.context import Context

RESTORE_WAIT_S = 10.0  # how long a restore waits for another connection's write lock


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    verified: bool = True  # False: the copy failed its check (the database is damaged)
    problems: tuple[str, ...] = ()
    advice: str = ""


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    previous_saved_as: Path
    customers_now: int = 0
    customers_replaced: int = 0
    replaced_was_damaged: bool = False


@dataclass(frozen=True)
class Candidate:
    """What a file offered for restore is, read before anything changes."""

    path: Path
    database_id: str | None  # None: made before databases had an identity
    same_database: bool | None  # None: cannot tell (no identity in the backup)
    customers: int


class DamagedDatabase(UserError):
    """A check found damage; the message says what to do."""


def damage_advice(report: CheckReport, newest_good: BackupFile | None) -> str:
    """What to do about damage, in one place for the window and the command line."""
    if report.repairable:
        return (
            "Only indexes are damaged, and they can be rebuilt from the data: run "
            "`csdesk check --repair` (in the window: Data → Check the database, then Repair)."
        )
    if newest_good is not None:
        when = newest_good.made_at.strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"Restore the newest good backup, {newest_good.path} (made {when}), with "
            f"`csdesk restore {newest_good.path}` (in the window: Data → Restore from a backup); "
            "what was entered after it must be entered again."
        )
    return (
        "Restore a good backup with `csdesk restore FILE` (the backups folder is shown by "
        "`csdesk paths`). If there is none, copy the database file somewhere safe first, then "
        "ask for help recovering it."
    )


class BackupService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # -- which database, which folder ------------------------------------------------------------
    def identity(self) -> str | None:
        try:
            return store.database_id(self._ctx.db.conn)
        except DatabaseFailed:
            return None

    def _stem(self) -> str:
        return self._ctx.path.stem if self._ctx.path else "csdesk"

    @property
    def folder(self) -> Path:
        return folder_for(self._ctx.path, self.identity())

    def _auto_name(self, reason: str) -> Path:
        """A fresh name: never one that exists (two backups in one second get -2, -3, ...)."""
        stamp = self._ctx.clock().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        n = 1
        while True:
            extra = f"-{n}" if n > 1 else ""
            path = self.folder / f"{self._stem()}{'-' + stamp}{extra}-{reason}.db"
            if not path.exists() and not failed_name(path).exists():
                return path
            n += 1

    # -- making backups ------------------------------------------------------------------------
    def backup(self, dest: Path | None = None, *, overwrite: bool = False) -> BackupResult:
        """A backup by hand (leads and admins): to `dest`, or into the backups folder.

        A file the person named follows the rules of every file csdesk writes (store.files):
        its folder must exist, it must not be a device, and an existing file is replaced only
        with `overwrite` (`backup -o customers.csv` replaced a CSV without asking).

        The copy is checked; if it fails, it is kept (named as failed) and DamagedDatabase says
        what to do.
        """
        require(self._ctx.actor, Permission.BACKUP)
        target = dest or self._auto_name("manual")
        if dest is not None and dest.resolve() == (self._ctx.path or Path()).resolve():
            raise UserError("Choose a different file: that is the database itself.")
        if dest is not None:
            check_target(dest, overwrite=overwrite)
        result = self._write(
            target, keep_failed_as=None if dest else failed_name(target), overwrite=overwrite
        )
        self._audit("backup", {"file": str(result.path), "bytes": result.size,
                               "verified": result.verified})
        if dest is None:
            self.rotate()
        if not result.verified:
            raise DamagedDatabase(self._damaged_text(result))
        return result

    def auto(self, reason: str) -> BackupResult | None:
        """Called by the app: 'startup'/'daily' makes one if none exists today; 'exit' always.

        Returns None when nothing was needed. Old backups are rotated away; a result with
        verified=False means the database is damaged (its advice says what to do).
        """
        if reason not in AUTO_REASONS:
            raise ValueError(f"unknown backup reason {reason!r}")
        if reason != "exit" and self._has_backup_today():
            return None
        target = self._auto_name(reason)
        result = self._write(target, keep_failed_as=failed_name(target))
        self.rotate()
        return result

    def _write(
        self, target: Path, *, keep_failed_as: Path | None, overwrite: bool = False
    ) -> BackupResult:
        started = time.perf_counter()
        if target.parent == self.folder:
            target.parent.mkdir(parents=True, exist_ok=True)  # our own folder, made on need
        try:
            copy = store.backup_to(
                self._ctx.db.conn, target, verify=True, dest_if_damaged=keep_failed_as,
                overwrite=overwrite,
            )
        except EngineError as exc:
            raise translate_error(exc, target) from exc
        except OSError as exc:
            raise UserError(
                f"Could not write the backup {target}: {exc.strerror or exc}. "
                "Check the folder and free space."
            ) from exc
        report = copy.report
        if report is not None and not report.ok:
            return BackupResult(
                copy.path, copy.size, time.perf_counter() - started, verified=False,
                problems=tuple(report.problems),
                advice=damage_advice(report, self.newest_good()),
            )
        return BackupResult(copy.path, copy.size, time.perf_counter() - started)

    def _damaged_text(self, result: BackupResult) -> str:
        return (
            f"The database is damaged ({result.problems[0] if result.problems else 'check failed'})"
            f". The backup was written to {result.path}, but it holds the same damage: do not "
            f"rely on it. {result.advice}"
        )

    def _has_backup_today(self) -> bool:
        today = self._ctx.clock().astimezone(UTC).strftime("%Y%m%d")
        return any(
            f.made_at.strftime("%Y%m%d") == today and f.good
            for f in self.files()
            if f.reason in AUTO_REASONS
        )

    def files(self) -> list[BackupFile]:
        """This database's backups in its folder, newest first."""
        return backup_files(self.folder, self._stem())

    def newest_good(self) -> BackupFile | None:
        return next((f for f in self.files() if f.good), None)

    def rotate(self) -> list[Path]:
        """Keep the newest good automatic backup of each of the last 7 days, then of each of the
        4 weeks before; manual and pre-restore ones for 35 days; the newest 2 failed copies.

        Only backups that passed their check count, and the newest good backup is never
        deleted, whatever its age: a damaged database must not rotate its last good copy away.
        """
        return rotate_files(self.files(), self._ctx.clock().astimezone(UTC))

    def copies_holding_data(self) -> list[str]:
        """After an erasure: which backups still hold the erased data, and until when.

        Backups in this database's folder all go by rotation (newest good one aside); copies
        written elsewhere with `backup -o` (found in the audit log) stay until someone deletes
        them, so they are named one by one.
        """
        said: list[str] = []
        files = self.files()
        now = self._ctx.clock().astimezone(UTC)
        if files:
            last = (now + timedelta(days=MAX_AGE_DAYS)).strftime("%Y-%m-%d")
            good = self.newest_good()
            said.append(
                f"{len(files)} backups in {self.folder} were made before the erasure and still "
                f"hold the data; rotation deletes them by {last}"
                + (f", except {good.path.name}, which stays until a newer backup passes its "
                   "check" if good is not None else "")
                + "."
            )
        inside = {f.path for f in files}
        for path in self._backups_written_elsewhere():
            if path not in inside and path.exists():
                said.append(f"{path} (a backup written with -o) holds it until you delete it.")
        return said

    def _backups_written_elsewhere(self) -> list[Path]:
        found: list[Path] = []
        for after in store.recorded_backups(self._ctx.db.conn):
            try:
                found.append(Path(json.loads(after)["file"]))
            except (TypeError, ValueError, KeyError):
                continue
        return sorted(set(found))

    def list(self) -> list[Path]:
        return sorted(f.path for f in self.files())

    # -- restore -------------------------------------------------------------------------------
    def inspect(self, source: Path) -> Candidate:
        """Read what a file offered for restore is (its identity), changing nothing."""
        if not source.is_file():
            raise NameNotFound(f"There is no file {source}. Check the name and try again.")
        try:
            ident, customers = store.read_identity(source)
        except DatabaseFailed as exc:
            raise UserError(
                f"{source} cannot be restored: it is not a readable csdesk database ({exc})."
            ) from exc
        mine = self.identity()
        same = None if ident is None or mine is None else ident == mine
        return Candidate(source, ident, same, customers)

    def restore(self, source: Path, *, other_database: bool = False) -> RestoreResult:
        """Replace the database with a backup, all or nothing: the backup is checked and brought
        up to this version aside first, and what it replaces is saved (and checked) from inside
        the same write transaction that replaces it."""
        require(self._ctx.actor, Permission.RESTORE)
        if not source.is_file():
            raise NameNotFound(f"There is no file {source}. Check the name and try again.")
        live_path = self._ctx.path
        if live_path is None:
            raise UserError("This database lives in memory: there is no file to restore into.")
        refuse_if_in_use(live_path)
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / f".restore-{self._stem()}.db"
        previous = self._auto_name("prerestore")
        try:
            staged = stage(source, staging, live_id=self.identity(), other_database=other_database,
                           page_size=store.page_size(self._ctx.db.conn))
            self._record_restore(staging, source, previous)
            try:
                saved = store.install(
                    staging, self._ctx.db.conn, live_path, previous,
                    wait_s=RESTORE_WAIT_S, dest_if_damaged=failed_name(previous),
                )
            except store.DatabaseBusy as exc:
                raise UserError(busy_message(live_path, other_holders(live_path))) from exc
            except store.SavePreviousFailed as exc:
                raise UserError(
                    f"Could not save the current data before restoring ({exc}). Free some "
                    "space and try again; nothing was changed."
                ) from exc
            except EngineError as exc:
                raise translate_error(exc, live_path) from exc
            except OSError as exc:
                raise UserError(
                    f"Could not save the current data before restoring ({exc.strerror or exc}). "
                    "Free some space and try again; nothing was changed."
                ) from exc
        finally:
            staging.unlink(missing_ok=True)
        self._act_again_as(self._ctx.actor.name)
        replaced = store.count_customers_in(saved.path)
        self._ctx.notify(Change("restore"))
        return RestoreResult(
            source, saved.path, staged.customers, replaced,
            replaced_was_damaged=bool(saved.report and not saved.report.ok),
        )

    def _record_restore(self, staging: Path, source: Path, previous: Path) -> None:
        """The restore's audit row goes into the staged copy, so it arrives with the data in
        the same transaction. The acting staff member may not exist in an older backup: then
        the row names them instead of pointing at a staff id the backup does not have."""
        actor = self._ctx.actor
        db = store.open_copy(staging)
        try:
            row = staff_store.by_name(db, actor.name)
            with atomic(db):
                audit.record(
                    db,
                    at=self._ctx.now_iso(),
                    staff_id=row["id"] if row else None,
                    action="restore",
                    entity="database",
                    entity_id=None,
                    after={"from": str(source), "previous_saved_as": str(previous),
                           "by": actor.name},
                    source=self._ctx.source,
                )
        finally:
            db.close()

    def _act_again_as(self, name: str) -> None:
        """Staff ids belong to the data: after a restore, look the actor up again by name (or
        fall back on the shop's default member), so the next write does not point nowhere."""
        from csdesk.services.auth import CLI_ACTOR

        db = self._ctx.db
        row = staff_store.by_name(db, name)
        if row is None and name == CLI_ACTOR:
            # the command line's own member, made again as every CLI run would (AuthService)
            with atomic(db):
                staff_store.insert(db, CLI_ACTOR, "admin", self._ctx.now_iso())
            row = staff_store.by_name(db, name)
        if row is None:
            with atomic(db):
                staff_store.ensure_default(db, self._ctx.now_iso())
            row = staff_store.by_name(db, staff_store.DEFAULT_NAME)
        if row is not None:
            self._ctx.actor = Staff(
                id=row["id"], name=row["name"], role=Role(row["role"]), active=bool(row["active"])
            )

    def audit_restore(self, source: Path, damaged_kept_as: Path) -> None:
        """Record a restore made over a database that could not be opened (restore_damaged)."""
        self._audit("restore", {"from": str(source), "damaged_kept_as": str(damaged_kept_as)})

    # -- checks --------------------------------------------------------------------------------
    def check(self, *, quick: bool = False) -> CheckReport:
        report = store.check(self._ctx.db.conn, quick=quick)
        warning = self.network_warning()
        if warning:
            report.checked.append(f"warning: {warning}")
        return report

    def advice(self, report: CheckReport) -> str:
        return damage_advice(report, self.newest_good())

    def check_with_advice(self, *, quick: bool = False) -> tuple[CheckReport, str]:
        """The check and, if it failed, what to do (for the window's worker: one trip)."""
        report = self.check(quick=quick)
        return report, ("" if report.ok else self.advice(report))

    def repair(self) -> tuple[builtins.list[str], CheckReport]:
        """Rebuild indexes and search indexes from the tables (admins); then check again."""
        require(self._ctx.actor, Permission.RESTORE)
        try:
            done = repair(self._ctx.db.conn)
        except EngineError as exc:
            raise translate_error(exc, self._ctx.path) from exc
        try:  # and the file rewritten without its free pages (as after an erasure)
            if privacy_store.scrub_file(self._ctx.db):
                done.append("rewrote the file without its free pages")
        except QueryFailed:
            pass  # busy or no room: the indexes are rebuilt all the same
        self._audit("repair", {"done": done})
        self._ctx.notify(Change("restore"))
        return done, self.check()

    def network_warning(self) -> str | None:
        return network_share_warning(self._ctx.path) if self._ctx.path else None

    def _audit(self, action: str, after: dict[str, object]) -> None:
        self._ctx.audit(action, "database", after=after)


def check_database(path: Path) -> CheckReport:
    """`csdesk check`: the file as it is, without opening it as csdesk (no migration, no
    write); a lock held elsewhere comes back as busy, not as damage."""
    return check_file(path)


def advice_for_file(path: Path, report: CheckReport) -> str:
    """What to do about a damaged file, naming its newest good backup when one can be found."""
    if report.repairable:
        return damage_advice(report, None)
    try:
        ident, _ = store.read_identity(path)
    except DatabaseFailed:
        ident = None
    found = [f for f in backup_files(folder_for(path, ident), path.stem) if f.good]
    return damage_advice(report, found[0] if found else None)


