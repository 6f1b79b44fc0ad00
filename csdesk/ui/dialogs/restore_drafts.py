"""On start: "You were writing a note for Maria: restore?" for what a crash left behind."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtWidgets import QMessageBox, QWidget


class DraftChoice(StrEnum):
    RESTORE = "restore"
    DISCARD = "discard"
    LATER = "later"


class RestoreDrafts:
    @classmethod
    def ask(cls, parent: QWidget | None, lines: list[str]) -> DraftChoice:
        """`lines`: one per draft, e.g. "a note for Maria (14:02)"."""
        box = QMessageBox(parent)
        box.setObjectName("restoreDraftsDialog")
        box.setWindowTitle("Unsaved writing")
        box.setIcon(QMessageBox.Icon.Question)
        if len(lines) == 1:
            box.setText(f"You were writing {lines[0]}. Restore it?")
        else:
            box.setText("You were writing:\n" + "\n".join(f"• {line}" for line in lines)
                        + "\n\nRestore them, one after the other?")
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Throw away", QMessageBox.ButtonRole.DestructiveRole)
        later = box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        restore.setObjectName("restoreDraftsButton")
        discard.setObjectName("discardDraftsButton")
        later.setObjectName("laterDraftsButton")
        box.setDefaultButton(restore)
        box.setEscapeButton(later)
        box.exec()
        clicked = box.clickedButton()
        if clicked is restore:
            return DraftChoice.RESTORE
        if clicked is discard:
            return DraftChoice.DISCARD
        return DraftChoice.LATER
