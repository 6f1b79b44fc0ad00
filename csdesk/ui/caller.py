"""Put the caller on screen: what the single-instance server does with {"action": "call"}.

One match opens the customer; several open a picker; none opens the new-customer form with
the number filled in. Dialogs open on the next turn of the event loop, after the answer has gone
back to `csdesk call`, so the softphone's command never waits on a person.

A locked window shows nobody: the number waits (the latest call wins), the lock screen says a call
is waiting, the answer says "locked", and the caller is shown right after someone signs in.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from csdesk.domain import CustomerDraft, SearchHit
from csdesk.errors import CsdeskError
from csdesk.ui.features.security import Security
from csdesk.ui.shell import Feature, Shell

MAX_NUMBER = 64


def bring_to_front(window: Shell) -> None:
    if window.isMinimized():
        window.showNormal()
    else:
        window.show()
    window.raise_()
    window.activateWindow()


def open_caller(window: Shell, customer_id: int | None) -> None:
    """Open the caller (None: not known yet) and start timing the call where the window can."""
    window.start_call(customer_id)  # opens them; the visits feature starts the call timer


def show_caller(window: Shell, number: str) -> str:
    """Show the caller and say what was shown: customer, picker or new."""
    from csdesk.ui.dialogs.caller_picker import CallerPicker

    number = " ".join(number.split())[:MAX_NUMBER]
    # A picker still open from the previous call is about someone else now. (A half-typed
    # new-customer form stays: closing it would lose what staff typed.)
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, CallerPicker) and widget.isVisible():
            widget.reject()
    bring_to_front(window)
    hits = window.desk.search.caller(number) if number else []
    if len(hits) == 1:
        open_caller(window, hits[0].customer_id)
        # no "Call from ..." message: the call timer in the status bar already names them
        return "customer"
    # Not sure who it is yet: the call is timed from the ring, and belongs to the customer once
    # picked or saved.
    open_caller(window, None)
    if hits:
        QTimer.singleShot(0, lambda: _pick(window, number, hits))
        return "picker"
    QTimer.singleShot(0, lambda: _new(window, number))
    return "new"


def _pick(window: Shell, number: str, hits: list[SearchHit]) -> None:
    from csdesk.ui.dialogs.caller_picker import CallerPicker
    try:
        elsewhere = window.desk.live.calls_elsewhere()  # the phone may ring at every counter
    except CsdeskError:
        elsewhere = []  # busy for a moment: the picker without the line, never no picker
    chosen = CallerPicker.ask(window, number, hits, elsewhere)
    if chosen is not None:
        open_caller(window, chosen)


def _new(window: Shell, number: str) -> None:
    from csdesk.ui.dialogs.customer_form import CustomerForm
    window.statusBar().showMessage(f"Call from {number}: not a customer yet", 8000)
    prefill = CustomerDraft(phones=(("mobile", number),)) if number else None
    saved = CustomerForm.ask(window, window.desk, prefill=prefill)
    if saved is not None:
        open_caller(window, saved.id)


class WaitingCall(Feature):
    """The call that rang while the window was locked; shown when the lock opens."""

    def __init__(self, window: Shell, lock: Security) -> None:
        super().__init__(window, "waitingCall")
        self.window = window
        self.lock = lock
        self.number: str | None = None
        lock.lock_changed.connect(self._lock_changed)

    def hold(self, number: str) -> None:
        self.number = number
        self.lock.lock_screen.set_call_waiting(True)

    def _lock_changed(self, locked: bool) -> None:
        if locked or self.number is None:
            return
        number, self.number = self.number, None
        self.lock.lock_screen.set_call_waiting(False)
        # after the sign-in's own work (focus, the welcome) has run
        QTimer.singleShot(0, lambda: show_caller(self.window, number))


def _lock(window: Shell) -> Security | None:
    """The security feature when it is installed and locked (sign-in or switch of user)."""
    found = window.find_feature(Security)
    return found if found is not None and found.locked else None


def waiting_call(window: Shell) -> WaitingCall | None:
    return window.find_feature(WaitingCall)


def handle_request(window: Shell, request: dict[str, Any]) -> dict[str, Any]:
    """The InstanceServer's handler for a main window."""
    lock = _lock(window)
    if request["action"] == "ping":
        return {"ok": True, "shown": "nothing", "pid": os.getpid(), "locked": lock is not None}
    if request["action"] == "raise":
        bring_to_front(window)
        return {"ok": True, "shown": "window"}
    if lock is not None:
        bring_to_front(window)  # the lock screen comes forward: someone can sign in
        waiting = waiting_call(window) or WaitingCall(window, lock)
        waiting.hold(" ".join(str(request["number"]).split())[:MAX_NUMBER])
        return {"ok": True, "shown": "locked"}
    return {"ok": True, "shown": show_caller(window, str(request["number"]))}


class EarlyCalls:
    """The socket's handler from the moment the database is open: while the window is still
    being built (a first-run question may wait on a person), a call is held and shown once the
    window is up. Without it a ring then found nobody listening and started a second csdesk."""

    def __init__(self, numbers: list[str] | None = None) -> None:
        self.numbers = list(numbers or [])
        self.window: Shell | None = None

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.window is not None:
            return handle_request(self.window, request)
        if request["action"] == "ping":
            return {"ok": True, "shown": "nothing", "pid": os.getpid(), "locked": False}
        if request["action"] == "call":
            self.numbers.append(" ".join(str(request["number"]).split())[:MAX_NUMBER])
        return {"ok": True, "shown": "starting"}

    def ready(self, window: Shell) -> None:
        """The window is built: from now on requests go to it; the latest held call shows."""
        self.window = window
        if self.numbers:
            number = self.numbers[-1]  # the phone rang again: the last caller is on the line
            self.numbers = []
            QTimer.singleShot(0, lambda: handle_request(window, {"action": "call", "number": number}))
