"""A customer's timeline as human lines: newest first, filtered, keyset-paged.

The store unions the sources (store.timeline.SOURCES); here each kind gets its wording. A later
kind with no formatter shows its SQL title and detail as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from csdesk.domain import Channel, NoteKind, TimelineEntry
from csdesk.errors import UserError
from csdesk.services.visits import parse_channel
from csdesk.store import timeline as store
from csdesk.store import visits as visit_store
from csdesk.store.rows import Row

if TYPE_CHECKING:
    import sqlite_utils

    from csdesk.services.context import Context

TITLE_CHARS = 120
Formatter = Callable[["sqlite_utils.Database", list[Row]], list[TimelineEntry]]


def duration_text(seconds: int | None) -> str:
    """'45 s', '4 min', '1 h 05 min'; '' when unknown."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def short(text: str, limit: int = TITLE_CHARS) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def visit_title(channel: Channel, purpose: str, *, direction: str | None = None,
                duration_s: int | None = None) -> str:
    """'In person: fitted walking boots', 'Call in, 4 min: asked about a warranty'."""
    if channel == Channel.PHONE:
        head = f"Call {direction or 'in'}"
        if duration_s is not None:
            head += f", {duration_text(duration_s)}"
    else:
        head = channel.label
    return f"{head}: {short(purpose)}" if purpose else head


def _visits(db: sqlite_utils.Database, rows: list[Row]) -> list[TimelineEntry]:
    facts = visit_store.call_facts(db, [r["ref_id"] for r in rows if r["channel"] == "phone"])
    entries = []
    for r in rows:
        channel = Channel(r["channel"])
        fact = facts.get(r["ref_id"], {})
        title = visit_title(channel, r["title"] or "", direction=fact.get("direction"),
                            duration_s=fact.get("duration_s"))
        entries.append(_entry(r, title, r["detail"] or "", channel))
    return entries


def _notes(db: sqlite_utils.Database, rows: list[Row]) -> list[TimelineEntry]:
    entries = []
    for r in rows:
        kind = NoteKind(r["detail"]).label.lower()
        body = r["title"] or ""
        detail = body if len(" ".join(body.split())) > TITLE_CHARS else ""
        entries.append(_entry(r, f"Note ({kind}): {short(body)}", detail, None))
    return entries


def _plain(db: sqlite_utils.Database, rows: list[Row]) -> list[TimelineEntry]:
    return [
        _entry(r, short(r["title"] or r["kind"].capitalize()), r["detail"] or "",
               Channel(r["channel"]) if r["channel"] in Channel._value2member_map_ else None)
        for r in rows
    ]


def _entry(r: Row, title: str, detail: str, channel: Channel | None) -> TimelineEntry:
    return TimelineEntry(kind=r["kind"], ref_id=r["ref_id"], customer_id=r["customer_id"],
                         at=r["at"], channel=channel, title=title, detail=detail,
                         staff_id=r["staff_id"])


def _emails(db: sqlite_utils.Database, rows: list[Row]) -> list[TimelineEntry]:
    return [_entry(r, f"E-mail sent: {short(r['title'] or '')}", f"to {r['detail']}", Channel.EMAIL)
            for r in rows]


FORMATTERS: dict[str, Formatter] = {"visit": _visits, "note": _notes, "email_sent": _emails}


class TimelineService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @staticmethod
    def kinds() -> list[str]:
        """Every kind of entry a timeline can hold, for the filter menu."""
        return store.all_kinds()

    def page(
        self,
        customer_id: int,
        *,
        kinds: Sequence[str] | None = None,
        channels: Sequence[Channel | str] | None = None,
        after: tuple[str, str, int] | None = None,
        limit: int = 50,
    ) -> list[TimelineEntry]:
        """Newest first. Pass the last entry's `.cursor` as `after` for the next page."""
        if kinds is not None:
            known = store.all_kinds()
            unknown = [k for k in kinds if k not in known]
            if unknown:
                raise UserError(f"“{unknown[0]}” is not a kind of timeline entry. "
                                f"Use one of: {', '.join(known)}.", field="kind")
        wanted_channels = None if channels is None else [parse_channel(c).value for c in channels]
        rows = store.page(self._ctx.db, customer_id, kinds=kinds, channels=wanted_channels,
                          after=after, limit=limit)
        by_kind: dict[str, list[Row]] = {}
        for r in rows:
            by_kind.setdefault(r["kind"], []).append(r)
        made: dict[tuple[str, int], TimelineEntry] = {}
        for kind, group in by_kind.items():
            for entry in FORMATTERS.get(kind, _plain)(self._ctx.db, group):
                made[(entry.kind, entry.ref_id)] = entry
        return [made[(r["kind"], r["ref_id"])] for r in rows]
