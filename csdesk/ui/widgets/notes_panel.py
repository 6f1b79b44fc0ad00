"""Personal notes, pinned first, each with its kind and date underneath, and what you can do."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Note
from csdesk.ui.models.notes_model import NotesModel
from csdesk.ui.widgets.two_line import TwoLineDelegate


class NotesPanel(QWidget):
    """Enter edits the selected note, P pins or unpins it, Delete deletes it (Ctrl+Z undoes)."""

    add_requested = Signal()
    edit_requested = Signal(object)  # Note
    pin_requested = Signal(object)  # Note
    delete_requested = Signal(object)  # Note

    def __init__(self, model: NotesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPanel")
        self.model = model
        self.list = QListView()
        self.list.setObjectName("notesList")
        self.list.setAccessibleName("Notes about this customer")
        self.list.setModel(model)
        self.list.setItemDelegate(TwoLineDelegate(self.list, wrap=True))
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.installEventFilter(self)
        self.list.activated.connect(lambda _i: self._emit(self.edit_requested))
        self.empty = QLabel("No notes yet. Ctrl+Shift+N adds one.")
        self.empty.setObjectName("notesEmpty")
        self.empty.setProperty("tone", "muted")

        self.add_button = self._button("addNoteButton", "Add note…", "Add a note (Ctrl+Shift+N)")
        self.edit_button = self._button("editNoteButton", "Edit…", "Edit the note (Enter)")
        self.pin_button = self._button("pinNoteButton", "Pin", "Pin or unpin the note (P)")
        self.delete_button = self._button(
            "deleteNoteButton", "Delete", "Delete the note (Delete; Ctrl+Z brings it back)"
        )
        self.add_button.clicked.connect(self.add_requested)
        self.edit_button.clicked.connect(lambda: self._emit(self.edit_requested))
        self.pin_button.clicked.connect(lambda: self._emit(self.pin_requested))
        self.delete_button.clicked.connect(lambda: self._emit(self.delete_requested))
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        for b in (self.edit_button, self.pin_button, self.delete_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(buttons)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        model.modelReset.connect(self._update)
        self.list.selectionModel().currentChanged.connect(lambda *_a: self._update_pin())
        self._update()

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(tip)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        return button

    def current_note(self) -> Note | None:
        return self.model.note(self.list.currentIndex().row())

    def _emit(self, signal: SignalInstance) -> None:
        note = self.current_note()
        if note is not None:
            signal.emit(note)

    def _update(self) -> None:
        has = self.model.rowCount() > 0
        self.empty.setVisible(not has)
        self.list.setVisible(has)
        for b in (self.edit_button, self.pin_button, self.delete_button):
            b.setEnabled(has)
        if has and not self.list.currentIndex().isValid():
            self.list.setCurrentIndex(self.model.index(0, 0))
        self._update_pin()

    def _update_pin(self) -> None:
        note = self.current_note()
        self.pin_button.setText("Unpin" if note is not None and note.pinned else "Pin")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Delete:
                self._emit(self.delete_requested)
                return True
            if event.key() == Qt.Key.Key_P and not event.modifiers():
                self._emit(self.pin_requested)
                return True
        return super().eventFilter(watched, event)
