"""The right side: greeting, contact details and sections (Timeline, Notes, ...) of a customer."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Change, Customer
from csdesk.errors import NotFound, ServerUnavailable
from csdesk.services.desk import Desk
from csdesk.ui.models.notes_model import NotesModel
from csdesk.ui.models.timeline_model import TimelineModel
from csdesk.ui.widgets.customer_card import CustomerCard
from csdesk.ui.widgets.greeting_banner import GreetingBanner
from csdesk.ui.widgets.notes_panel import NotesPanel
from csdesk.ui.widgets.timeline_view import TimelinePanel

log = logging.getLogger(__name__)

EMPTY_TEXT = "Find a customer on the left,\nor press Ctrl+N to add someone new."


class CustomerView(QStackedWidget):
    """Later features add their own tab with `add_section(widget, title)`."""

    edit_requested = Signal()
    customer_changed = Signal(object)  # Customer | None

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerView")
        self._desk = desk
        self._customer: Customer | None = None
        self._customer_id_shown: int | None = None

        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.banner = GreetingBanner()
        self.card = CustomerCard(desk.region)
        self.card.edit_requested.connect(self.edit_requested)
        self.card.setMinimumWidth(260)
        self.card.setMaximumWidth(340)

        # One timeline (visits, calls, notes, issues, letters) took the place of the visit history.
        self.timeline_model = TimelineModel(desk, self)
        self.notes_model = NotesModel(desk, self)
        self.timeline = TimelinePanel(self.timeline_model)
        self.notes = NotesPanel(self.notes_model)
        self.sections = QTabWidget()
        self.sections.setObjectName("customerSections")
        self.sections.setAccessibleName("Customer sections")
        self.sections.setDocumentMode(True)
        self.sections.tabBar().setObjectName("customerSectionTabs")
        self.sections.tabBar().setAccessibleName("Customer sections")
        self.add_section(self.timeline, "Timeline")
        self.add_section(self.notes, "Notes")

        lower = QHBoxLayout()
        lower.setSpacing(24)
        # The card takes the height there is; its values scroll when they need more.
        lower.addWidget(self.card)
        lower.addWidget(self.sections, 1)

        page = QWidget()
        page.setObjectName("customerPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 16, 16, 16)
        layout.setSpacing(18)
        layout.addWidget(self.banner)
        layout.addLayout(lower, 1)

        self.addWidget(self.empty)
        self.addWidget(page)
        self.page = page

    @property
    def customer(self) -> Customer | None:
        return self._customer

    def add_section(self, widget: QWidget, title: str) -> int:
        return self.sections.addTab(widget, title)

    def show_customer(self, customer_id: int | None) -> None:
        try:
            self._show(customer_id)
        except ServerUnavailable as exc:
            # The server is away (the window's outage line says so): what is on screen stays
            # as it was; when it is back the view is loaded anew (ui/features/outage.py).
            log.info("customer view not refreshed, the server is away: %s", exc)

    def _show(self, customer_id: int | None) -> None:
        customer = None
        if customer_id is not None:
            try:
                customer = self._desk.customers.get(customer_id)
            except NotFound:
                customer = None  # erased meanwhile: fall back to the empty state
        self._customer = customer
        if customer is None or self._customer_id_shown != customer.id:
            self.timeline.reset_filter()  # a new person starts from everything
        self._customer_id_shown = customer.id if customer else None
        self.timeline_model.set_customer(customer.id if customer else None)
        self.notes_model.set_customer(customer.id if customer else None)
        self.sections.setTabText(
            1, f"Notes ({self.notes_model.rowCount()})" if customer else "Notes"
        )
        self._refresh_header()
        self.setCurrentWidget(self.page if customer else self.empty)
        self.customer_changed.emit(customer)

    def _refresh_header(self) -> None:
        customer = self._customer
        self.card.show_customer(customer)
        if customer is None:
            self.banner.show_greeting(None)
            return
        # Open issues stay out of the sentence: the Issues feature shows them under it, in colour.
        self.banner.show_greeting(
            self._desk.greetings.for_customer(customer.id, open_issues=(), customer=customer)
        )

    def on_change(self, change: Change) -> None:
        """Refresh only when the change touches the customer on screen (here or at another
        counter): the same tab, the same line chosen, the same scroll position afterwards."""
        if self._customer is None:
            return
        mine = self._customer.id
        if (
            change.customer_id == mine
            or (change.kind == "customer" and (mine in change.ids or not change.ids))
            or change.kind == "restore"
        ):
            kept = [_keep(panel.list) for panel in (self.timeline, self.notes)]
            self.show_customer(self._customer.id)
            for restore in kept:
                restore()


def _keep(view: QListView) -> Callable[[], None]:
    """Remember a list's chosen row (by what it shows) and scroll; return how to put them back."""
    model = view.model()
    current = view.currentIndex()
    shown = model.data(current, Qt.ItemDataRole.DisplayRole) if current.isValid() else None
    row = current.row()
    scroll = view.verticalScrollBar().value()

    def restore() -> None:
        if shown is not None:
            rows = model.rowCount()
            found = next(
                (r for r in range(min(rows, max(row + 50, 200)))
                 if model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole) == shown),
                None,
            )
            if found is not None:
                view.setCurrentIndex(model.index(found, 0))
        view.verticalScrollBar().setValue(scroll)

    return restore
