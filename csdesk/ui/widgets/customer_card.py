"""Contact details: every phone with its label, e-mail, birthday, company, address."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(10)
        layout.addWidget(self.name)
        layout.addLayout(self.form)
        layout.addLayout(below)

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
        shown = WrappedValue(value, soft_breaks="@." if key == "email" else "")
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
