"""Help → About shows where the data lives (issue 9); the window wears the app's icon."""

from __future__ import annotations

from csdesk.ui.dialogs.about_dialog import AboutDialog, app_icon
from csdesk.ui.shell import Shell


def install(window: Shell) -> None:
    window.setWindowIcon(app_icon())
    action = window.about_action
    action.triggered.disconnect()  # the shell's one-line message box gives way to the full dialog
    action.triggered.connect(lambda: AboutDialog.ask(window, window.desk.target))
