"""Erasing a customer cannot be undone: the admin types the customer's name to confirm."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.services.text import fold


def same_name(typed: str, name: str) -> bool:
    """Forgiving about case, accents and spaces; strict about the name itself."""
    return bool(typed.strip()) and fold(" ".join(typed.split())) == fold(" ".join(name.split()))


class EraseDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eraseDialog")
        self.setAccessibleName("Erase customer")
        self.setWindowTitle("Erase customer")
        self._name = name

        title = QLabel(f"Erase {name} for good?")
        title.setProperty("tone", "sectionTitle")
        title.setWordWrap(True)
        body = QLabel(
            "Their details, phone numbers and notes leave csdesk and its search. Visits stay "
            "only as anonymous counts. This cannot be undone; older backups keep them until "
            "they rotate away.\n\nTo confirm, type the customer's name:"
        )
        body.setWordWrap(True)
        self.typed = QLineEdit()
        self.typed.setObjectName("eraseConfirmName")
        self.typed.setAccessibleName("Type the customer's name to confirm")
        self.typed.setPlaceholderText(name)
        self.typed.textChanged.connect(self._update)
        self.typed.returnPressed.connect(self._erase)

        cancel = QPushButton("Keep the customer")
        cancel.setObjectName("cancelEraseButton")
        cancel.setAccessibleName("Keep the customer")
        cancel.setDefault(True)
        cancel.clicked.connect(self.reject)
        self.erase_button = QPushButton("Erase")
        self.erase_button.setObjectName("eraseButton")
        self.erase_button.setAccessibleName("Erase the customer")
        self.erase_button.setEnabled(False)
        self.erase_button.clicked.connect(self._erase)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.erase_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addWidget(self.typed)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(520, 300)
        self.typed.setFocus()

    def _update(self) -> None:
        self.erase_button.setEnabled(same_name(self.typed.text(), self._name))

    def _erase(self) -> None:
        if self.erase_button.isEnabled():
            self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, name: str) -> bool:
        """True only when the name was typed and Erase pressed."""
        dialog = cls(name, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted
