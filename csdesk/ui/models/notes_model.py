"""A customer's personal notes, pinned first (the service orders them)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from csdesk.domain import Note
from csdesk.services.desk import Desk
from csdesk.ui.models.roles import EMPHASIS_ROLE, ID_ROLE, SECONDARY_ROLE
from csdesk.ui.models.search_model import when

Index = QModelIndex | QPersistentModelIndex


class NotesModel(QAbstractListModel):
    """A customer has a handful of notes, so one query loads them all; reloads on change."""

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._tz = desk.tz  # read once, never while painting
        self._customer_id: int | None = None
        self._notes: list[Note] = []

    def set_customer(self, customer_id: int | None) -> None:
        self.beginResetModel()
        self._tz = self._desk.tz
        self._customer_id = customer_id
        self._notes = [] if customer_id is None else self._desk.notes.for_customer(customer_id)
        self.endResetModel()

    def reload(self) -> None:
        self.set_customer(self._customer_id)

    def note(self, row: int) -> Note | None:
        return self._notes[row] if 0 <= row < len(self._notes) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._notes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._notes):
            return None
        note = self._notes[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return note.body
        if role == SECONDARY_ROLE:
            parts = ["Pinned"] if note.pinned else []
            if note.read_before_serving:
                parts.append("Read before serving")
            parts += [note.kind.label, when(note.created_at, tz=self._tz)]
            return "  ·  ".join(p for p in parts if p)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{note.body}. {'Pinned. ' if note.pinned else ''}{note.kind.label}"
        if role == ID_ROLE:
            return note.id
        if role == EMPHASIS_ROLE:
            return note.pinned
        return None
