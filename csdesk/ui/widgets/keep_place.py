"""A list that refreshes under someone's eyes (a write here or at another counter) keeps its
place: the same row chosen (found by what it is, not where it was), the same scroll position,
and as many rows loaded as before, so a lazy list does not shrink back to its first page."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QAbstractItemView

MAX_ROWS = 2000  # a refresh loads at most this many rows back to find the chosen one


def keep_place(
    view: QAbstractItemView, key: Callable[[int], Hashable | None]
) -> Callable[[], None]:
    """Remember `view`'s place before its model reloads; call the result afterwards.
    `key(row)`: what the row is (an id), None for a row that is not there."""
    model = view.model()
    current = view.currentIndex()
    chosen = key(current.row()) if current.isValid() else None
    column = current.column() if current.isValid() else 0
    loaded = model.rowCount()
    scroll = view.verticalScrollBar().value()

    def restore() -> None:
        root = QModelIndex()
        while model.rowCount() < min(loaded, MAX_ROWS) and model.canFetchMore(root):
            before = model.rowCount()
            model.fetchMore(root)
            if model.rowCount() == before:
                break
        if chosen is not None:
            found = next((r for r in range(model.rowCount()) if key(r) == chosen), None)
            if found is not None:
                # select without scrolling to it: the scroll position is put back just after
                view.selectionModel().setCurrentIndex(
                    model.index(found, column),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
        view.verticalScrollBar().setValue(scroll)

    return restore
