"""A customer's visits, newest first, fetched a page at a time as the view scrolls."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from csdesk.domain import Visit
from csdesk.services.desk import Desk
from csdesk.ui.models.search_model import when

Index = QModelIndex | QPersistentModelIndex

PAGE = 50
COLUMNS = ("Date", "How", "What happened", "Outcome")


class VisitHistoryModel(QAbstractTableModel):
    """Lazy: holds the pages scrolled so far; fetchMore asks the service for the next one."""

    def __init__(self, desk: Desk, parent: Any = None, *, page: int = PAGE) -> None:
        super().__init__(parent)
        self._desk = desk
        self._page = page
        self._customer_id: int | None = None
        self._visits: list[Visit] = []
        self._total = 0
        self._fetching = False  # views and testers may ask again while rows are being inserted

    @property
    def customer_id(self) -> int | None:
        return self._customer_id

    @property
    def total(self) -> int:
        return self._total

    def set_customer(self, customer_id: int | None) -> None:
        self._fetching = True  # listeners of modelReset must not fetch into a half-done reset
        self.beginResetModel()
        self._customer_id = customer_id
        self._visits = []
        if customer_id is not None:
            # the first page comes with the reset, so no view sees an empty flash
            self._total = self._desk.history.visit_count(customer_id)
            self._visits = self._desk.history.visits(customer_id, offset=0, limit=self._page)
        else:
            self._total = 0
        try:
            self.endResetModel()
        finally:
            self._fetching = False

    def reload(self) -> None:
        self.set_customer(self._customer_id)

    def visit(self, row: int) -> Visit | None:
        return self._visits[row] if 0 <= row < len(self._visits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() or self._customer_id is None or self._fetching:
            return False
        return len(self._visits) < self._total

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent) or self._customer_id is None:
            return
        more = self._desk.history.visits(
            self._customer_id, offset=len(self._visits), limit=self._page
        )
        if not more:
            self._total = len(self._visits)  # someone deleted rows meanwhile: stop asking
            return
        first = len(self._visits)
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._visits.extend(more)
            self.endInsertRows()
        finally:
            self._fetching = False

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._visits):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        visit = self._visits[index.row()]
        column = index.column()
        if column == 0:
            return when(visit.at)
        if column == 1:
            return visit.channel.label
        if column == 2:
            return visit.purpose or "—"
        if column == 3:
            return visit.outcome
        return None
