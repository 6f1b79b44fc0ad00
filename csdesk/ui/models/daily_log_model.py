"""The daily log's events in time order, fetched a page at a time as the view scrolls."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from csdesk.services.desk import Desk
from csdesk.services.reports import LogEvent, ReportRange, long_day

Index = QModelIndex | QPersistentModelIndex

PAGE = 200
COLUMNS = ("Time", "What", "Customer", "Staff", "Summary", "Status")
CUSTOMER_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class DailyLogModel(QAbstractTableModel):
    """Lazy: holds the pages scrolled so far; fetchMore asks the report service for more."""

    def __init__(self, desk: Desk, parent: Any = None, *, page: int = PAGE) -> None:
        super().__init__(parent)
        self._desk = desk
        self._page = page
        self._range: ReportRange | None = None
        self._events: list[LogEvent] = []
        self._total = 0
        self._long_times = False
        self._fetching = False

    @property
    def total(self) -> int:
        return self._total

    @property
    def range(self) -> ReportRange | None:
        return self._range

    def set_range(self, rng: ReportRange | None) -> None:
        self._fetching = True
        self.beginResetModel()
        self._range = rng
        self._events = []
        self._total = 0
        if rng is not None:
            self._total = self._desk.reports.count(rng)
            self._events = self._desk.reports.page(rng, 0, self._page)
            self._long_times = rng.spans_days
        try:
            self.endResetModel()
        finally:
            self._fetching = False

    def reload(self) -> None:
        self.set_range(self._range)

    def log_event(self, row: int) -> LogEvent | None:
        return self._events[row] if 0 <= row < len(self._events) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() or self._range is None or self._fetching:
            return False
        return len(self._events) < self._total

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent) or self._range is None:
            return
        more = self._desk.reports.page(self._range, len(self._events), self._page)
        if not more:
            self._total = len(self._events)
            return
        first = len(self._events)
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._events.extend(more)
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
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        if role == CUSTOMER_ID_ROLE:
            return event.customer_id
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 4:
                return event.summary
            return f"{long_day(event.at)}, {event.at:%H:%M:%S} (UTC{event.at:%z})"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return event.time_label(self._long_times)
        if column == 1:
            return event.kind_label
        if column == 2:
            return event.customer_name
        if column == 3:
            return event.staff_where  # "Anna · Counter 2"
        if column == 4:
            first, _, rest = event.summary.partition("\n")
            return f"{first} …" if rest else first
        if column == 5:
            return event.status.replace("_", " ")
        return None
