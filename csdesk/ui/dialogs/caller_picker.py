"""Several customers share the calling number: pick the one on the line (Enter picks)."""

from __future__ import annotations

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

ID_ROLE = int(Qt.ItemDataRole.UserRole)


class CallerPicker(QDialog):
    def __init__(self, parent: QWidget | None, number: str, hits: list[SearchHit]) -> None:
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
        for hit in hits:
            extra = " · ".join(
                x for x in (hit.email, f"last visit {hit.last_visit[:10]}" if hit.last_visit else "") if x
            )
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
    def ask(cls, parent: QWidget | None, number: str, hits: list[SearchHit]) -> int | None:
        """The chosen customer's id, or None when closed."""
        dialog = cls(parent, number, hits)
        dialog.exec()
        return dialog.choice
