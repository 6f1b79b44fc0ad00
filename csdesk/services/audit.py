"""Reading and exporting the audit log. Nothing here (or anywhere in the app) edits it."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from csdesk.errors import UserError
from csdesk.services.auth import Permission, require
from csdesk.store import audit as store
from csdesk.store.db import atomic
from csdesk.store.files import AtomicFile

if TYPE_CHECKING:
    from csdesk.services.context import Context

CSV_COLUMNS = (
    "id",
    "at",
    "staff_id",
    "staff_name",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "source",
    "computer",
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    staff_id: int | None
    staff_name: str | None
    action: str
    entity: str
    entity_id: int | None
    before: Any
    after: Any
    source: str
    computer: str = ""  # which counter (the computer's name setting) made the change

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in CSV_COLUMNS}


@dataclass(frozen=True)
class AuditFilter:
    staff_id: int | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: int | None = None
    source: str | None = None
    since: str | None = None  # ISO-8601, inclusive
    until: str | None = None  # ISO-8601, exclusive

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class AuditService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def entries(
        self, filters: AuditFilter | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[AuditEntry]:
        """Newest first, one page at a time (leads and admins)."""
        require(self._ctx.actor, Permission.VIEW_AUDIT)
        if not 1 <= limit <= 10_000 or offset < 0:
            raise UserError("Ask for 1 to 10,000 audit entries at a time.")
        rows = store.query(
            self._ctx.db, (filters or AuditFilter()).as_dict(), limit=limit, offset=offset
        )
        return [_entry(r) for r in rows]

    def count(self, filters: AuditFilter | None = None) -> int:
        require(self._ctx.actor, Permission.VIEW_AUDIT)
        return store.count(self._ctx.db, (filters or AuditFilter()).as_dict())

    def export_csv(
        self,
        target: Path | TextIO,
        filters: AuditFilter | None = None,
        *,
        overwrite: bool = False,
    ) -> int:
        """Write the (filtered) log oldest first as CSV; returns the number of rows. Audited."""
        require(self._ctx.actor, Permission.VIEW_AUDIT)
        require(self._ctx.actor, Permission.EXPORT)
        flt = (filters or AuditFilter()).as_dict()
        if isinstance(target, Path):
            with (
                AtomicFile(target, overwrite=overwrite) as out,
                out.open("w", encoding="utf-8", newline="") as handle,
            ):
                written = self._write(handle, flt)
        else:
            written = self._write(target, flt)
        with atomic(self._ctx.db):
            store.record(
                self._ctx.db,
                at=self._ctx.now_iso(),
                staff_id=self._ctx.actor.id,
                action="export",
                entity="audit",
                entity_id=None,
                after={"rows": written, "filters": {k: v for k, v in flt.items() if v is not None}},
                source=self._ctx.source,
            )
        return written

    def _write(self, handle: IO[str], flt: dict[str, Any]) -> int:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        written = 0
        for row in store.iter_all(self._ctx.db, flt):
            # Spreadsheets run cells starting with = + - @ as formulas; a leading ' defuses them.
            writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
            written += 1
        return written


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        staff_id=row["staff_id"],
        staff_name=row["staff_name"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        before=None if row["before"] is None else json.loads(row["before"]),
        after=None if row["after"] is None else json.loads(row["after"]),
        source=row["source"],
        computer=row.get("computer") or "",
    )
