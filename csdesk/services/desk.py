"""Desk: the one facade both faces use, built from a database path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from csdesk.domain import Change, Role, Staff
from csdesk.errors import NotFound
from csdesk.services.clock import Clock, iso, utc_now
from csdesk.store import settings as settings_store
from csdesk.store import staff as staff_store
from csdesk.store.checkpoint import Checkpointer
from csdesk.store.db import atomic, open_db

Listener = Callable[[Change], None]


class Desk:
    """Holds one connection (so one thread), the clock, the acting staff member and the services."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        path: Path | None = None,
        clock: Clock = utc_now,
        source: str = "app",
    ) -> None:
        from csdesk.services.audit import AuditService
        from csdesk.services.auth import AuthService
        from csdesk.services.backup import BackupService
        from csdesk.services.customers import CustomerService
        from csdesk.services.drafts import DraftService, drafts_dir_for
        from csdesk.services.duplicates import DuplicateService
        from csdesk.services.exporting import ExportService
        from csdesk.services.followups import FollowUpService
        from csdesk.services.handover import HandoverService
        from csdesk.services.importing import ImportService
        from csdesk.services.issues import IssueService
        from csdesk.services.letters import LetterService
        from csdesk.services.notes import NoteService
        from csdesk.services.privacy import PrivacyService
        from csdesk.services.reports import ReportService
        from csdesk.services.search import SearchService
        from csdesk.services.shop_settings import ShopSettings
        from csdesk.services.timeline import TimelineService
        from csdesk.services.visits import VisitService

        self.db = db
        self.path = path
        self.clock = clock
        self.source = source
        self._listeners: list[Listener] = []
        self._checkpointer: Checkpointer | None = None
        with atomic(db):
            default_id = staff_store.ensure_default(db, iso(clock()))
        self.actor = self._staff(default_id)
        self.customers = CustomerService(self)
        self.search = SearchService(self)
        self.visits = VisitService(self)  # visits and calls
        self.notes = NoteService(self)
        self.timeline = TimelineService(self)
        self.drafts = DraftService(drafts_dir_for(path), clock)
        self.issues = IssueService(self)
        self.followups = FollowUpService(self)
        self.auth = AuthService(self)
        self.audit = AuditService(self)
        self.backups = BackupService(self)
        self.privacy = PrivacyService(self)
        self.letters = LetterService(self)
        self.shop = ShopSettings(self)
        self.imports = ImportService(self)
        self.exports = ExportService(self)
        self.duplicates = DuplicateService(self)
        self.reports = ReportService(self)
        self.handover = HandoverService(self)

    @classmethod
    def open(cls, path: Path | str, *, clock: Clock = utc_now, source: str = "app") -> Desk:
        path = Path(path)
        return cls(open_db(path), path=path, clock=clock, source=source)

    def close(self) -> None:
        self.stop_background_checkpoints()
        self.db.close()

    def start_background_checkpoints(self, interval_s: float = 1.0) -> None:
        """For the long-running window: keep WAL checkpoints off the commit path (see
        store.checkpoint). Short CLI runs do not need it."""
        if self.path is None or self._checkpointer is not None:
            return
        self._checkpointer = Checkpointer(self.path, interval_s=interval_s)
        self._checkpointer.start(self.db)

    def stop_background_checkpoints(self) -> None:
        """The window closing: stop the thread (it finishes its current pass first)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

    # -- who is acting -------------------------------------------------------------------------
    def _staff(self, staff_id: int) -> Staff:
        row = staff_store.get(self.db, staff_id)
        if row is None:
            raise NotFound(f"No staff member #{staff_id}.")
        return Staff(
            id=row["id"], name=row["name"], role=Role(row["role"]), active=bool(row["active"])
        )

    def act_as(self, name: str) -> Staff:
        row = staff_store.by_name(self.db, name)
        if row is None:
            raise NotFound(
                f"No staff member called “{name}”. `csdesk staff list` shows who exists."
            )
        self.actor = self._staff(row["id"])
        return self.actor

    # -- settings ------------------------------------------------------------------------------
    def setting(self, key: str, default: object = None) -> object:
        return settings_store.get(self.db, key, default)

    def set_setting(self, key: str, value: object) -> None:
        with atomic(self.db):
            settings_store.put(self.db, key, value)
        self.notify(Change("settings", extra={"key": key}))

    @property
    def region(self) -> str:
        """The shop's default country for phone numbers typed without +."""
        return str(self.setting("phone_region", "US"))

    def now_iso(self) -> str:
        return iso(self.clock())

    # -- change bus ----------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)
