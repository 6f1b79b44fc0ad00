"""'This may be someone you already have': open them instead, or save anyway."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.services.customers import Duplicate

SAVE_ANYWAY = -1


class DuplicateWarning(QDialog):
    def __init__(self, parent: QWidget | None, duplicates: list[Duplicate]) -> None:
        super().__init__(parent)
        self.setObjectName("duplicateWarning")
        self.setAccessibleName("Possible duplicate customer")
        self.setWindowTitle("Already a customer?")
        self.choice: int | None = None
        intro = QLabel("This may be someone you already have:")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("duplicateList")
        self.list.setAccessibleName("Customers who may be the same person")
        for dup in duplicates:
            item = QListWidgetItem(f"{dup.display_name} {dup.reason}")
            item.setData(256, dup.customer_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        first = duplicates[0].display_name if duplicates else ""
        self.open_button = QPushButton(
            f"Open {first} instead" if len(duplicates) == 1 else "Open selected instead"
        )
        self.open_button.setObjectName("openExistingButton")
        self.open_button.setAccessibleName("Open the existing customer instead")
        self.open_button.setDefault(True)
        self.save_button = QPushButton("Save anyway")
        self.save_button.setObjectName("saveAnywayButton")
        self.save_button.setAccessibleName("Save as a new customer anyway")
        self.back_button = QPushButton("Back to the form")
        self.back_button.setObjectName("backToFormButton")
        self.back_button.setAccessibleName("Back to the form")
        buttons = QDialogButtonBox()
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(self._open)
        self.save_button.clicked.connect(self._save)
        self.back_button.clicked.connect(self.reject)
        self.list.itemActivated.connect(lambda _i: self._open())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(560, 280)

    def _open(self) -> None:
        item = self.list.currentItem() or self.list.item(0)
        if item is not None:
            self.choice = int(item.data(256))
            self.accept()

    def _save(self) -> None:
        self.choice = SAVE_ANYWAY
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, duplicates: list[Duplicate]) -> int | None:
        """A customer id to open instead, SAVE_ANYWAY, or None to go back to the form."""
        dialog = cls(parent, duplicates)
        dialog.exec()
        return dialog.choice
