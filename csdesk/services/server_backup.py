"""Backups, restore and the check of the shop's PostgreSQL server (issue 15, item 5): the same
promises and messages as the file's (services/backup.py), kept with PostgreSQL's own tools
(store/server/dump.py says why, and how a restore is all or nothing).

Where a server's backups go: this computer's backups folder (`csdesk paths`), in a folder of the
database's own, named by its database name and identity, as a file's are; `backup -o` anywhere.

Which counter makes the automatic daily backup (auto_daily): the first csdesk to ask on a UTC
day, whichever computer it is. Why that one: any counter may be the only one switched on that
day (the back office closed, a counter broken), so naming one computer in advance would leave
days without a backup; and the first to ask is the earliest backup of the day. Why never two:
the asking counter takes a server-side advisory lock (per database, given up when its session
ends, so a counter that crashes cannot hold it) and, holding it, looks in the audit log for
today's daily backup; the backup it makes is audited before the lock is given back. A second
counter asking meanwhile does not get the lock and does nothing; asking later it finds the
audit row (which names the computer and the file) and does nothing. No new table: the audit
log already records every backup, append-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csdesk.errors import UserError
from csdesk.paths import backups_dir
from csdesk.services.auth import Permission, require
from csdesk.services.backup import BackupResult, BackupService, Candidate, RestoreResult
from csdesk.services.backup_folder import AUTO_REASONS, BackupFile, backup_files, rotate_files
from csdesk.services.clock import iso, utc_now
from csdesk.services.computer import computer_name
from csdesk.store.files import check_target
from csdesk.store.integrity import CheckReport
from csdesk.store.server import check as server_check
from csdesk.store.server import connect, dump, ops, schema
from csdesk.store.server import repair as server_repair
from csdesk.store.server.erase import ERASE_TABLES, scrub_after_erase
from csdesk.store.server.target import redact

if TYPE_CHECKING:
    from csdesk.services.context import Context

SOURCE = "cli"


@dataclass(frozen=True)
class ServerBackupResult:
    path: Path
    size: int
    seconds: float
    server: str


@dataclass(frozen=True)
class ServerRestoreResult:
    restored_from: Path
    previous_saved_as: Path
    customers_now: int
    customers_replaced: int
    migrated: list[str]
    seconds: float


class ServerBackups:
    """One server database's backups, restore and check, over one connection."""

    def __init__(
        self, target: str, *, clock: Any = utc_now, pg_bin: str | None = None,
        folder: Path | None = None, computer: str | None = None,
    ) -> None:
        self.target = target
        self._clock = clock
        self._pg_bin = pg_bin
        self._folder = folder
        self._computer = computer
        self.conn = connect.connect(target)
        self._tools: dump.Tools | None = None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ServerBackups:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- who, where ----------------------------------------------------------------------------
    @property
    def server(self) -> str:
        return connect.info(self.conn).describe()

    def tools(self) -> dump.Tools:
        if self._tools is None:
            self._tools = dump.Tools.find(self.conn.info.server_version // 10000, self._pg_bin)
        return self._tools

    def identity(self) -> str | None:
        return ops.database_id(self.conn)

    def _stem(self) -> str:
        return re.sub(r"[^\w.-]+", "_", self.conn.info.dbname) or "csdesk"

    @property
    def folder(self) -> Path:
        if self._folder is not None:
            return self._folder
        ident = self.identity()
        stem = f"{self._stem()}-server"
        return backups_dir() / (f"{stem}-{ident[:12]}" if ident else stem)

    def _auto_name(self, reason: str) -> Path:
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        n = 1
        while True:
            extra = f"-{n}" if n > 1 else ""
            path = self.folder / f"{self._stem()}-{stamp}{extra}-{reason}.dump"
            if not path.exists():
                return path
            n += 1

    def files(self) -> list[BackupFile]:
        return backup_files(self.folder, self._stem())

    def _csdesk(self) -> list[str]:
        """A csdesk database this csdesk may read: its applied migrations."""
        schema.require_csdesk(self.conn)
        done = schema.applied(self.conn)
        schema.refuse_newer(done)
        return done

    def _computer_name(self) -> str:
        return self._computer if self._computer is not None else computer_name()

    def _audit(self, action: str, after: dict[str, object]) -> None:
        ops.record_audit(self.conn, self.target, at=iso(self._clock()), action=action, after=after,
                         source=SOURCE, computer=self._computer_name())

    # -- backups -------------------------------------------------------------------------------
    def backup(self, dest: Path | None = None, *, overwrite: bool = False,
               reason: str = "manual") -> ServerBackupResult:
        """pg_dump of the whole database (one snapshot: consistent while counters work), read
        back in full before it counts, then audited; into `dest` or the backups folder."""
        self._csdesk()
        tools = self.tools()
        if dest is not None:
            check_target(dest, overwrite=overwrite)
            target = dest
        else:
            target = self._auto_name(reason)
            target.parent.mkdir(parents=True, exist_ok=True)
        try:
            made = dump.dump(self.target, target, tools)
        except OSError as exc:
            raise UserError(
                f"Could not write the backup {target}: {exc.strerror or exc}. "
                "Check the folder and free space."
            ) from exc
        self._audit("backup", {"file": str(made.path), "bytes": made.size, "verified": True,
                               "reason": reason, "tool": f"pg_dump {tools.dump.version}"})
        if dest is None:
            rotate_files(self.files(), self._clock().astimezone(UTC))
        return ServerBackupResult(made.path, made.size, made.seconds, self.server)

    def daily_done_today(self) -> dict[str, Any] | None:
        """Today's (UTC) daily backup as the audit log recorded it, by whichever counter."""
        return ops.daily_backup_done(self.conn, self._clock().astimezone(UTC).strftime("%Y-%m-%d"))

    def auto_daily(self) -> ServerBackupResult | None:
        """The automatic daily backup, made by one counter only (the module's docstring says
        which and why). None: another counter made today's, or is making it right now."""
        self._csdesk()
        if not ops.try_backup_lock(self.conn):
            return None  # another counter holds it: it is making today's backup
        try:
            if self.daily_done_today() is not None:
                return None
            return self.backup(reason="daily")
        finally:
            ops.backup_unlock(self.conn)

    # -- restore -------------------------------------------------------------------------------
    def restore(self, source: Path, *, other_database: bool = False) -> ServerRestoreResult:
        """Replace csdesk's data on the server with a backup, all or nothing; the data it
        replaces is saved first as a backup (`csdesk restore` of that puts it back)."""
        self._csdesk()
        tools = self.tools()
        info = dump.inspect_dump(source.expanduser(), tools)
        refuse = f"{source} cannot be restored:"
        newer = schema.newer_than_this_csdesk(info.migrations)
        if newer:
            raise UserError(f"{refuse} it comes from a newer csdesk ({newer[-1]}). Update csdesk first.")
        live_id = self.identity()
        if info.database_id and live_id and info.database_id != live_id and not other_database:
            raise UserError(
                f"{refuse} it is a backup of another database (identity {info.database_id[:12]}, "
                f"this one is {live_id[:12]}). To replace this database with it anyway, add "
                "--other-database. Nothing was changed."
            )
        replaced = self._customers()
        previous = self.backup(reason="prerestore")
        audit_row: dict[str, object] = {
            "at": iso(self._clock()), "action": "restore", "entity": "database",
            "after": ops.json_text({"from": str(source), "previous_saved_as": str(previous.path)}),
            "source": SOURCE,
            "computer": self._computer_name(),
        }
        migrated = [n for n in schema.LATER if n not in info.migrations]
        after_sql = dump.restore_sql_after(self.conn, info, keep_id=live_id, audit_row=audit_row)
        seconds = dump.restore_dump(self.target, info, tools, after_sql)
        return ServerRestoreResult(source, previous.path, self._customers(), replaced, migrated, seconds)

    def _customers(self) -> int:
        return ops.count_customers(self.conn)

    # -- check ---------------------------------------------------------------------------------
    def check(self) -> CheckReport:
        return server_check.check(self.conn)

    def repair(self) -> tuple[list[str], CheckReport]:
        """Rebuild missing or invalid indexes and search columns (store/server/repair.py, one
        transaction), audited with what was done; then the check again."""
        done = server_repair.repair(self.conn)
        if done:
            self._audit("repair", {"done": done})
        return done, self.check()

    def rewrite_erased(self) -> tuple[list[str], list[str]]:
        """VACUUM FULL of every table an erase touches (store/server/erase.py): what an erase
        that found tables busy left in the files is gone after this. (rewritten, busy)."""
        busy = scrub_after_erase(self.conn)
        present = set(schema.user_tables(self.conn))
        return [t for t in ERASE_TABLES if t in present and t not in busy], busy



class ServerDeskBackups(BackupService):
    """What a window's Desk on a server does with backups: the same calls as on a file
    (Desk.backups), kept with the server's tools.

    The automatic backup is the day's one, by the first counter to ask (auto_daily), at start
    and hourly alike; the exit backup is the file's safety net before its window closes and a
    server needs none from every counter. Restore and repair replace or rebuild the shop's book
    under every counter at once, so they are a deliberate command on a server, not a menu item
    of one window: the window says which command to type.
    """

    def __init__(self, ctx: Context, server: str) -> None:
        super().__init__(ctx)
        self._server = server

    def _open(self) -> ServerBackups:
        return ServerBackups(self._server, clock=self._ctx.clock, computer=self._ctx.computer)

    @staticmethod
    def _as_result(made: ServerBackupResult) -> BackupResult:
        return BackupResult(made.path, made.size, made.seconds)

    @property
    def folder(self) -> Path:
        with self._open() as server:
            return server.folder

    def files(self) -> list[BackupFile]:
        """The server's dumps in this counter's folder (named by the server's database, not by
        a file's stem): what rotation keeps and what an erasure names as still holding data."""
        with self._open() as server:
            return server.files()

    def auto(self, reason: str) -> BackupResult | None:
        if reason not in AUTO_REASONS:
            raise ValueError(f"unknown backup reason {reason!r}")
        if reason == "exit":
            return None
        with self._open() as server:
            made = server.auto_daily()
        return None if made is None else self._as_result(made)

    def backup(self, dest: Path | None = None, *, overwrite: bool = False) -> BackupResult:
        require(self._ctx.actor, Permission.BACKUP)
        with self._open() as server:
            return self._as_result(server.backup(dest, overwrite=overwrite))

    def check(self, *, quick: bool = False) -> CheckReport:
        with self._open() as server:
            return server.check()

    def advice(self, report: CheckReport) -> str:
        return "Run `csdesk --db URL check` on a counter for the details, and tell your admin."

    def network_warning(self) -> str | None:
        return None  # a server is the right place for a shared book

    def _command_only(self, what: str, command: str) -> UserError:
        return UserError(
            f"On the shop's server, {what} from one counter with "
            f"`csdesk --db {redact(self._server)} {command}`: it changes the customer book for "
            "every counter at once."
        )

    def inspect(self, source: Path) -> Candidate:
        raise self._command_only("restore a backup", "restore FILE")

    def restore(self, source: Path, *, other_database: bool = False) -> RestoreResult:
        raise self._command_only("restore a backup", "restore FILE")

    def repair(self) -> tuple[list[str], CheckReport]:
        raise self._command_only("check and repair", "check")
