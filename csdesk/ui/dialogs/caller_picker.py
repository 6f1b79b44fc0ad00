"""Several customers share the calling number: pick the one on the line (Enter picks).

When another counter is already taking a call (live presence: services.live.calls_elsewhere),
the picker says so in one calm line, and marks the customer open there: the phone may have rung at
every counter and someone else has it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import SearchHit
from csdesk.services.live import Presence

ID_ROLE = int(Qt.ItemDataRole.UserRole)


class CallerPicker(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        number: str,
        hits: list[SearchHit],
        elsewhere: Sequence[Presence] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("callerPicker")
        self.setAccessibleName("Who is calling?")
        self.setWindowTitle(f"Call from {number}")
        self.choice: int | None = None
        intro = QLabel(f"{len(hits)} customers have the number <b>{number}</b>. Who is calling?")
        intro.setObjectName("callerPickerIntro")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("callerList")
        self.list.setAccessibleName("Customers with this number")
        names = {hit.customer_id: hit.display_name for hit in hits}
        self.elsewhere = QLabel(
            "\n".join(_elsewhere_line(p, names.get(p.customer_id or 0)) for p in elsewhere)
        )
        self.elsewhere.setObjectName("callsElsewhere")
        self.elsewhere.setAccessibleName("Calls being taken at other counters")
        self.elsewhere.setWordWrap(True)
        self.elsewhere.setProperty("tone", "muted")
        self.elsewhere.setVisible(bool(elsewhere))
        taken = {p.customer_id: p for p in elsewhere if p.customer_id is not None}
        for hit in hits:
            there = taken.get(hit.customer_id)
            extra = " · ".join(
                x for x in (
                    f"on a call at {there.computer or 'another counter'}" if there else "",
                    hit.email,
                    f"last visit {hit.last_visit[:10]}" if hit.last_visit else "",
                ) if x
            )  # fmt: skip
            item = QListWidgetItem(f"{hit.display_name}\n{extra}" if extra else hit.display_name)
            item.setData(ID_ROLE, hit.customer_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.pick())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        open_button.setObjectName("openCallerButton")
        open_button.setAccessibleName("Open the selected customer")
        open_button.setDefault(True)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelCallerButton")
        cancel.setAccessibleName("Close without opening anyone")
        buttons.accepted.connect(self.pick)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addWidget(self.elsewhere)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(480, 320)
        self.list.setFocus()

    def pick(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.choice = int(item.data(ID_ROLE))
            self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        number: str,
        hits: list[SearchHit],
        elsewhere: Sequence[Presence] = (),
    ) -> int | None:
        """The chosen customer's id, or None when closed."""
        dialog = cls(parent, number, hits, elsewhere)
        dialog.exec()
        return dialog.choice


def _elsewhere_line(presence: Presence, customer: str | None) -> str:
    who = presence.staff_name or "Someone"
    where = presence.computer or "another counter"
    if customer:
        return f"{who} is already on a call with {customer} at {where}."
    return f"{who} is already taking a call at {where}."
