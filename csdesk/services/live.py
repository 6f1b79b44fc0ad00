"""Live counters: what another window or command writes reaches this one's change sink, and who
has which customer open where.

One change mechanism: the rows another connection wrote to the change log (store.changes, written
in each write's own transaction) become the same `Change` reports this Desk's own services publish,
and go out through the same sink, so every view that refreshes on a local write refreshes on a
remote one. On SQLite a window calls `poll()` a few times a second; it costs one `PRAGMA
data_version` when nothing changed. On PostgreSQL `listen(heard)` LISTENs on a connection of its
own (store.server.listen): the server's NOTIFY, sent in the writer's transaction, wakes the
window, which calls the same `poll()`; the timer stays as a slow safety net (LISTEN_POLL_MS),
and at POLL_INTERVAL_MS whenever the listener is not connected.

Presence: each window says every few seconds which customer it shows and whether a call is being
taken there (`beat`); a window silent for PRESENCE_TTL_S is gone. Presence is not audited and not
a change: it is who is where right now, not a record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from csdesk.domain import Change
from csdesk.services.clock import iso
from csdesk.services.context import Context, merge_changes
from csdesk.store import changes as store
from csdesk.store.db import atomic, engine_error_message
from csdesk.store.rows import Row

POLL_INTERVAL_MS = 300  # within the 1 s promise with room to spare; idle cost is one pragma
LISTEN_POLL_MS = 5000  # while a LISTEN is up the poll is only a safety net
HEARTBEAT_S = 10.0
PRESENCE_TTL_S = 30.0

# The audit log's entity names -> the Change kinds the views listen for.
_KINDS = {
    "customer": "customer",
    "import_batch": "customer",
    "visit": "visit",
    "note": "note",
    "followup": "followup",
    "issue": "issue",
    "issue_event": "issue",
    "goodwill": "issue",
    "issue_category": "issue_category",
    "setting": "settings",
    "staff": "staff",
    "handover": "handover",
    "letter": "letter",
}
_RESTORES = ("restore", "repair")  # the whole file changed under every window


class Listener(Protocol):
    """What listen() gives back (store.server.listen.ChangeListener)."""

    listening: bool

    def stop(self, timeout: float = 2.0) -> None: ...


@dataclass(frozen=True)
class Presence:
    """Another window that is open right now."""

    staff_name: str
    computer: str
    customer_id: int | None
    on_call: bool

    def says(self, customer_name: str | None = None) -> str:
        who = self.staff_name or "Someone"
        where = f" at {self.computer}" if self.computer else ""
        if self.on_call:
            return f"{who} is taking a call{where}"
        if customer_name:
            return f"{who} has {customer_name} open{where}"
        return f"{who} is working{where}"


def changes_of(row: Row) -> list[Change]:
    """The Change reports one change-log row stands for (none for an entity no view shows)."""
    entity, action = row["entity"], row["action"]
    if entity == "database":
        return [Change("restore")] if action in _RESTORES else []
    kind = _KINDS.get(entity)
    if kind is None:
        return []
    customer_id = row["customer_id"]
    if kind == "settings":
        keys = json.loads(row["detail"]) if row["detail"] else []
        return [Change("settings", extra={"key": key}) for key in keys] or [Change("settings")]
    if kind == "customer":
        ids = () if row["entity_id"] is None else (int(row["entity_id"]),)
        return [Change("customer", ids, customer_id)]
    if entity in ("issue_event", "goodwill"):
        return [Change("issue", (), customer_id)]
    ids = () if row["entity_id"] is None else (int(row["entity_id"]),)
    return [Change(kind, ids, customer_id)]


class LiveFeed:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._seen: int | None = None  # the last change-log id this window has told its views
        self._version: int | None = None
        self.last_at: str | None = None  # when the newest change heard of was made (benchmarks)

    @property
    def seen(self) -> int | None:
        return self._seen

    def start(self) -> None:
        """From now on: what was written before this window opened is already on its screen."""
        db = self._ctx.db
        self._version = store.data_version(db)
        self._seen = store.last_id(db)

    def listen(self, heard: Callable[[str], None]) -> Listener | None:
        """Be told at once when another connection commits (PostgreSQL's LISTEN/NOTIFY):
        `heard("change" | "up" | "down")` is called from the listener's own thread; the
        receiver then calls poll() on its own. None on the file (poll data_version instead)."""
        listener: Listener | None = store.listen(self._ctx.db, heard)
        return listener

    def poll(self) -> list[Change]:
        """Publish (on this Desk's sink) what other connections committed since the last poll,
        and return it. Nothing changed: one pragma, no query. Engine errors come out as
        UserError (the window just tries again at the next tick)."""
        return self.publish(self.collect())

    def collect(self) -> list[Change]:
        """What poll() would publish, read but not yet published (the window reads it with a
        short wait for the server, then publishes, and the views read with their own)."""
        try:
            return self._poll()
        except Exception as exc:  # sqlite3's or psycopg's (a server gone away): in words
            said = engine_error_message(exc)
            if said is None:
                raise
            raise said from exc

    def publish(self, changes: list[Change]) -> list[Change]:
        for change in changes:
            self._ctx.notify(change)
        return changes

    def others(self) -> list[Presence]:
        """The other windows alive now (heard from within PRESENCE_TTL_S)."""
        try:
            return self._others()
        except Exception as exc:
            said = engine_error_message(exc)
            if said is None:
                raise
            raise said from exc

    def _poll(self) -> list[Change]:
        if self._seen is None:
            self.start()
            return []
        db = self._ctx.db
        version = store.data_version(db)
        if version == self._version:
            return []
        self._version = version
        heard: list[Change] = []
        first = store.first_id(db)
        if first is not None and first > self._seen + 1:
            # asleep for longer than the log keeps: everything may have changed
            heard.append(Change("restore"))
        while True:
            rows = store.since(db, self._seen)
            if not rows:
                break
            self._seen = int(rows[-1]["id"])
            self.last_at = rows[-1]["at"]
            for row in rows:
                if row["session"] != self._ctx.session:  # our own writes were told already
                    heard.extend(changes_of(row))
        return merge_changes(heard)

    # -- presence ------------------------------------------------------------------------------
    def beat(self, customer_id: int | None, *, on_call: bool = False) -> None:
        """This window is here, showing `customer_id`. One small write of its own."""
        ctx = self._ctx
        now = ctx.clock()
        with atomic(ctx.db):
            store.beat(ctx.db, session=ctx.session, staff_id=ctx.actor.id, computer=ctx.computer,
                       customer_id=customer_id, on_call=on_call, at=iso(now))
            store.expire(ctx.db, iso(now - timedelta(seconds=PRESENCE_TTL_S * 4)))

    def leave(self) -> None:
        """The window is closing: it is nowhere any more (UserError when the server is gone:
        its entry then expires by itself after PRESENCE_TTL_S)."""
        try:
            with atomic(self._ctx.db):
                store.leave(self._ctx.db, self._ctx.session)
        except Exception as exc:
            said = engine_error_message(exc)
            if said is None:
                raise
            raise said from exc

    def _others(self) -> list[Presence]:
        since = iso(self._ctx.clock() - timedelta(seconds=PRESENCE_TTL_S))
        return [
            Presence(r["staff_name"], r["computer"], r["customer_id"], bool(r["on_call"]))
            for r in store.others(self._ctx.db, session=self._ctx.session, since_at=since)
        ]

    def with_customer(self, customer_id: int) -> list[Presence]:
        return [p for p in self.others() if p.customer_id == customer_id]

    def calls_elsewhere(self) -> list[Presence]:
        return [p for p in self.others() if p.on_call]
