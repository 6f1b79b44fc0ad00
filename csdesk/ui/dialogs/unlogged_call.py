"""Quitting while the call timer runs: "Log the call, discard it, or keep csdesk open?"

A call is never lost without a word: Ctrl+Q or closing the window asks first. On a locked window
the question names nobody and cannot log (that needs someone signed in).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtWidgets import QMessageBox, QWidget


class CallChoice(StrEnum):
    LOG = "log"
    DISCARD = "discard"
    CANCEL = "cancel"


class UnloggedCall:
    @classmethod
    def ask(cls, parent: QWidget | None, *, who: str, length: str, can_log: bool) -> CallChoice:
        box = QMessageBox(parent)
        box.setObjectName("unloggedCallDialog")
        box.setWindowTitle("The call is not logged")
        box.setIcon(QMessageBox.Icon.Question)
        with_whom = f" with {who}" if who else ""
        box.setText(f"The call{with_whom} ({length}) is still being timed and is not logged yet.")
        box.setInformativeText(
            "Log it before csdesk closes?" if can_log else "Sign in to log it, or discard it."
        )
        log = None
        if can_log:
            log = box.addButton("Log the call…", QMessageBox.ButtonRole.AcceptRole)
            log.setObjectName("logCallButton")
        discard = box.addButton("Discard the call", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Keep csdesk open", QMessageBox.ButtonRole.RejectRole)
        discard.setObjectName("discardCallButton")
        cancel.setObjectName("keepOpenButton")
        box.setDefaultButton(log or cancel)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if log is not None and clicked is log:
            return CallChoice.LOG
        if clicked is discard:
            return CallChoice.DISCARD
        return CallChoice.CANCEL
