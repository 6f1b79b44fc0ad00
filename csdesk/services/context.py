"""What every service is built with: one connection, the clock, who is acting, where changes go.

Services receive a Context (and the sibling services they use, by name) in their constructors instead of
the whole Desk: the dependencies are visible in each constructor, and no service imports the facade.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import tzinfo
from pathlib import Path
from typing import Any

import sqlite_utils

from csdesk.domain import Change, Role, Staff
from csdesk.errors import NotFound
from csdesk.services import dates
from csdesk.services.clock import Clock, iso
from csdesk.store import audit as audit_store
from csdesk.store import settings as settings_store
from csdesk.store import staff as staff_store
from csdesk.store.db import atomic, read_only_reason, set_identity

Listener = Callable[[Change], None]


class ChangeSink:
    """Where services report what their writes changed; the faces subscribe to it.

    One sink per Desk. Listeners run in the order they subscribed, on the thread that made the write.
    """

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, change: Change) -> None:
        for listener in list(self._listeners):  # a listener may unsubscribe while we report
            listener(change)


def merge_changes(changes: list[Change]) -> list[Change]:
    """One Change per (kind, customer, extra), ids together, in the order they first happened:
    a batch of 300 letters (or 300 writes at another counter) refreshes the views once."""
    merged: list[Change] = []
    for change in changes:
        for i, seen in enumerate(merged):
            if (seen.kind, seen.customer_id, seen.extra) == (
                change.kind,
                change.customer_id,
                change.extra,
            ):
                ids = seen.ids + tuple(x for x in change.ids if x not in seen.ids)
                merged[i] = Change(seen.kind, ids, seen.customer_id, seen.extra)
                break
        else:
            merged.append(change)
    return merged


REGION_SETTING = "phone_region"


def region_of(stored: object) -> str:
    """The shop's phone region from the stored `phone_region` setting (None: never set)."""
    return str("US" if stored is None else stored)


class Context:
    """One connection (so one thread), the clock, the source written to the audit log, the acting staff
    member and the change sink.

    Everything but the actor is fixed at construction. The actor is the one mutable part, and it lives
    here, in the one Context all of a Desk's services share, so `act_as` and a sign-in are seen by every
    service at once (nobody holds a copy).
    """

    __slots__ = ("_actor", "_changes", "_clock", "_computer", "_db", "_held", "_path", "_session",
                 "_source", "_zone")

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        clock: Clock,
        source: str = "app",
        path: Path | None = None,
        changes: ChangeSink | None = None,
        session: str | None = None,
        computer: str = "",
    ) -> None:
        self._db = db
        # Which window (or command) this is, and at which computer: recorded beside every write,
        # so the other windows know who did what where, and this one does not hear itself back.
        # A window's worker threads share its session (their changes come back through the Op).
        self._session = session or uuid.uuid4().hex
        self._computer = computer
        set_identity(db, session=self._session, computer=computer)
        self._clock = clock
        self._source = source
        self._path = path
        self._changes = changes if changes is not None else ChangeSink()
        self._actor: Staff | None = None
        self._held: dict[str, Any] | None = None
        self._zone: tzinfo | None = None  # the `timezone` setting, read once (see tz)

    @property
    def db(self) -> sqlite_utils.Database:
        return self._db

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def source(self) -> str:
        return self._source

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def session(self) -> str:
        return self._session

    @property
    def computer(self) -> str:
        return self._computer

    def set_computer(self, name: str) -> None:
        """This computer was renamed (Settings): its writes from now on say the new name."""
        self._computer = name
        set_identity(self._db, session=self._session, computer=name)

    @property
    def changes(self) -> ChangeSink:
        return self._changes

    @property
    def read_only(self) -> str | None:
        """Why this database cannot be changed (read-only file or media, newer csdesk), or None."""
        return read_only_reason(self._db)

    # -- who is acting -------------------------------------------------------------------------
    @property
    def actor(self) -> Staff:
        """The acting staff member; until someone signs in or acts, the shop's default "Front desk".

        Looked up on first use (a read), so that opening a Desk writes nothing.
        """
        if self._actor is None:
            found = staff_store.default_id(self._db)
            if found is None:
                raise NotFound(
                    f"This database has no “{staff_store.DEFAULT_NAME}” staff member. "
                    "Open it with `csdesk` once to create it, or pass --staff NAME."
                )
            self._actor = self.staff(found)
        return self._actor

    @actor.setter
    def actor(self, staff: Staff) -> None:
        self._actor = staff

    def staff(self, staff_id: int) -> Staff:
        row = staff_store.get(self._db, staff_id)
        if row is None:
            raise NotFound(f"No staff member #{staff_id}.")
        return Staff(
            id=row["id"], name=row["name"], role=Role(row["role"]), active=bool(row["active"])
        )

    # -- the audit log ------------------------------------------------------------------------
    def audit(self, action: str, entity: str, *, entity_id: int | None = None, after: object = None) -> None:
        """One audit row of its own (a read that is recorded: an export, a backup), as the acting
        member, now. Writes that change data record their row inside their own transaction."""
        with atomic(self._db):
            audit_store.record(
                self._db,
                at=self.now_iso(),
                staff_id=self.actor.id,
                action=action,
                entity=entity,
                entity_id=entity_id,
                after=after,
                source=self._source,
            )

    # -- reading the shop's settings -----------------------------------------------------------
    def setting(self, key: str, default: object = None) -> object:
        if self._held is not None:
            return self._held.get(key, default)
        return settings_store.get(self._db, key, default)

    @contextmanager
    def settings_held(self) -> Iterator[None]:
        """Work that reads many settings (a letter reads about a dozen) reads them all in one
        query instead: one round trip, not twelve, on a server. Inside, setting() answers from
        that one reading; nested uses share the outer one. For reads only: a setting saved
        inside is not seen until the outermost block ends."""
        if self._held is not None:
            yield
            return
        self._held = settings_store.all_values(self._db)
        try:
            yield
        finally:
            self._held = None

    @property
    def region(self) -> str:
        """The shop's default country for phone numbers typed without +."""
        return region_of(self.setting(REGION_SETTING))

    @property
    def tz(self) -> tzinfo:
        """The shop's time zone (the `timezone` setting): the one zone every local day and time
        is shown and counted in, so a lead's PC set to another zone still shows shop time.

        Read once and kept until the change sink reports the setting changed (here or, through
        the live feed, at another counter) or the database restored: a window showing one
        customer asked for it six times, each a round trip on a server."""
        if self._held is not None:
            return dates.zone(str(self._held.get("timezone", "") or ""))
        if self._zone is None:
            self._zone = dates.zone(str(self.setting("timezone", "") or ""))
        return self._zone

    def now_iso(self) -> str:
        return iso(self._clock())

    # -- reporting changes ---------------------------------------------------------------------
    def notify(self, change: Change) -> None:
        if change.kind == "restore" or (
            change.kind == "settings" and change.extra.get("key") in (None, "timezone")
        ):
            self._zone = None  # read again at the next use
        self._changes.notify(change)
