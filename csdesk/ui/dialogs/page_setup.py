"""The shop's paper for letters: page size and margins (an admin's setting)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import CsdeskError
from csdesk.services.letters import MARGIN_MAX, MARGIN_MIN, PAGE_SIZES
from csdesk.services.rendering import PageSetup

if TYPE_CHECKING:
    from csdesk.services.desk import Desk


class PageSetupDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk) -> None:
        super().__init__(parent)
        self._desk = desk
        self.saved: PageSetup | None = None
        self.setObjectName("pageSetupDialog")
        self.setWindowTitle("Letter page setup")
        self.setMinimumWidth(380)
        self.size_box = QComboBox()
        self.size_box.setObjectName("pageSetupSize")
        self.size_box.setAccessibleName("Page size")
        self.size_box.addItems(list(PAGE_SIZES))
        self.size_box.setCurrentText(desk.letters.page_size())
        self.margin = QDoubleSpinBox()
        self.margin.setObjectName("pageSetupMargin")
        self.margin.setAccessibleName("Margins in millimetres")
        self.margin.setRange(MARGIN_MIN, MARGIN_MAX)
        self.margin.setDecimals(0)
        self.margin.setSuffix(" mm")
        self.margin.setValue(desk.letters.margins_mm())
        self.hint = QLabel("Used for every new letter; reprints keep the paper they were sent on.")
        self.hint.setWordWrap(True)
        self.hint.setProperty("tone", "muted")
        self.error = QLabel()
        self.error.setObjectName("pageSetupError")
        self.error.setAccessibleName("Problem")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("QLabel { color: #8a1c12; }")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("pageSetupButtons")
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("pageSetupSave")
        self.save_button.setAccessibleName("Save the page setup")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Page size", self.size_box)
        form.addRow("Margins", self.margin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        size, margin = self.size_box.currentText(), float(self.margin.value())
        try:
            self._desk.letters.set_page_setup(size, margin)
        except CsdeskError as exc:  # e.g. not an admin: say so and stay open
            self.error.setText(str(exc))
            self.error.show()
            self.adjustSize()  # make room for the message instead of squeezing the fields
            return
        self.saved = PageSetup(size, margin)
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk) -> PageSetup | None:
        dialog = cls(parent, desk)
        dialog.exec()
        return dialog.saved
