"""Help → Keyboard shortcuts (F1): every key the window knows, in two columns."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None, table_html: str) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setAccessibleName("Keyboard shortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QLabel(table_html)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setTextFormat(Qt.TextFormat.RichText)
        self.table.setWordWrap(True)
        # Wide enough that no description wraps: a message box squeezed them into 940 px tall.
        self.table.setMinimumWidth(860)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("shortcutsButtons")
        buttons.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, table_html: str) -> None:
        cls(parent, table_html).exec()
