"""Backups (daily, on exit, by hand), rotation, restore, the integrity check and share warnings."""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from csdesk.domain import Change
from csdesk.errors import UserError
from csdesk.paths import backups_dir
from csdesk.services.auth import Permission, require
from csdesk.store import audit
from csdesk.store import backup as store
from csdesk.store.db import atomic
from csdesk.store.files import check_target

if TYPE_CHECKING:
    from csdesk.services.context import Context

KEEP_DAILY = 7
KEEP_WEEKLY = 4
AUTO_REASONS = ("daily", "exit", "startup")
NETWORK_FS = (
    "nfs",
    "nfs4",
    "cifs",
    "smb",
    "smb2",
    "smb3",
    "smbfs",
    "afs",
    "9p",
    "fuse.sshfs",
    "ncpfs",
)
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})-(?P<reason>[a-z]+)\.db$")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    previous_saved_as: Path


class BackupService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @property
    def folder(self) -> Path:
        return backups_dir(self._ctx.path)

    def _stem(self) -> str:
        return self._ctx.path.stem if self._ctx.path else "csdesk"

    def _auto_name(self, reason: str) -> Path:
        stamp = self._ctx.clock().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{self._stem()}-{stamp}-{reason}.db"
        return path

    # -- making backups ------------------------------------------------------------------------
    def backup(self, dest: Path | None = None, *, overwrite: bool = False) -> BackupResult:
        """A backup by hand (leads and admins): to `dest`, or into the backups folder.

        A file the person named follows the rules of every file csdesk writes (store.files):
        its folder must exist, it must not be a device, and an existing file is replaced only
        with `overwrite` (`backup -o customers.csv` replaced a CSV without asking).
        """
        require(self._ctx.actor, Permission.BACKUP)
        target = dest or self._auto_name("manual")
        if dest is not None and dest.resolve() == (self._ctx.path or Path()).resolve():
            raise UserError("Choose a different file: that is the database itself.")
        if dest is not None:
            check_target(dest, overwrite=overwrite)
        result = self._write(target)
        self._audit("backup", {"file": str(target), "bytes": result.size})
        return result

    def auto(self, reason: str) -> BackupResult | None:
        """Called by the app: 'startup'/'daily' makes one if none exists today; 'exit' always.

        Returns None when nothing was needed. Old automatic backups are rotated away.
        """
        if reason not in AUTO_REASONS:
            raise ValueError(f"unknown backup reason {reason!r}")
        if reason != "exit" and self._has_backup_today():
            return None
        result = self._write(self._auto_name(reason))
        self.rotate()
        return result

    def _write(self, target: Path) -> BackupResult:
        started = time.perf_counter()
        try:
            size = store.backup_file(self._ctx.db.conn, target)
        except OSError as exc:
            raise UserError(
                f"Could not write the backup {target}: {exc.strerror or exc}. "
                "Check the folder and free space."
            ) from exc
        return BackupResult(target, size, time.perf_counter() - started)

    def _has_backup_today(self) -> bool:
        today = self._ctx.clock().astimezone(UTC).strftime("%Y%m%d")
        return any(stamp.strftime("%Y%m%d") == today for stamp, _ in self._automatic())

    def _automatic(self) -> list[tuple[datetime, Path]]:
        """This database's automatic backups, newest first (not manual or pre-restore ones)."""
        found: list[tuple[datetime, Path]] = []
        if not self.folder.is_dir():
            return found
        for path in self.folder.iterdir():
            match = _NAME.match(path.name)
            if match and match["stem"] == self._stem() and match["reason"] in AUTO_REASONS:
                stamp = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
                found.append((stamp, path))
        return sorted(found, reverse=True)

    def rotate(self) -> list[Path]:
        """Keep the newest backup of each of the last 7 days, then of each of the 4 weeks before."""
        keep: list[Path] = []
        days: set[str] = set()
        weeks: set[tuple[int, int]] = set()
        automatic = self._automatic()
        for stamp, path in automatic:  # newest first
            day = stamp.strftime("%Y%m%d")
            if len(days) < KEEP_DAILY:
                if day not in days:
                    days.add(day)
                    keep.append(path)
                continue
            if day in days:
                continue
            year, week, _ = stamp.isocalendar()
            if (year, week) not in weeks and len(weeks) < KEEP_WEEKLY:
                weeks.add((year, week))
                keep.append(path)
        removed = [path for _, path in automatic if path not in keep]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed

    def list(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.glob(f"{self._stem()}-*.db"))

    # -- restore -------------------------------------------------------------------------------
    def restore(self, source: Path) -> RestoreResult:
        """Replace the database with a backup: checked first, and the current data saved first."""
        require(self._ctx.actor, Permission.RESTORE)
        if not source.is_file():
            raise UserError(f"There is no file {source}. Check the name and try again.")
        staging = self.folder / f".restore-{self._stem()}.db"
        try:
            store.stage_candidate(source, staging)
            previous = self._write(self._auto_name("prerestore"))
            store.restore_into(staging, self._ctx.db, self._ctx.path)
        finally:
            staging.unlink(missing_ok=True)
        self._audit("restore", {"from": str(source), "previous_saved_as": str(previous.path)})
        self._ctx.notify(Change("restore"))
        return RestoreResult(source, previous.path)

    def audit_restore(self, source: Path, damaged_kept_as: Path) -> None:
        """Record a restore made over a database that could not be opened (restore_damaged)."""
        self._audit("restore", {"from": str(source), "damaged_kept_as": str(damaged_kept_as)})

    # -- checks --------------------------------------------------------------------------------
    def check(self) -> store.CheckReport:
        report = store.check(self._ctx.db.conn)
        warning = self.network_warning()
        if warning:
            report.checked.append(f"warning: {warning}")
        return report

    def network_warning(self) -> str | None:
        return network_share_warning(self._ctx.path) if self._ctx.path else None

    def _audit(self, action: str, after: dict[str, object]) -> None:
        with atomic(self._ctx.db):
            audit.record(
                self._ctx.db,
                at=self._ctx.now_iso(),
                staff_id=self._ctx.actor.id,
                action=action,
                entity="database",
                entity_id=None,
                after=after,
                source=self._ctx.source,
            )


def restore_damaged(db_path: Path, source: Path, folder: Path) -> Path:
    """Restore over a database that cannot even be opened: the damaged file is kept aside.

    Returns where the damaged file (and its -wal/-shm) were moved to.
    """
    if not source.is_file():
        raise UserError(f"There is no file {source}. Check the name and try again.")
    staging = folder / f".restore-{db_path.stem}.db"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = folder / f"{db_path.stem}-{stamp}-damaged.db"
    try:
        store.stage_candidate(source, staging)
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            current = Path(str(db_path) + suffix)
            if current.exists():
                os.replace(current, Path(str(aside) + suffix))
        store.copy_file(staging, db_path)
    finally:
        staging.unlink(missing_ok=True)
    return aside


def network_share_warning(
    path: Path, *, mounts: str | None = None, platform: str = sys.platform
) -> str | None:
    """A sentence to show when the database sits on a network share (SQLite can lose data there)."""
    text = str(path)
    message = (
        f"The database {text} is on a network share. SQLite can lose data there: "
        "keep it on this computer's own disk."
    )
    if platform.startswith("win"):
        return message if text.startswith(("\\\\", "//")) else None
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    resolved = str(Path(path).resolve().parent if not path.exists() else Path(path).resolve())
    best, fstype = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, fstype = point, parts[2]
    return message if fstype.lower() in NETWORK_FS else None
