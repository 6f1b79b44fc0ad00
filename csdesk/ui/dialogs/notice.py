"""Short messages and yes/no questions, behind `ask` so tests can answer them without a modal loop."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


class Notice:
    """`Notice.ask(parent, title, text)` shows a message; kind is "info", "warning" or "error"."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, *, kind: str = "info") -> None:
        box = QMessageBox(parent)
        box.setObjectName("noticeBox")
        box.setAccessibleName(title)
        box.setWindowTitle(title)
        box.setText(text)
        box.setIcon(
            {
                "warning": QMessageBox.Icon.Warning,
                "error": QMessageBox.Icon.Critical,
            }.get(kind, QMessageBox.Icon.Information)
        )
        box.exec()


class Confirm:
    """`Confirm.ask(parent, title, text, yes="Restore")` -> True when the person agreed."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, *, yes: str = "OK") -> bool:
        box = QMessageBox(parent)
        box.setObjectName("confirmBox")
        box.setAccessibleName(title)
        box.setWindowTitle(title)
        box.setText(text)
        box.setIcon(QMessageBox.Icon.Question)
        agree = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)  # a stray Enter must not restore or erase anything
        box.exec()
        return box.clickedButton() is agree
