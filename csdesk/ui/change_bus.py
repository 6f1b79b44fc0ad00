"""A Qt bridge for the Desk change bus, so views refresh only what a write changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from csdesk.domain import Change
from csdesk.services.desk import Desk


class ChangeBus(QObject):
    """Re-emits every Change of the attached desks as a Qt signal.

    A Desk attached from a worker thread calls `publish` on that thread; the signal then reaches
    widgets on the UI thread through a queued connection, so views are never touched off-thread.
    """

    changed = Signal(object)  # Change

    def attach(self, desk: Desk) -> None:
        desk.subscribe(self.publish)

    def publish(self, change: Change) -> None:
        self.changed.emit(change)
