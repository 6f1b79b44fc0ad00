"""Contact details: every phone with its label, e-mail, birthday, company, address."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Customer
from csdesk.services import phone as phone_rules
from csdesk.services.formatting import format_date
from csdesk.ui.widgets.wrapped_value import WrappedValue


def pretty_birthday(value: str) -> str:
    """'1984-03-07' -> '7 March 1984'; '--03-07' -> '7 March'."""
    return format_date(value)


class CardScroll(QScrollArea):
    """Holds the name and the values. It asks for their whole height (all their wrapped lines)
    and, when the window has less room, shows a scroll bar instead of clipping: squeezed into
    a fixed height, the values lost their last lines with no sign ("maria.angeles" for a long
    e-mail address at 1024x640), and staff read out what was left."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self._content = content
        self.setObjectName("customerCardScroll")
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # Not a Tab stop: Tab still goes from the search to what can be done, as before.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.viewport().setAutoFillBackground(False)
        content.setAutoFillBackground(False)
        self.setStyleSheet("QScrollArea#customerCardScroll { background: transparent; }")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        content.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._content and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # rows came or went: the card asks for a new height
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:
        # QScrollArea's own hint is capped at 24 lines and cached: this is the content's real
        # height at the width it will have, so a card with room shows everything unscrolled.
        content = self._content
        width = max(1, self.viewport().width() if self.isVisible() else content.sizeHint().width())
        return QSize(content.sizeHint().width(), content.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        # About two value lines: enough to see that the rest is one scroll away.
        return QSize(0, 2 * self.fontMetrics().lineSpacing())


class CustomerCard(QWidget):
    edit_requested = Signal()

    def __init__(self, region: str = "US", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerCard")
        self._region = region
        self.name = QLabel()
        self.name.setObjectName("customerName")
        self.name.setAccessibleName("Customer name")
        self.name.setProperty("tone", "sectionTitle")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton("Edit details")
        self.edit_button.setObjectName("editCustomerButton")
        self.edit_button.setAccessibleName("Edit customer details")
        self.edit_button.setToolTip("Edit this customer (Ctrl+E)")
        self.edit_button.clicked.connect(self.edit_requested)

        below = QHBoxLayout()
        below.setContentsMargins(0, 8, 0, 0)
        below.addWidget(self.edit_button)
        below.addStretch(1)

        self.form = QFormLayout()
        self.form.setHorizontalSpacing(18)
        self.form.setVerticalSpacing(8)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

        content = QWidget()
        content.setObjectName("customerCardValues")
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(10)
        inner.addWidget(self.name)
        inner.addLayout(self.form)
        inner.addStretch(1)
        self.values_scroll = CardScroll(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(10)
        layout.addWidget(self.values_scroll)
        # Outside the scroll: Edit stays on screen however many values there are.
        layout.addLayout(below)
        layout.addStretch(1)

    def show_customer(self, customer: Customer | None) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        if customer is None:
            self.name.setText("")
            self.edit_button.setEnabled(False)
            return
        self.edit_button.setEnabled(True)
        self.name.setText(customer.display_name)
        for phone in customer.phones:
            shown = phone_rules.pretty(phone.e164, self._region) if phone.e164 else phone.raw
            self._row(phone.label.capitalize() or "Phone", shown, "phone")
        self._row("E-mail", customer.email, "email")
        for other in customer.other_emails:
            kind = {"work": "Work", "home": "Home"}.get(other.label, "Other")
            self._row(f"{kind} e-mail", other.address, "email")
        self._row(
            "Birthday", pretty_birthday(customer.birthday) if customer.birthday else "", "birthday"
        )
        self._row("Company", customer.company, "company")
        self._row("Address", customer.address, "address")
        if not customer.phones and not customer.email:
            self._row("Contact", "No phone or e-mail yet", "none")

    def _row(self, label: str, value: str, key: str) -> None:
        if not value:
            return
        caption = QLabel(label)
        caption.setProperty("tone", "muted")
        # Takes the width the card gives (at most 340 px) and wraps in it, inside a word too:
        # asking for the one-line width let a long value (a company, an address) run past the
        # card's edge, and an e-mail address is one word a QLabel cannot break.
        shown = WrappedValue(value)
        shown.setObjectName(f"card_{key}_{self.form.rowCount()}")
        shown.setAccessibleName(f"{label}: {value}")
        self.form.addRow(caption, shown)

    def values(self) -> list[tuple[str, str]]:
        """(label, value) pairs as shown, for tests and screen readers."""
        pairs = []
        for row in range(self.form.rowCount()):
            label = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label and field:
                lw, fw = label.widget(), field.widget()
                if isinstance(lw, QLabel) and isinstance(fw, WrappedValue):
                    pairs.append((lw.text(), fw.text()))
        return pairs
