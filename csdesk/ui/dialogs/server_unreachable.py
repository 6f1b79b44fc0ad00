"""At start, the server this computer chose (Settings ▸ This computer) does not answer.

Never a lock-out: the counter can try again (the server was still starting), work on this
computer's own file this once (the choice stays: next start tries the server again), or go back
to the file for good (the choice is forgotten), or quit. What the server said comes first, in
the words of store.server.connect (never a password).
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


class Answer(Enum):
    RETRY = "retry"
    FILE_ONCE = "file_once"
    FILE_ALWAYS = "file_always"
    QUIT = "quit"


class ServerUnreachableDialog(QMessageBox):
    def __init__(self, parent: QWidget | None, said: str, where: str) -> None:
        super().__init__(parent)
        self.setObjectName("serverUnreachableDialog")
        self.setAccessibleName("The server does not answer")
        self.setWindowTitle("csdesk cannot reach its server")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setText(f"This computer works on the server {where}, and it did not answer.")
        self.setInformativeText(
            f"{said}\n\nTry again once the server is up, or work on this computer's own file "
            "for now (what you do there stays on this computer)."
        )
        self.retry_button = self._button("Try again", "retryServerButton", Answer.RETRY,
                                         QMessageBox.ButtonRole.AcceptRole)
        self.file_button = self._button("Use this computer's file this time", "fileOnceButton",
                                        Answer.FILE_ONCE, QMessageBox.ButtonRole.ActionRole)
        self.forget_button = self._button("Always use this computer's file", "fileAlwaysButton",
                                          Answer.FILE_ALWAYS, QMessageBox.ButtonRole.ActionRole)
        self.quit_button = self._button("Quit", "quitButton", Answer.QUIT,
                                        QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.retry_button)
        self.setEscapeButton(self.quit_button)

    def _button(self, text: str, name: str, answer: Answer, role: QMessageBox.ButtonRole) -> QPushButton:
        button = self.addButton(text, role)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setProperty("answer", answer.value)
        return button

    def answer(self) -> Answer:
        clicked = self.clickedButton()
        value = clicked.property("answer") if clicked is not None else None
        return Answer(value) if value else Answer.QUIT

    @classmethod
    def ask(cls, parent: QWidget | None, said: str, where: str) -> Answer:
        box = cls(parent, said, where)
        box.exec()
        return box.answer()
