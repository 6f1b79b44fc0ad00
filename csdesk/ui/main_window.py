"""The main window: the shell (ui.shell) with every feature installed (ui.features)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from csdesk.services.desk import Desk
from csdesk.ui.change_bus import ChangeBus
from csdesk.ui.features import install_all
from csdesk.ui.shell import BASE_SHORTCUTS, Feature, Shell, shortcuts_table, window_title

__all__ = ["BASE_SHORTCUTS", "Feature", "MainWindow", "Shell", "shortcuts_table", "window_title"]


class MainWindow(Shell):
    def __init__(
        self, desk: Desk, bus: ChangeBus | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(desk, bus, parent, install=install_all)
