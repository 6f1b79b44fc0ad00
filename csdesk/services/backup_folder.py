"""Which backups a database has in its folder, and which of them rotation keeps.

A backup's name says whose it is, when and why it was made and whether it passed its check
(`<stem>-<stamp>[-n]-<reason>[-{FAILED}].db`, or .dump for a server's): the folder is the
record, so nothing else can disagree with it. The same rule rotates a file's backups and a
server's (services/server_backup.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from csdesk.paths import backups_dir

KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_FAILED = 2  # copies that failed their check: the newest few, as evidence and a last resort
# Manual and pre-restore backups in the backups folder go after this long (automatic ones are
# gone by then too), so an erased customer is gone from every copy in the folder by a known day.
MAX_AGE_DAYS = 35
AUTO_REASONS = ("daily", "exit", "startup")
FAILED = "failedcheck"
_NAME = re.compile(
    r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?-(?P<reason>[a-z]+)"
    rf"(?P<failed>-{FAILED})?\.(?:db|dump)$"  # .dump: a server's (store/server/dump.py)
)


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: datetime
    reason: str  # daily, exit, startup, manual, prerestore
    good: bool  # passed its check when it was made


def folder_for(db_path: Path | None, ident: str | None) -> Path:
    """A database's own backups folder, named by its stem and its identity, so two databases
    called csdesk.db never share (or overwrite) each other's backups."""
    stem = db_path.stem if db_path else "csdesk"
    base = backups_dir(db_path)
    return base / f"{stem}-{ident[:12]}" if ident else base


def rotate_files(files: list[BackupFile], now: datetime) -> list[Path]:
    """BackupService.rotate's rule over a list of backups (newest first), for a file's folder and
    a server's alike: deletes and returns what the rule does not keep."""
    keep: set[Path] = set()
    days: set[str] = set()
    weeks: set[tuple[int, int]] = set()
    failed = 0
    for f in files:
        if not f.good:
            failed += 1
            if failed <= KEEP_FAILED:
                keep.add(f.path)
            continue
        if f.reason not in AUTO_REASONS:
            if now - f.made_at <= timedelta(days=MAX_AGE_DAYS):
                keep.add(f.path)
            continue
        day = f.made_at.strftime("%Y%m%d")
        if len(days) < KEEP_DAILY:
            if day not in days:
                days.add(day)
                keep.add(f.path)
            continue
        if day in days:
            continue
        year, week, _ = f.made_at.isocalendar()
        if (year, week) not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.add((year, week))
            keep.add(f.path)
    good = next((f for f in files if f.good), None)
    if good is not None:
        keep.add(good.path)
    removed = [f.path for f in files if f.path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def backup_files(folder: Path, stem: str) -> list[BackupFile]:
    """The backups of database `stem` in `folder`, newest first."""
    found: list[BackupFile] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and match["stem"] == stem:
            stamp = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
            found.append(BackupFile(path, stamp, match["reason"], not match["failed"]))
    return sorted(found, key=lambda f: (f.made_at, f.path.name), reverse=True)


def failed_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}-{FAILED}.db")
