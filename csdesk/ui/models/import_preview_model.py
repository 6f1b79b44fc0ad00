"""What an import would do, row by row: the preview table of the import dialog.

The service built the plan (its items on disk, a page at a time); the model shows it a page at a
time so a 100,000-row file does not make the view lay out every row, and filters by action on the
plan's in-memory list of actions: it holds positions, never the items themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from csdesk.services.importing import Plan, PlanItem
from csdesk.ui.models.roles import ID_ROLE
from csdesk.ui.models.table_base import HeaderedTableModel

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Row", "What happens", "Name", "Why")
ACTION_TEXT = {
    "create": "New",
    "update": "Update",
    "unchanged": "Up to date",
    "skip": "Skipped",
}
ACTION_COLOURS = {"create": "#1b7a3d", "update": "#1f5fa8", "skip": "#a8321f", "unchanged": "#666666"}
PAGE = 500


def why(item: PlanItem) -> str:
    return "; ".join(x for x in (item.reason, *item.warnings) if x)


class ImportPreviewModel(HeaderedTableModel):
    headers = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._plan: Plan | None = None
        self._rows: Sequence[int] = ()  # the filtered rows: their positions in the plan
        self._shown = 0  # how many of them the view has fetched
        self._action: str | None = None
        self._limit: int | None = None  # a plan still being made: only its first rows are final

    @property
    def plan(self) -> Plan | None:
        return self._plan

    @property
    def action_filter(self) -> str | None:
        return self._action

    def set_plan(self, plan: Plan | None, *, limit: int | None = None) -> None:
        """Show `plan`; with `limit`, only its first `limit` items (a preview still planning the
        rest of the file hands over its first page: the items after it are still being made)."""
        self._plan = plan
        self._limit = limit
        self._refilter()

    @property
    def partial(self) -> bool:
        """Only the first rows of a plan still being made are shown."""
        return self._limit is not None

    def set_filter(self, action: str | None) -> None:
        """Show only rows with this action (create, update, unchanged, skip), or all with None."""
        self._action = action
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        rows: Sequence[int] = self._plan.items.positions(self._action) if self._plan else ()
        if self._limit is not None:
            limit = self._limit
            rows = range(min(limit, len(rows))) if self._action is None else [p for p in rows if p < limit]
        self._rows = rows
        self._shown = min(PAGE, len(self._rows))
        self.endResetModel()

    def item(self, row: int) -> PlanItem | None:
        if self._plan is None or not 0 <= row < self._shown:
            return None
        return self._plan.items[self._rows[row]]

    def total(self) -> int:
        """Rows matching the filter, fetched or not."""
        return len(self._rows)

    # -- lazy paging -----------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = min(PAGE, len(self._rows) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    # -- the table ------------------------------------------------------------------------------
    def row_total(self) -> int:
        return self._shown

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        item = self.item(index.row())
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(item.line)
            if column == 1:
                return ACTION_TEXT.get(item.action, item.action)
            if column == 2:
                return item.name
            if column == 3:
                return why(item)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QBrush(QColor(ACTION_COLOURS.get(item.action, "#000000")))
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return why(item) or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Row {item.line}: {ACTION_TEXT.get(item.action, item.action)}, {item.name}. {why(item)}"
        if role == ID_ROLE:
            return item.customer_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
