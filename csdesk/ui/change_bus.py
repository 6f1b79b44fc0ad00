"""A Qt bridge for the Desk change bus, so views refresh only what a write changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from csdesk.domain import Change
from csdesk.services.desk import Desk


class ChangeBus(QObject):
    """Re-emits every Change of the attached desks as a Qt signal.

    The window attaches its own (UI-thread) Desk. Writes made on a worker's Desk reach it through
    the operation runner (ui.workers.Op), which collects them on the worker and replays them on
    the window's Desk on the UI thread, so views are never touched off-thread.
    """

    changed = Signal(object)  # Change

    def attach(self, desk: Desk) -> None:
        desk.subscribe(self.publish)

    def publish(self, change: Change) -> None:
        self.changed.emit(change)
