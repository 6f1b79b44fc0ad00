"""Add or edit a personal note. Ctrl+Enter saves; Enter starts a new line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Customer, Note, NoteKind
from csdesk.errors import Conflict, CsdeskError, SaveUncertain
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.drafting import DraftDialog, DraftKeeper


class NoteDialog(DraftDialog):
    def __init__(
        self,
        parent: QWidget | None,
        desk: Desk,
        customer: Customer,
        note: Note | None = None,
        *,
        restore: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteDialog")
        self.setAccessibleName("Note")
        self._desk = desk
        self.customer = customer
        self.note = note
        self.saved: Note | None = None
        self.setWindowTitle(
            f"{'Edit the note' if note else 'A note'} · {customer.display_name}"
        )
        heading = QLabel(
            "Edit the note" if note else f"What should the next person know about "
            f"{customer.display_name}?"
        )
        heading.setObjectName("noteHeading")
        heading.setStyleSheet("font-size: 14pt; font-weight: 600;")
        heading.setWordWrap(True)

        self.body = QPlainTextEdit()
        self.body.setObjectName("noteBody")
        self.body.setAccessibleName("Note text")
        self.body.setPlaceholderText("e.g. Prefers to be called in the afternoon")
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(110)
        self.kind = QComboBox()
        self.kind.setObjectName("noteKind")
        self.kind.setAccessibleName("Kind of note")
        for k in NoteKind:
            self.kind.addItem(k.label, k.value)
        self.kind.setCurrentIndex(self.kind.findData(NoteKind.REMEMBER.value))  # the usual kind
        self.pinned = QCheckBox("Pin it to the top")
        self.pinned.setObjectName("notePinned")
        self.pinned.setAccessibleName("Pin it to the top")
        self.read_first = QCheckBox("Read before serving (shown in the greeting)")
        self.read_first.setObjectName("noteReadFirst")
        self.read_first.setAccessibleName("Read before serving")
        self.expires = QLineEdit()
        self.expires.setObjectName("noteExpires")
        self.expires.setAccessibleName("Show until (optional date)")
        self.expires.setPlaceholderText("YYYY-MM-DD, empty: no end")
        self.read_first.toggled.connect(self.expires.setEnabled)

        self.make_error_label("noteError")

        form = QFormLayout()
        form.setSpacing(10)
        form.addRow("Note", self.body)
        form.addRow("Kind", self.kind)
        form.addRow("", self.pinned)
        form.addRow("", self.read_first)
        form.addRow("Show until", self.expires)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("noteSave")
        self.save_button.setAccessibleName("Save the note (Ctrl+Enter)")
        self.save_button.setToolTip("Ctrl+Enter")
        self.save_button.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("noteCancel")
        cancel.setAccessibleName("Cancel")
        self.save_button.clicked.connect(self._save)
        cancel.clicked.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._save)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(14)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(540)

        if note is not None:
            self._restore({"body": note.body, "kind": note.kind.value, "pinned": note.pinned,
                           "read_before_serving": note.read_before_serving,
                           "expires_on": note.expires_on or ""})
        if restore:
            self._restore(restore)
        self.expires.setEnabled(self.read_first.isChecked())

        self.draft = DraftKeeper(desk, "note", customer.id, self.fields, self,
                                 on_error=self._show_error)
        self.body.textChanged.connect(self.draft.changed)
        self.expires.textChanged.connect(self.draft.changed)
        self.kind.currentIndexChanged.connect(self.draft.changed)
        for box in (self.pinned, self.read_first):
            box.toggled.connect(self.draft.changed)
        self.body.setFocus()

    def fields(self) -> dict[str, Any]:
        return {
            "note_id": self.note.id if self.note else None,
            "body": self.body.toPlainText(),
            "kind": self.kind.currentData(),
            "pinned": self.pinned.isChecked(),
            "read_before_serving": self.read_first.isChecked(),
            "expires_on": self.expires.text(),
        }

    def _restore(self, fields: dict[str, Any]) -> None:
        self.body.setPlainText(str(fields.get("body") or ""))
        index = self.kind.findData(fields.get("kind"))
        if index >= 0:
            self.kind.setCurrentIndex(index)
        self.pinned.setChecked(bool(fields.get("pinned")))
        self.read_first.setChecked(bool(fields.get("read_before_serving")))
        self.expires.setText(str(fields.get("expires_on") or ""))

    def _save(self) -> None:
        if self.outcome_pending or self.saving:
            return  # the last save may have gone through, or waits: never twice (Ctrl+Enter too)
        f = self.fields()
        expires = f["expires_on"] if f["read_before_serving"] else None
        note, customer_id = self.note, self.customer.id

        def write(desk: Desk) -> Note:  # on the window's Desk, or a worker's while it waits
            if note is None:
                return desk.notes.add(
                    customer_id, f["body"], kind=f["kind"], pinned=f["pinned"],
                    read_before_serving=f["read_before_serving"], expires_on=expires,
                )
            return desk.notes.edit(
                note.id, body=f["body"], kind=f["kind"], pinned=f["pinned"],
                read_before_serving=f["read_before_serving"], expires_on=expires,
                version=note.version,
            )

        self.write(write, self._saved)

    def _saved(self, outcome: Callable[[], Note]) -> None:
        try:
            saved = outcome()
        except SaveUncertain as exc:  # the COMMIT went out, its answer never came
            self.await_outcome(exc, self.save_button)
            return
        except Conflict as exc:
            # Someone saved this note meanwhile: the text stays, and the next Save (made on
            # their version now) keeps it over theirs, as the message says.
            self._show_error(str(exc))
            if self.note is not None:
                self.note = self._desk.notes.get(self.note.id)
            return
        except CsdeskError as exc:
            self._show_error(str(exc))
            return
        self.draft.discard()
        self.saved = saved
        self.accept()

    def take_saved(self, written_id: int | None) -> None:
        note_id = self.note.id if self.note is not None else written_id
        if note_id is not None:
            self.saved = self._desk.notes.get(note_id)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        desk: Desk,
        customer: Customer,
        note: Note | None = None,
        *,
        restore: dict[str, Any] | None = None,
    ) -> Note | None:
        dialog = cls(parent, desk, customer, note, restore=restore)
        dialog.exec()
        result = dialog.saved
        dialog.dispose()
        return result
