"""The outbox as a table: state, to whom, what, when, and what went wrong. Reads through the
outbox service (newest first, bodies left out); `reload()` after a change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from csdesk.services.clock import parse
from csdesk.ui.models.table_base import HeaderedTableModel, Index

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

STATE_LABELS = {
    "queued": "Queued", "sending": "Sending", "sent": "Sent", "failed": "Failed",
    "cancelled": "Cancelled",
}


class OutboxModel(HeaderedTableModel):
    headers = ("State", "To", "Subject", "When", "Tries", "What happened")

    def __init__(self, desk: Desk, parent: QObject | None = None, *, limit: int = 500) -> None:
        super().__init__(parent)
        self._desk = desk
        self._limit = limit
        self._rows: list[dict[str, Any]] = []
        self._states: list[str] | None = None

    def set_states(self, states: list[str] | None) -> None:
        self._states = states
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._desk.outbox.listing(states=self._states, limit=self._limit)
        self.endResetModel()

    def row_total(self) -> int:
        return len(self._rows)

    def row(self, index: int) -> dict[str, Any] | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.UserRole:
            return r["id"]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return STATE_LABELS.get(r["state"], r["state"])
            if column == 1:
                return r["to_address"]
            if column == 2:
                return r["subject"] + (f"  (📎 {r['attachment_name']})" if r["attachment_name"] else "")
            if column == 3:
                moment = r["sent_at"] or r["created_at"]
                return parse(moment).astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""
            if column == 4:
                return str(r["attempts"])
            if column == 5:
                return "" if r["state"] == "sent" else r["last_error"]
        if role == Qt.ItemDataRole.ForegroundRole and column == 0 and r["state"] == "failed":
            from PySide6.QtGui import QColor

            return QColor("#b3261e")
        return None
