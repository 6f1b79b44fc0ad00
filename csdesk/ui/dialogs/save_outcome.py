"""A save whose COMMIT's answer was lost (SaveUncertain): one look at whether it went through,
and the watch that goes on looking for the window after its dialog was cancelled.

Cancel while the outcome is unknown keeps the draft (if it was not saved, the draft is all that
is left of it); if it was saved, that kept draft would be offered again and saving it would make
the visit or note twice. So the window keeps looking and, once known, drops the draft or says
it stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from csdesk.domain import Change
from csdesk.errors import CsdeskError, ServerSlow, ServerUnavailable
from csdesk.services.desk import Desk

# How often to ask. Costs nothing while the server is away (the lost connection fails at once);
# answered on the first look after the window reconnects.
OUTCOME_CHECK_MS = 500
_WHAT = {"visit": "visit", "note": "note"}


def look(desk: Desk, ref: object) -> bool | str | None:
    """True or False once known; None while it cannot be told yet (the server away, slow to
    answer this look, or still settling the old session): look again. A text when the server
    can never tell: the user must look at the record."""
    try:
        return desk.outcome(ref)
    except (ServerUnavailable, ServerSlow):
        # Away (the window reconnects by itself) or this look was cancelled: nothing is known,
        # and "not saved" would be a guess that may save it twice.
        return None
    except CsdeskError as exc:
        return str(exc)


def saved_after_all(kind: str) -> str:
    return (f"The {_WHAT.get(kind, kind)} whose save was cut off was saved after all; its "
            "draft is gone, so it is not saved twice.")


def not_saved(kind: str) -> str:
    return (f"The {_WHAT.get(kind, kind)} whose save was cut off was not saved; what was typed "
            "is kept as a draft and offered again when csdesk next starts.")


@dataclass
class _Pending:
    ref: object
    kind: str
    customer_id: int | None


class SaveOutcomeWatch(QObject):
    """Owned by the main window (a child of it, so it lives as long as the window does): looks
    on after a dialog with an unknown outcome was cancelled, and says in the status bar."""

    def __init__(self, window: QMainWindow, desk: Desk) -> None:
        super().__init__(window)
        self.setObjectName("saveOutcomeWatch")
        self._window = window
        self._desk = desk
        self.pending: list[_Pending] = []
        self.timer = QTimer(self)
        self.timer.setObjectName("saveOutcomeWatchTimer")
        self.timer.setInterval(OUTCOME_CHECK_MS)
        self.timer.timeout.connect(self.check)

    @classmethod
    def of(cls, window: QMainWindow, desk: Desk) -> SaveOutcomeWatch:
        """The window's one watch, made on first use (no feature needs to install it)."""
        found = window.findChild(cls, "saveOutcomeWatch")
        return found if isinstance(found, cls) else cls(window, desk)

    def watch(self, ref: object, kind: str, customer_id: int | None) -> None:
        self.pending.append(_Pending(ref, kind, customer_id))
        self.timer.start()

    def check(self) -> None:
        for item in list(self.pending):
            known = look(self._desk, item.ref)
            if known is None:
                continue
            self.pending.remove(item)
            if known is True:
                self._desk.drafts.discard(item.kind, item.customer_id)
                self._desk.notify(Change(item.kind, (), item.customer_id))
                self._say(saved_after_all(item.kind))
            elif known is False:
                self._say(not_saved(item.kind))
            else:  # the server cannot tell: the draft stays, the user looks
                self._say(f"{known} What was typed is kept as a draft.")
        if not self.pending:
            self.timer.stop()

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 15000)
