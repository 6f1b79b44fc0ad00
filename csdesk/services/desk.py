"""Desk: the one facade both faces use, built from a database path."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from csdesk.domain import Change, Staff
from csdesk.errors import NotFound, PermissionDenied, UserError
from csdesk.paths import backups_dir
from csdesk.services.clock import Clock, utc_now
from csdesk.services.computer import computer_name
from csdesk.services.context import Context, Listener
from csdesk.store import checkpoint
from csdesk.store import staff as staff_store
from csdesk.store.checkpoint import Checkpointer
from csdesk.store.db import EmptyDatabaseFile, atomic, open_db, read_only_reason

if TYPE_CHECKING:
    from csdesk.services.audit import AuditService
    from csdesk.services.auth import AuthService
    from csdesk.services.backup import BackupService
    from csdesk.services.customers import CustomerService
    from csdesk.services.drafts import DraftService
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
        server: str | None = None,
    ) -> None:
        # `server`: the PostgreSQL target this Desk's connection came from (then path is None);
        # drafts stay on this computer, in a folder of their own per server database.
        self.server = server
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
        # An import that a kill, a crash or a full disk left 'running' is marked interrupted at
        # the next start of the window or of any command, so it can be undone or resumed.
        self.interrupted_imports = self._recover_imports()

    # -- the services, each built on first use ---------------------------------------------
    # A command or the window's first paint uses a few of them; importing and building all
    # 27 (Jinja, PDF exports, mail, insights...) took most of `csdesk search` and of start-up.
    # Each still receives the context and the siblings it uses, in the same order as before.
    @cached_property
    def customers(self) -> CustomerService:
        from csdesk.services.customers import CustomerService

        return CustomerService(self.context)

    @cached_property
    def search(self) -> SearchService:
        from csdesk.services.search import SearchService

        return SearchService(self.context)

    @cached_property
    def visits(self) -> VisitService:
        from csdesk.services.visits import VisitService

        return VisitService(self.context)

    @cached_property
    def notes(self) -> NoteService:
        from csdesk.services.notes import NoteService

        return NoteService(self.context)

    @cached_property
    def timeline(self) -> TimelineService:
        from csdesk.services.timeline import TimelineService

        return TimelineService(self.context)

    @cached_property
    def drafts(self) -> DraftService:
        from csdesk.services.drafts import DraftService, drafts_dir_for

        # A server's drafts stay on this computer, in a folder of their own per server database.
        return DraftService(
            drafts_dir_for(self.path if self.server is None else self.server), self.clock
        )

    @cached_property
    def issues(self) -> IssueService:
        from csdesk.services.issues import IssueService

        return IssueService(self.context, customers=self.customers)

    @cached_property
    def followups(self) -> FollowUpService:
        from csdesk.services.followups import FollowUpService

        return FollowUpService(self.context, issues=self.issues)

    @cached_property
    def shop(self) -> ShopSettings:
        from csdesk.services.shop_settings import ShopSettings

        return ShopSettings(self.context)

    @cached_property
    def auth(self) -> AuthService:
        from csdesk.services.auth import AuthService

        return AuthService(self.context, shop=self.shop)

    @cached_property
    def audit(self) -> AuditService:
        from csdesk.services.audit import AuditService

        return AuditService(self.context)

    @cached_property
    def backups(self) -> BackupService:
        if self.server is not None:  # the same calls, kept with the server's own tools
            from csdesk.services.server_backup import ServerDeskBackups

            return ServerDeskBackups(self.context, self.server)
        from csdesk.services.backup import BackupService

        return BackupService(self.context)

    @cached_property
    def privacy(self) -> PrivacyService:
        from csdesk.services.privacy import PrivacyService

        return PrivacyService(self.context, drafts=self.drafts, backups=self.backups)

    @cached_property
    def letters(self) -> LetterService:
        from csdesk.services.letters import LetterService

        return LetterService(self.context, customers=self.customers, issues=self.issues, shop=self.shop)

    @cached_property
    def imports(self) -> ImportService:
        from csdesk.services.importing import ImportService

        return ImportService(self.context, customers=self.customers)

    @cached_property
    def exports(self) -> ExportService:
        from csdesk.services.exporting import ExportService

        return ExportService(self.context)

    @cached_property
    def duplicates(self) -> DuplicateService:
        from csdesk.services.duplicates import DuplicateService

        return DuplicateService(self.context, customers=self.customers)

    @cached_property
    def reports(self) -> ReportService:
        from csdesk.services.reports import ReportService

        return ReportService(self.context)

    @cached_property
    def insights(self) -> InsightService:
        from csdesk.services.insights import InsightService

        return InsightService(self.context, reports=self.reports)

    @cached_property
    def handover(self) -> HandoverService:
        from csdesk.services.handover import HandoverService

        return HandoverService(self.context)

    @cached_property
    def greetings(self) -> Greetings:
        from csdesk.services.greeting import Greetings

        return Greetings(
            self.context,
            customers=self.customers,
            issues=self.issues,
            visits=self.visits,
            notes=self.notes,
        )

    @cached_property
    def letter_output(self) -> LetterOutput:
        from csdesk.services.letter_output import LetterOutput

        return LetterOutput(self.context, letters=self.letters, customers=self.customers)

    @cached_property
    def report_exports(self) -> ReportExports:
        from csdesk.services.report_export import ReportExports

        return ReportExports(self.context, reports=self.reports, letters=self.letters)

    @cached_property
    def insight_exports(self) -> InsightExports:
        from csdesk.services.insight_export import InsightExports

        return InsightExports(self.context, insights=self.insights, letters=self.letters)

    @cached_property
    def outbox(self) -> OutboxService:
        from csdesk.services.outbox import OutboxService

        return OutboxService(
            self.context, letters=lambda: self.letters, customers=self.customers
        )

    @cached_property
    def mail_sender(self) -> OutboxSender:
        from csdesk.services.outbox_sender import OutboxSender

        return OutboxSender(self.context, outbox=self.outbox)

    @cached_property
    def live(self) -> LiveFeed:
        from csdesk.services.live import LiveFeed

        return LiveFeed(self.context)

    def _recover_imports(self) -> list[dict[str, object]]:
        from csdesk.errors import CsdeskError
        from csdesk.store import imports as import_log

        try:
            if not import_log.running(self.db):  # the usual case: no import service needed
                return []
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
    def target(self) -> Path | str | None:
        """What `Desk.open` was given: the file's path, or the server's URL (None in memory);
        a second counter's Desk opens the same database from it."""
        return self.server if self.server is not None else self.path

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
        path someone typed must name an existing folder (see store.db.open_db). A PostgreSQL
        URL (or libpq conninfo) opens the shop's server instead of a file."""
        from csdesk.store.server.target import is_server

        if not isinstance(path, Path) and is_server(path):
            return cls(open_db(path), clock=clock, source=source, session=session,
                       computer=computer, server=str(path))
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

    def reconnect(self) -> None:
        """The server is back after an outage: this Desk's connection anew (the file: nothing to
        do). UserError while it still does not answer."""
        from csdesk.store import dialect

        dialect.reconnect(self.db)

    # -- the server's connection: lost, made anew off the UI thread, taken on it -----------------
    def expect_answers_within(self, seconds: float | None) -> None:
        """This Desk's reads and writes wait at most ~`seconds` for the server (the window's
        Desk, used on the UI thread); the file has nothing to wait for."""
        from csdesk.store import dialect

        dialect.answer_within(self.db, seconds)

    def without_waiting(self) -> AbstractContextManager[None]:
        """This Desk's writes inside fail at once with DatabaseLocked where another program
        holds the file's write lock, instead of waiting for it (store.db.without_lock_wait)."""
        from csdesk.store.db import without_lock_wait

        return without_lock_wait(self.db)

    def answering_within(self, seconds: float) -> AbstractContextManager[None]:
        """A shorter wait for the server's answers for the statements inside (a read that may
        simply be skipped when the server does not answer in time)."""
        from csdesk.store import dialect

        return dialect.answering_within(self.db, seconds)

    def on_connection_lost(self, callback: Callable[[], None]) -> None:
        """`callback()` when a statement of this Desk finds the server's connection lost."""
        from csdesk.store import dialect

        dialect.on_lost(self.db, callback)

    @property
    def connection_lost(self) -> bool:
        from csdesk.store import dialect

        return dialect.connection_lost(self.db)

    def prepare_connection(self) -> object | None:
        """A new connection for `adopt_connection`, made on any thread (it waits for the
        server: the window calls it off its UI thread). UserError while the server is away."""
        from csdesk.store import dialect

        return dialect.fresh_connection(self.db)

    def adopt_connection(self, fresh: object | None) -> None:
        """Take a connection prepare_connection made, on this Desk's own thread (no waiting)."""
        from csdesk.store import dialect

        dialect.adopt(self.db, fresh)

    def discard_connection(self, fresh: object | None) -> None:
        """Close a connection prepare_connection made that will not be adopted (any thread)."""
        from csdesk.store import dialect

        dialect.discard(self.db, fresh)

    def outcome(self, ref: object) -> bool | None:
        """Was the write a SaveUncertain named saved? True, False, or None while the server cannot
        tell yet; ServerUnavailable while it does not answer."""
        from csdesk.store import dialect
        from csdesk.store.db import engine_error_message

        try:
            return dialect.outcome(self.db, ref)
        except Exception as exc:
            said = engine_error_message(exc)
            if said is None:
                raise
            raise said from exc

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
