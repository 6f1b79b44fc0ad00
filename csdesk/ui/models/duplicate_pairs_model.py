"""Likely duplicate pairs: who would be kept, who merged into them, and why they look alike.

The service caps the list (200 pairs by default), so the model holds it whole.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from csdesk.services.duplicates import DuplicatePair
from csdesk.ui.models.roles import ID_ROLE
from csdesk.ui.models.table_base import HeaderedTableModel

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Customer", "Probably the same as", "Why")


class DuplicatePairsModel(HeaderedTableModel):
    headers = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._pairs: list[DuplicatePair] = []

    def set_pairs(self, pairs: list[DuplicatePair]) -> None:
        self.beginResetModel()
        self._pairs = list(pairs)
        self.endResetModel()

    def pair(self, row: int) -> DuplicatePair | None:
        return self._pairs[row] if 0 <= row < len(self._pairs) else None

    def drop_customer(self, customer_id: int) -> None:
        """A merged-away customer: every pair that mentions them is gone."""
        for row in range(len(self._pairs) - 1, -1, -1):
            p = self._pairs[row]
            if customer_id in (p.keep_id, p.other_id):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._pairs[row]
                self.endRemoveRows()

    def row_total(self) -> int:
        return len(self._pairs)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._pairs):
            return None
        p = self._pairs[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{p.keep_name}  #{p.keep_id}"
            if column == 1:
                return f"{p.other_name}  #{p.other_id}"
            if column == 2:
                return p.reason
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{p.keep_name} and {p.other_name}: {p.reason}"
        if role == ID_ROLE:
            return p.keep_id if column == 0 else p.other_id
        return None
