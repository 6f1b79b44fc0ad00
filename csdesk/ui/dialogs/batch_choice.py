"""Before a batch: which template, one PDF or one per customer, which paper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.services.letters import PAGE_SIZES

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

DEFAULT_TEMPLATE = "thank_you.html.j2"


@dataclass(frozen=True)
class BatchChoice:
    template: str
    per_customer: bool  # True: a folder with one PDF per customer; False: one PDF for all
    page_size: str


class BatchChoiceDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, count: int) -> None:
        super().__init__(parent)
        self.setObjectName("batchChoiceDialog")
        self.setWindowTitle("Letters for follow-ups due today")
        self.setMinimumWidth(480)
        noun = "customer has" if count == 1 else "customers have"
        text = f"{count} {noun} a follow-up due today or overdue."
        if count == 0:
            text = "Nobody has a follow-up due today, so there are no letters to write."
        self.intro = QLabel(text)
        self.intro.setObjectName("batchChoiceIntro")
        self.intro.setWordWrap(True)
        self.template = QComboBox()
        self.template.setObjectName("batchTemplate")
        self.template.setAccessibleName("Letter template")
        for info in desk.letters.templates():
            self.template.addItem(info.title + ("  (yours)" if info.user else ""), info.name)
        # Alphabetical order would put the apology first; a follow-up is most often a thank-you.
        self.template.setCurrentIndex(max(0, self.template.findData(DEFAULT_TEMPLATE)))
        self.one_pdf = QRadioButton("One PDF with every letter (to print in one go)")
        self.one_pdf.setObjectName("batchOnePdf")
        self.one_pdf.setAccessibleName("One PDF with every letter")
        self.per_customer = QRadioButton("One PDF per customer, in a folder (to e-mail)")
        self.per_customer.setObjectName("batchPerCustomer")
        self.per_customer.setAccessibleName("One PDF per customer")
        self.one_pdf.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.one_pdf)
        group.addButton(self.per_customer)
        self.page_size = QComboBox()
        self.page_size.setObjectName("batchPageSize")
        self.page_size.setAccessibleName("Page size")
        self.page_size.addItems(list(PAGE_SIZES))
        self.page_size.setCurrentText(desk.letters.page_size())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("batchChoiceButtons")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Write letters…")
        ok.setObjectName("batchChoiceOk")
        ok.setAccessibleName("Write the letters")
        ok.setEnabled(count > 0 and self.template.count() > 0)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Template", self.template)
        form.addRow("Page size", self.page_size)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.one_pdf)
        layout.addWidget(self.per_customer)
        layout.addWidget(self.buttons)

    def choice(self) -> BatchChoice:
        return BatchChoice(
            str(self.template.currentData()),
            self.per_customer.isChecked(),
            self.page_size.currentText(),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk, count: int) -> BatchChoice | None:
        dialog = cls(parent, desk, count)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()
