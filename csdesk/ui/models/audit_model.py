"""The audit log, newest first, a page at a time: a years-long log never loads at once."""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from csdesk.services.audit import AuditEntry, AuditFilter
from csdesk.services.clock import parse
from csdesk.services.desk import Desk
from csdesk.ui.models.roles import ID_ROLE
from csdesk.ui.models.table_base import HeaderedTableModel

Index = QModelIndex | QPersistentModelIndex
PAGE = 200
HEADERS = ("When", "Who", "Action", "What", "Details", "From")


def local_time(iso_text: str, tz: tzinfo | None = None) -> str:
    try:
        return f"{parse(iso_text).astimezone(tz):%Y-%m-%d %H:%M:%S}"
    except ValueError:
        return iso_text


def details(entry: AuditEntry) -> str:
    """Before → after in one line; the full text is in the tooltip."""

    def short(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    if entry.before is not None and entry.after is not None:
        return f"{short(entry.before)} → {short(entry.after)}"
    if entry.after is not None:
        return short(entry.after)
    return "" if entry.before is None else f"was {short(entry.before)}"


class AuditModel(HeaderedTableModel):
    """Reads through the audit service, so a person without the right sees nothing at all."""

    headers = HEADERS

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._tz = desk.tz  # read once, never while painting
        self._filters = AuditFilter()
        self._rows: list[AuditEntry] = []
        self.total = desk.audit.count(self._filters)  # raises PermissionDenied for staff
        self._fetch()

    @property
    def filters(self) -> AuditFilter:
        return self._filters

    def set_filters(self, filters: AuditFilter) -> None:
        self.beginResetModel()
        self._tz = self._desk.tz
        self._filters = filters
        self._rows = []
        self.total = self._desk.audit.count(filters)
        self._fetch()
        self.endResetModel()

    def _fetch(self) -> list[AuditEntry]:
        page = self._desk.audit.entries(self._filters, limit=PAGE, offset=len(self._rows))
        self._rows.extend(page)
        return page

    def entry(self, row: int) -> AuditEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- Qt model ------------------------------------------------------------------------------
    def row_total(self) -> int:
        return len(self._rows)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        page = self._desk.audit.entries(self._filters, limit=PAGE, offset=len(self._rows))
        if not page:
            self.total = len(self._rows)  # rows went away meanwhile (a restore)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None or not 0 <= index.column() < len(HEADERS):
            return None
        if role == ID_ROLE:
            return entry.id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        column = index.column()
        if column == 0:
            return local_time(entry.at, self._tz)
        if column == 1:
            if entry.staff_name:
                return entry.staff_name
            return "Unknown" if entry.staff_id is None else f"#{entry.staff_id}"
        if column == 2:
            return entry.action.replace("_", " ")
        if column == 3:
            return entry.entity if entry.entity_id is None else f"{entry.entity} #{entry.entity_id}"
        if column == 4:
            text = details(entry)
            if role == Qt.ItemDataRole.DisplayRole and len(text) > 120:
                return text[:119] + "…"
            return text
        return entry.source
