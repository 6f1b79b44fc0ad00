"""Table models for the Insights view: the numbers behind each chart (services/insight_tables.py)
and the lists a bar or a cell opens."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from csdesk.services.insight_data import heat_colour, heat_ink
from csdesk.services.insight_lists import Listing, ListItem
from csdesk.services.insight_tables import Table, cell_text
from csdesk.ui.models.table_base import HeaderedTableModel, Index

CUSTOMER_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class InsightTableModel(HeaderedTableModel):
    """One chart's numbers. For the heat map ('heat') the cells are coloured like the chart."""

    def __init__(self, parent: QObject | None = None, *, dark: bool = False) -> None:
        super().__init__(parent)
        self._table: Table | None = None
        self._dark = dark
        self._top = 0

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self._table = table
        self.headers = table.columns
        if table.key == "heat":
            self._top = max((int(v) for row in table.rows for v in row[1:] if v), default=0)
        self.endResetModel()

    @property
    def table(self) -> Table | None:
        return self._table

    def row_total(self) -> int:
        return len(self._table.rows) if self._table else 0

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._table is None:
            return None
        value = self._table.rows[index.row()][index.column()]
        heat = self._table.key == "heat" and index.column() > 0
        if role == Qt.ItemDataRole.DisplayRole:
            if heat and not value:
                return ""
            return cell_text(value)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.headers[index.column()]}: {cell_text(value)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if heat and role == Qt.ItemDataRole.BackgroundRole:
            return QColor(heat_colour(int(value or 0), self._top, dark=self._dark))
        if heat and role == Qt.ItemDataRole.ForegroundRole:
            return QColor(heat_ink(int(value or 0), self._top, dark=self._dark))
        return None


class ListingModel(HeaderedTableModel):
    """The list behind a bar, a cell or a table row (services/insight_lists.py Listing): visits,
    new customers, issues, goodwill or follow-ups, one shape for all. Enter opens the customer."""

    headers = ("When", "Customer", "What", "Staff", "Detail")

    def __init__(self, listing: Listing | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ListItem] = listing.items if listing else []
        self._with_day = listing.with_day if listing else True

    def row_total(self) -> int:
        return len(self._items)

    def item(self, row: int) -> ListItem:
        return self._items[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role == CUSTOMER_ID_ROLE:
            return item.customer_id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        when = f"{item.at:%a %d %b %H:%M}" if self._with_day else f"{item.at:%H:%M}"
        if item.at.fold:
            when += " (2nd)"  # the hour clocks went back over
        return (when, item.customer or "(anonymous)", item.what, item.who, item.detail)[
            index.column()]
