"""Desk: the one facade both faces use, built from a database path."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

import sqlite_utils

from csdesk.domain import Change, Staff
from csdesk.errors import NotFound, PermissionDenied, UserError
from csdesk.paths import backups_dir
from csdesk.services.audit import AuditService
from csdesk.services.auth import AuthService
from csdesk.services.backup import BackupService
from csdesk.services.clock import Clock, utc_now
from csdesk.services.computer import computer_name
from csdesk.services.context import Context, Listener
from csdesk.services.customers import CustomerService
from csdesk.services.drafts import DraftService, drafts_dir_for
from csdesk.services.duplicates import DuplicateService
from csdesk.services.exporting import ExportService
from csdesk.services.followups import FollowUpService
from csdesk.services.greeting import Greetings
from csdesk.services.handover import HandoverService
from csdesk.services.importing import ImportService
from csdesk.services.insight_export import InsightExports
from csdesk.services.insights import InsightService
from csdesk.services.issues import IssueService
from csdesk.services.letter_output import LetterOutput
from csdesk.services.letters import LetterService
from csdesk.services.live import LiveFeed
from csdesk.services.notes import NoteService
from csdesk.services.outbox import OutboxService
from csdesk.services.outbox_sender import OutboxSender
from csdesk.services.privacy import PrivacyService
from csdesk.services.report_export import ReportExports
from csdesk.services.reports import ReportService
from csdesk.services.search import SearchService
from csdesk.services.shop_settings import ShopSettings
from csdesk.services.timeline import TimelineService
from csdesk.services.visits import VisitService
from csdesk.store import checkpoint
from csdesk.store import staff as staff_store
from csdesk.store.checkpoint import Checkpointer
from csdesk.store.db import EmptyDatabaseFile, atomic, open_db, read_only_reason


def newest_backup_of(path: Path) -> Path | None:
    """The newest backup file named after this database (`STEM-YYYYmmdd-HHMMSS-reason.db`)."""
    folder = backups_dir(path)
    try:
        found = sorted(folder.glob(f"{path.stem}-*.db"), key=lambda p: p.name[len(path.stem):])
    except OSError:
        return None
    return found[-1] if found else None


class Desk:
    """Assembles the services around one Context: one connection (so one thread), the clock, the
    acting staff member and the change sink. It holds no rules of its own; each service receives the
    context and the siblings it uses, in dependency order below."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        path: Path | None = None,
        clock: Clock = utc_now,
        source: str = "app",
        session: str | None = None,
        computer: str | None = None,
    ) -> None:
        self.context = ctx = Context(
            db, clock=clock, source=source, path=path, session=session,
            computer=computer_name() if computer is None else computer,
        )
        self._checkpointer: Checkpointer | None = None
        if path is not None and read_only_reason(db) is None:
            # Any writer copies its log back on a thread of its own, started by its first write
            # (store.checkpoint): a command or a script never pays for a checkpoint in a commit.
            self._checkpointer = Checkpointer(path)
            checkpoint.watch(db, self._checkpointer)
        if staff_store.default_id(db) is None:
            # Only a database that never had its default member (a new one) is written to here:
            # opening an existing one to read writes nothing (a worker's Desk, `csdesk search`).
            with atomic(db):
                staff_store.ensure_default(db, ctx.now_iso())
        self.customers = CustomerService(ctx)
        self.search = SearchService(ctx)
        self.visits = VisitService(ctx)  # visits and calls
        self.notes = NoteService(ctx)
        self.timeline = TimelineService(ctx)
        self.drafts = DraftService(drafts_dir_for(path), clock)
        self.issues = IssueService(ctx, customers=self.customers)
        self.followups = FollowUpService(ctx, issues=self.issues)
        self.shop = ShopSettings(ctx)
        self.auth = AuthService(ctx, shop=self.shop)
        self.audit = AuditService(ctx)
        self.backups = BackupService(ctx)
        self.privacy = PrivacyService(ctx, drafts=self.drafts, backups=self.backups)
        self.letters = LetterService(
            ctx, customers=self.customers, issues=self.issues, shop=self.shop
        )
        self.imports = ImportService(ctx, customers=self.customers)
        self.exports = ExportService(ctx)
        self.duplicates = DuplicateService(ctx, customers=self.customers)
        self.reports = ReportService(ctx)
        self.insights = InsightService(ctx, reports=self.reports)
        self.handover = HandoverService(ctx)
        # The use cases that span services: each names the siblings it uses.
        self.greetings = Greetings(
            ctx, customers=self.customers, issues=self.issues, visits=self.visits, notes=self.notes
        )
        self.letter_output = LetterOutput(ctx, letters=self.letters, customers=self.customers)
        self.report_exports = ReportExports(ctx, reports=self.reports, letters=self.letters)
        self.insight_exports = InsightExports(ctx, insights=self.insights, letters=self.letters)
        self.outbox = OutboxService(ctx, letters=self.letters, customers=self.customers)
        self.mail_sender = OutboxSender(ctx, outbox=self.outbox)
        self.live = LiveFeed(ctx)  # what the other counters write, and who has what open
        # An import that a kill, a crash or a full disk left 'running' is marked interrupted at
        # the next start of the window or of any command, so it can be undone or resumed.
        self.interrupted_imports = self._recover_imports()

    def _recover_imports(self) -> list[dict[str, object]]:
        from csdesk.errors import CsdeskError

        try:
            return self.imports.recover_interrupted()
        except CsdeskError:  # a read-only or busy database: the next start that can write will
            return []

    # The context's parts, under the names the faces and tests have always used.
    @property
    def db(self) -> sqlite_utils.Database:
        return self.context.db

    @property
    def path(self) -> Path | None:
        return self.context.path

    @property
    def clock(self) -> Clock:
        return self.context.clock

    @property
    def source(self) -> str:
        return self.context.source

    @property
    def actor(self) -> Staff:
        return self.context.actor

    @actor.setter
    def actor(self, staff: Staff) -> None:
        self.context.actor = staff

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        clock: Clock = utc_now,
        source: str = "app",
        create_folder: bool = False,
        session: str | None = None,
        computer: str | None = None,
    ) -> Desk:
        """`create_folder`: for the default database in the data folder, made on first run; a
        path someone typed must name an existing folder (see store.db.open_db)."""
        path = Path(path)
        try:
            db = open_db(path, create_folder=create_folder)
        except EmptyDatabaseFile as exc:
            newest = newest_backup_of(path)
            if newest is None:
                raise
            raise UserError(
                f"{exc} Backups of it exist; the newest is {newest}: "
                f"`csdesk --db {path} restore {newest}` brings it back."
            ) from exc
        return cls(db, path=path, clock=clock, source=source, session=session, computer=computer)

    @property
    def read_only(self) -> str | None:
        """Why this database cannot be changed (read-only file or media, newer csdesk), or None."""
        return self.context.read_only

    def close(self) -> None:
        self.stop_background_checkpoints()
        # The last connection to close copies what is left of the log (SQLite does it).
        self.db.close()

    def start_background_checkpoints(self, interval_s: float = 1.0) -> None:
        """For the long-running window: checkpoint from now on, not from the first write (see
        store.checkpoint). Other writers start theirs at their first commit."""
        if self.path is None or read_only_reason(self.db) is not None:
            return
        if self._checkpointer is not None and self._checkpointer.running:
            return
        checkpoint.unwatch(self.db)
        self._checkpointer = Checkpointer(self.path, interval_s=interval_s)
        self._checkpointer.start(self.db)

    def stop_background_checkpoints(self) -> None:
        """The window closing: stop the thread (it finishes its current pass first)."""
        checkpoint.unwatch(self.db)
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

    # -- who is acting -------------------------------------------------------------------------
    def _staff(self, staff_id: int) -> Staff:
        return self.context.staff(staff_id)

    def act_as(self, name: str) -> Staff:
        row = staff_store.by_name(self.db, name)
        if row is None:
            raise NotFound(
                f"No staff member called “{name}”. `csdesk staff list` shows who exists."
            )
        staff = self.context.staff(row["id"])
        if not staff.active:
            # A deactivated member can not act anywhere: the faces say so instead of writing.
            raise PermissionDenied(f"{staff.name}'s account is deactivated. Ask an admin.")
        self.context.actor = staff
        return self.context.actor

    # -- settings ------------------------------------------------------------------------------
    def setting(self, key: str, default: object = None) -> object:
        return self.context.setting(key, default)

    @property
    def region(self) -> str:
        """The shop's default country for phone numbers typed without +."""
        return self.context.region

    @property
    def tz(self) -> tzinfo:
        """The shop's time zone: local days and times everywhere are shop time."""
        return self.context.tz

    def now_iso(self) -> str:
        return self.context.now_iso()

    # -- change bus ----------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self.context.changes.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self.context.changes.unsubscribe(listener)

    def notify(self, change: Change) -> None:
        self.context.notify(change)
