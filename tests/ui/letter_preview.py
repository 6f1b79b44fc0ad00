"""The letter dialog renders its preview off the UI thread: tests wait for it as a person does."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from csdesk.ui.dialogs.letter_dialog import LetterDialog


def wait_preview(qtbot: QtBot, dialog: LetterDialog) -> None:
    """Until the preview (or the template's problem) is on screen: no render on its way."""
    qtbot.waitUntil(lambda: not dialog.preview_pending, timeout=10_000)
