"""Personal notes, pinned first, each with its kind and date underneath."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QVBoxLayout, QWidget

from csdesk.ui.models.notes_model import NotesModel
from csdesk.ui.widgets.two_line import TwoLineDelegate


class NotesPanel(QWidget):
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
        self.empty = QLabel("No notes yet.")
        self.empty.setProperty("tone", "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        model.modelReset.connect(self._update_empty)
        self._update_empty()

    def _update_empty(self) -> None:
        has = self.model.rowCount() > 0
        self.empty.setVisible(not has)
        self.list.setVisible(has)
