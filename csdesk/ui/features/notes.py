"""Notes in the main window: Ctrl+Shift+N adds one, the Notes tab edits, pins and deletes, and
Ctrl+Z brings back what was deleted this session (notes, and visits deleted from the Timeline).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from csdesk.domain import Note, TimelineEntry
from csdesk.errors import CsdeskError
from csdesk.ui.shell import Feature, Shell

NO_CUSTOMER = "Open a customer first, then Ctrl+Shift+N adds a note."


class NotesFeature(Feature):
    def __init__(self, window: Shell) -> None:
        super().__init__(window, "notesFeature")
        self.window = window
        self.desk = window.desk
        self.undo_stack: list[tuple[str, int, str]] = []  # (kind, id, what), this session only
        view = window.customer_view
        key = QKeySequence
        add = window.add_action
        self.add_action = add("addNoteAction", "Add a &note…", [key("Ctrl+Shift+N")], self.add_note)
        self.undo_action = add("undoDeleteAction", "&Undo delete", [key("Ctrl+Z")], self.undo)
        menu = window.menu("&Visits")
        menu.addSeparator()
        menu.addAction(self.add_action)
        menu.addAction(self.undo_action)

        view.notes.add_requested.connect(self.add_note)
        view.notes.edit_requested.connect(self.edit_note)
        view.notes.pin_requested.connect(self.toggle_pin)
        view.notes.delete_requested.connect(self.delete_note)
        view.timeline.delete_requested.connect(self.delete_entry)
        view.timeline.edit_requested.connect(self.open_entry)
        self._update_undo()

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    # -- notes ---------------------------------------------------------------------------------
    def add_note(self) -> Note | None:
        from csdesk.ui.dialogs.note_dialog import NoteDialog
        customer = self.window.customer_view.customer
        if customer is None:
            self._say(NO_CUSTOMER)
            return None
        note = NoteDialog.ask(self.window, self.desk, customer)
        self.window.activateWindow()  # a closing dialog does not always hand the focus back
        if note is not None:
            self._say(f"Note saved for {customer.display_name}.")
        return note

    def edit_note(self, note: Note) -> Note | None:
        from csdesk.ui.dialogs.note_dialog import NoteDialog
        customer = self.window.customer_view.customer
        if customer is None:
            return None
        return NoteDialog.ask(self.window, self.desk, customer, note)

    def toggle_pin(self, note: Note) -> None:
        try:
            self.desk.notes.pin(note.id, not note.pinned)
        except CsdeskError as exc:
            self._say(str(exc))

    def delete_note(self, note: Note) -> None:
        from csdesk.services.timeline import short
        try:
            self.desk.notes.delete(note.id)
        except CsdeskError as exc:
            self._say(str(exc))
            return
        self._deleted("note", note.id, f"the note “{short(note.body, 40)}”")

    # -- timeline entries ----------------------------------------------------------------------
    def delete_entry(self, entry: TimelineEntry) -> None:
        from csdesk.services.timeline import short
        try:
            if entry.kind == "visit":
                self.desk.visits.delete(entry.ref_id)
            elif entry.kind == "note":
                self.desk.notes.delete(entry.ref_id)
            else:
                self._say("Only visits, calls and notes can be deleted here.")
                return
        except CsdeskError as exc:
            self._say(str(exc))
            return
        self._deleted(entry.kind, entry.ref_id, f"“{short(entry.title, 50)}”")

    def open_entry(self, entry: TimelineEntry) -> None:
        if entry.kind == "note":
            try:
                note = self.desk.notes.get(entry.ref_id)
            except CsdeskError as exc:
                self._say(str(exc))
                return
            self.edit_note(note)

    # -- undo ----------------------------------------------------------------------------------
    def _deleted(self, kind: str, ref_id: int, what: str) -> None:
        self.undo_stack.append((kind, ref_id, what))
        self._update_undo()
        self._say(f"Deleted {what}. Ctrl+Z brings it back.")

    def undo(self) -> bool:
        if not self.undo_stack:
            self._say("Nothing to bring back.")
            return False
        kind, ref_id, what = self.undo_stack.pop()
        try:
            if kind == "visit":
                self.desk.visits.restore(ref_id)
            else:
                self.desk.notes.restore(ref_id)
        except CsdeskError as exc:
            self._say(str(exc))
            return False
        finally:
            self._update_undo()
        self._say(f"Brought back {what}.")
        return True

    def _update_undo(self) -> None:
        self.undo_action.setEnabled(bool(self.undo_stack))
        if self.undo_stack:
            self.undo_action.setText(f"&Undo delete of {self.undo_stack[-1][2]}")
        else:
            self.undo_action.setText("&Undo delete")


def install(window: Shell) -> None:
    NotesFeature(window)
