"""The list behind an Insights bar, cell or table row. Enter opens the customer; Esc goes back."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csdesk.services.insight_lists import Listing
from csdesk.ui.models.insight_models import ListingModel


def table_view(name: str) -> QTableView:
    """A read-only, row-at-a-time table as the Insights view uses them."""
    view = QTableView()
    view.setObjectName(name)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


class ListDialog(QDialog):
    customer_requested = Signal(int)

    def __init__(self, listing: Listing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.listing = listing
        self.setObjectName("insightList")
        self.setWindowTitle(listing.title)
        layout = QVBoxLayout(self)
        if listing.items:
            said = f"{listing.title}: {listing.said}. Enter opens the customer."
        else:
            said = f"{listing.title}: none."
        self.label = QLabel(said)
        self.label.setObjectName("insightListLabel")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.model = ListingModel(listing, self)
        self.view = table_view("insightListTable")
        self.view.setAccessibleName(listing.title)
        self.view.setModel(self.model)
        self.view.activated.connect(self._open)
        layout.addWidget(self.view)
        self.resize(760, 420)
        if listing.items:
            self.view.setCurrentIndex(self.model.index(0, 0))
        self.view.setFocus()

    def _open(self, index: QModelIndex) -> None:
        customer = self.model.item(index.row()).customer_id
        if customer is not None:
            self.customer_requested.emit(customer)
            self.accept()
