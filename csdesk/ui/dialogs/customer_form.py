"""Add or edit a customer. Errors appear next to their field; nothing typed is ever lost."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Customer, CustomerDraft
from csdesk.errors import Conflict, CsdeskError, UserError, ValidationError
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.duplicates import SAVE_ANYWAY, DuplicateWarning
from csdesk.ui.dialogs.form_bits import FormPause
from csdesk.ui.workers import write_or_wait

PHONE_LABELS = ("mobile", "home", "work", "other")
_TEXT_FIELDS = (
    ("first_name", "First name", ""),
    ("last_name", "Last name", ""),
    ("preferred_name", "Preferred name", "What they like to be called"),
    ("pronunciation", "Say it", "How to pronounce the name, e.g. shuh-VON"),
    ("pronouns", "Pronouns", ""),
    ("email", "E-mail", "name@example.com"),
    ("birthday", "Birthday", "YYYY-MM-DD, or MM-DD without a year"),
    ("company", "Company", ""),
    ("address", "Address", ""),
)


def _error_label(key: str) -> QLabel:
    label = QLabel()
    label.setObjectName(f"error_{key}")
    label.setProperty("tone", "fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


class PhoneRow(QWidget):
    def __init__(
        self, index: int, label: str = "mobile", raw: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.label = QComboBox()
        self.label.setEditable(True)
        self.label.addItems(PHONE_LABELS)
        self.label.setCurrentText(label or "mobile")
        self.label.setObjectName(f"phoneLabel{index}")
        self.label.setAccessibleName(f"Phone {index + 1} label")
        editor = self.label.lineEdit()
        if editor is not None:  # always, since the combo is editable
            editor.setObjectName(f"phoneLabelText{index}")
            editor.setAccessibleName(f"Phone {index + 1} label")
        self.number = QLineEdit(raw)
        self.number.setObjectName(f"phone{index}")
        self.number.setAccessibleName(f"Phone {index + 1} number")
        self.number.setPlaceholderText("Phone number")
        self.remove = QToolButton()
        self.remove.setText("Remove")
        self.remove.setObjectName(f"removePhone{index}")
        self.remove.setAccessibleName(f"Remove phone {index + 1}")
        self.error = _error_label(f"phone{index}")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.number, 1)
        row.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)


def draft_from_search(text: str) -> CustomerDraft:
    """What a search that found nobody already tells us: a phone, an e-mail or a name."""
    value = " ".join(text.split())[:200]
    if not value:
        return CustomerDraft()
    if "@" in value:
        return CustomerDraft(email=value)
    if sum(ch.isdigit() for ch in value) >= 3 and all(
        ch.isdigit() or ch in "+-() ./" for ch in value
    ):
        return CustomerDraft(phones=(("mobile", value),))
    first, _, last = value.partition(" ")
    return CustomerDraft(first_name=first, last_name=last)


class CustomerForm(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        desk: Desk,
        customer: Customer | None = None,
        *,
        prefill: CustomerDraft | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customerForm")
        self.setAccessibleName("Customer details form")
        self._desk = desk
        self._customer = customer
        self.saved: Customer | None = None
        self.setWindowTitle(f"Edit {customer.display_name}" if customer else "New customer")
        draft = desk.customers.draft_of(customer) if customer else (prefill or CustomerDraft())

        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setVerticalSpacing(6)
        form.setHorizontalSpacing(16)
        for key, caption, hint in _TEXT_FIELDS:
            edit = QLineEdit(str(getattr(draft, key)))
            edit.setObjectName(key)
            edit.setAccessibleName(caption)
            edit.setPlaceholderText(hint)
            error = _error_label(key)
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.setSpacing(2)
            box_layout.addWidget(edit)
            box_layout.addWidget(error)
            form.addRow(caption, box)
            self.fields[key] = edit
            self.errors[key] = error

        self.phone_rows: list[PhoneRow] = []
        self.phones_box = QVBoxLayout()
        self.phones_box.setSpacing(6)
        self.add_phone_button = QPushButton("Add another phone")
        self.add_phone_button.setObjectName("addPhoneButton")
        self.add_phone_button.setAccessibleName("Add another phone number")
        self.add_phone_button.clicked.connect(lambda: self.add_phone_row().number.setFocus())
        phones = QWidget()
        phones_layout = QVBoxLayout(phones)
        phones_layout.setContentsMargins(0, 0, 0, 0)
        phones_layout.addLayout(self.phones_box)
        phones_layout.addWidget(self.add_phone_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.insertRow(5, "Phones", phones)
        for label, raw in draft.phones or (("mobile", ""),):
            self.add_phone_row(label, raw)

        # More addresses than the primary, one line separated by commas: labels of addresses
        # already on file are kept, new ones are "other". (Not a row editor like the phones: a
        # second address is rare at the counter; imports bring most of them.)
        self._email_label = draft.email_label
        self._email_labels = {a.casefold(): label for label, a in draft.other_emails}
        self.other_emails = QLineEdit(", ".join(a for _label, a in draft.other_emails))
        self.other_emails.setObjectName("other_emails")
        self.other_emails.setAccessibleName("Other e-mail addresses")
        self.other_emails.setPlaceholderText("More addresses, separated by commas")
        self.errors["other_emails"] = _error_label("other_emails")
        others = QWidget()
        others_layout = QVBoxLayout(others)
        others_layout.setContentsMargins(0, 0, 0, 0)
        others_layout.setSpacing(2)
        others_layout.addWidget(self.other_emails)
        others_layout.addWidget(self.errors["other_emails"])
        form.insertRow(7, "Other e-mails", others)

        self.consent = QCheckBox("Happy to receive news and offers")
        self.consent.setObjectName("marketing_consent")
        self.consent.setAccessibleName("Marketing consent")
        self.consent.setChecked(draft.marketing_consent)
        form.addRow("", self.consent)

        self.general_error = _error_label("general")
        self._pause = FormPause(self, self.general_error)  # while a save waits for a lock
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setObjectName("saveButton")
        save.setAccessibleName("Save customer")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelButton")
        cancel.setAccessibleName("Cancel without saving")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setObjectName("customerFormScroll")
        scroll.setAccessibleName("Customer details")
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(620, 720)
        self.fields["first_name"].setFocus()

    # -- phone rows ----------------------------------------------------------------------------
    def add_phone_row(self, label: str = "mobile", raw: str = "") -> PhoneRow:
        row = PhoneRow(len(self.phone_rows), label, raw)
        row.remove.clicked.connect(lambda: self._remove_phone_row(row))
        self.phone_rows.append(row)
        self.phones_box.addWidget(row)
        row.show()  # a row added to an open dialog would otherwise appear only later
        return row

    def _remove_phone_row(self, row: PhoneRow) -> None:
        if len(self.phone_rows) == 1:
            row.number.clear()  # keep one empty row to type into
            return
        self.phone_rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        # renumber so error keys phone0, phone1, ... keep matching the rows on screen
        for index, remaining in enumerate(self.phone_rows):
            remaining.number.setObjectName(f"phone{index}")
            remaining.number.setAccessibleName(f"Phone {index + 1} number")

    # -- saving --------------------------------------------------------------------------------
    def draft(self) -> CustomerDraft:
        text = {key: edit.text() for key, edit in self.fields.items()}
        others = [a for a in re.split(r"[,;\s]+", self.other_emails.text()) if a]
        return CustomerDraft(
            first_name=text["first_name"],
            last_name=text["last_name"],
            preferred_name=text["preferred_name"],
            pronunciation=text["pronunciation"],
            pronouns=text["pronouns"],
            email=text["email"],
            birthday=text["birthday"],
            company=text["company"],
            address=text["address"],
            marketing_consent=self.consent.isChecked(),
            phones=tuple((r.label.currentText(), r.number.text()) for r in self.phone_rows),
            email_label=self._email_label,
            other_emails=tuple((self._email_labels.get(a.casefold(), "other"), a) for a in others),
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        # The other addresses share one field: their errors (email1, email2, ...) show under it.
        others = [m for k, m in errors.items() if re.fullmatch(r"email\d+", k)]
        errors = {k: m for k, m in errors.items() if not re.fullmatch(r"email\d+", k)}
        if others:
            errors["other_emails"] = " ".join(dict.fromkeys(others))
        labels = {**self.errors, **{f"phone{i}": r.error for i, r in enumerate(self.phone_rows)}}
        for key, label in labels.items():
            label.setText(errors.get(key, ""))
            label.setVisible(key in errors)
        unplaced = [msg for key, msg in errors.items() if key not in labels]
        self.general_error.setText("\n".join(unplaced))
        self.general_error.setVisible(bool(unplaced))
        first = next((k for k in errors if k in labels), None)
        if first in self.fields:
            self.fields[first].setFocus()
        elif first == "other_emails":
            self.other_emails.setFocus()
        elif first is not None and first.startswith("phone"):
            self.phone_rows[int(first[5:])].number.setFocus()

    def save(self) -> None:
        """Validate, warn about duplicates, then create or update. Errors keep the dialog open."""
        if self.saving:
            return  # one save at a time: the last one still waits for the lock
        draft = self.draft()
        try:
            self._desk.customers.validate(draft)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        self.show_errors({})
        exclude = self._customer.id if self._customer else None
        duplicates = self._desk.customers.duplicates(draft, exclude_id=exclude)
        if duplicates:
            choice = DuplicateWarning.ask(self, duplicates)
            if choice is None:
                return  # back to the form, everything still typed
            if choice != SAVE_ANYWAY:
                self.saved = self._desk.customers.get(choice)
                self.accept()
                return
        customer = self._customer

        def write(desk: Desk) -> Customer:  # on the window's Desk, or a worker's while it waits
            if customer is None:
                return desk.customers.create(draft)
            return desk.customers.update(customer.id, draft, version=customer.version)

        write_or_wait(self._desk, write, self._saved, waiting=self._pause, parent=self)

    @property
    def saving(self) -> bool:
        """The save waits for another counter's write lock: no second Save, no Cancel."""
        return self._pause.paused

    def _saved(self, outcome: Callable[[], Customer]) -> None:
        try:
            self.saved = outcome()
        except Conflict as exc:
            # Someone saved this customer meanwhile: everything typed stays on the form; the
            # next Save, now made on their version, keeps this one (the message says so).
            self.show_errors({"general": str(exc)})
            self._customer = self._desk.customers.get(self._customer.id) if self._customer else None
            return
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except (UserError, CsdeskError) as exc:
            self.show_errors({"general": str(exc)})
            return
        self.accept()

    def reject(self) -> None:
        if self.saving:
            return  # the save may still go through: it ends within its busy timeout
        super().reject()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        desk: Desk,
        customer: Customer | None = None,
        *,
        prefill: CustomerDraft | None = None,
    ) -> Customer | None:
        """The saved customer (or the existing one chosen instead), or None when cancelled."""
        dialog = cls(parent, desk, customer, prefill=prefill)
        dialog.exec()
        return dialog.saved
