"""Keeps a safety copy of a form while someone types, so a crash or power cut loses nothing."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QAbstractButton, QDialog, QLabel, QMainWindow

from csdesk.domain import Change
from csdesk.errors import CsdeskError, SaveUncertain, UserError
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.form_bits import FormPause
from csdesk.ui.dialogs.save_outcome import OUTCOME_CHECK_MS, SaveOutcomeWatch, look
from csdesk.ui.workers import write_or_wait

DRAFT_DELAY_MS = 600  # a pause in typing, not every keystroke

FINDING_OUT = ("The connection to the server was lost just as this was being saved. csdesk "
               "finds out whether it was saved as soon as the server answers again; what you "
               "typed stays here meanwhile.")
WAS_SAVED = "It was saved after all: the server had it before the connection was lost."
NOT_SAVED = ("It was not saved: the server never got it. What you typed is still here; "
             "press Save to save it now.")


class DraftKeeper(QObject):
    """Call `changed()` on every edit: after a short pause the form's fields are saved.

    `discard()` once the form is saved or cancelled on purpose. A failing save (a full disk) is
    reported through `on_error` once and never blocks typing.
    """

    def __init__(
        self,
        desk: Desk,
        kind: str,
        customer_id: int | None,
        fields: Callable[[], dict[str, Any]],
        parent: QObject | None = None,
        *,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._desk = desk
        self.kind = kind
        self.customer_id = customer_id
        self._fields = fields
        self._on_error = on_error
        self._warned = False
        self.saves = 0
        self.timer = QTimer(self)
        self.timer.setObjectName(f"{kind}DraftTimer")
        self.timer.setSingleShot(True)
        self.timer.setInterval(DRAFT_DELAY_MS)
        self.timer.timeout.connect(self.save_now)

    def changed(self) -> None:
        self.timer.start()

    def save_now(self) -> None:
        self.timer.stop()
        fields = self._fields()
        if not any(v for k, v in fields.items() if k in ("purpose", "outcome", "body")):
            return  # nothing typed yet: nothing to lose
        try:
            self._desk.drafts.save(self.kind, self.customer_id, fields)
            self.saves += 1
        except UserError as exc:
            if not self._warned and self._on_error is not None:
                self._warned = True
                self._on_error(str(exc))

    def discard(self) -> None:
        self.timer.stop()
        self._desk.drafts.discard(self.kind, self.customer_id)


class DraftDialog(QDialog):
    """A form whose typing is kept as a draft (the visit and note dialogs): one error line,
    Cancel on purpose discards the draft, and dispose() tears the dialog down.

    A save whose outcome is unknown (SaveUncertain: the connection was lost after its COMMIT
    went out) is never called "not saved": `await_outcome` keeps the text and the draft, offers
    no second Save (that could save it twice), and once the server answers again says which it
    was: saved (the draft goes, the views refresh, the dialog closes with the saved record as
    its result, as a normal save) or not saved (Save again). Cancel meanwhile hands the looking
    to the window (SaveOutcomeWatch), which drops the draft if it turns out saved.
    """

    draft: DraftKeeper
    _desk: Desk
    _pending: object | None = None
    _written: tuple[tuple[str, int], ...] = ()
    _outcome_timer: QTimer | None = None
    _pause: FormPause | None = None  # the form while a save waits for another counter's lock

    def write(self, write: Callable[[Desk], Any], finish: Callable[[Callable[[], Any]], None]) -> None:
        """Save with `write(desk)` (one transaction), then `finish(outcome)`: at once when the
        database is free; when another counter holds its write lock, the save waits off the UI
        thread (workers.write_or_wait) with the form paused and one calm line (FormPause)."""
        if self._pause is None:
            self._pause = FormPause(self, self.error)
        write_or_wait(self._desk, write, finish, waiting=self._wait_for_lock, parent=self)

    @property
    def saving(self) -> bool:
        """A save is waiting for another counter's lock: no second Save, no Cancel meanwhile."""
        return self._pause is not None and self._pause.paused

    def _wait_for_lock(self, waiting: bool) -> None:
        if waiting:
            self.draft.save_now()  # on this computer's disk meanwhile, whatever comes
        assert self._pause is not None
        self._pause(waiting)

    def await_outcome(self, exc: SaveUncertain, save: QAbstractButton) -> None:
        self._show_error(FINDING_OUT)
        self.draft.save_now()  # kept on this computer until the outcome is known
        self._pending = exc.ref
        self._written = exc.written
        self._pending_save = save
        save.setEnabled(False)
        if self._outcome_timer is None:
            self._outcome_timer = QTimer(self)
            self._outcome_timer.setObjectName("saveOutcomeTimer")
            self._outcome_timer.setInterval(OUTCOME_CHECK_MS)
            self._outcome_timer.timeout.connect(self._check_outcome)
        self._outcome_timer.start()

    @property
    def outcome_pending(self) -> bool:
        return self._pending is not None

    def _check_outcome(self) -> None:
        if self._pending is None:
            return
        # None: still away, slow, or being settled: look again. Never "nothing was changed. Try
        # again" with Save enabled meanwhile: the save may have gone through.
        saved = look(self._desk, self._pending)
        if saved is None:
            return
        if isinstance(saved, str):  # the server cannot tell: the user must look
            self._outcome_known(saved)
            return
        if saved:
            # The caller goes on as after a normal save (a call timer stopped, "logged" said):
            # it needs the saved record, read back by the id the write's change log gave.
            ids = [i for entity, i in self._written if entity == self.draft.kind]
            # A read that fails now (the server gone again) leaves no result: it was saved all
            # the same, and the views below show it once they refresh.
            with suppress(CsdeskError):
                self.take_saved(ids[0] if ids else None)
            self.draft.discard()
            self._desk.notify(Change(self.draft.kind, (), self.draft.customer_id))
            self._outcome_known(WAS_SAVED)
            window = self.parentWidget()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(WAS_SAVED, 8000)
            self.accept()
        else:
            self._outcome_known(NOT_SAVED)

    def take_saved(self, written_id: int | None) -> None:
        """Set the dialog's result to the record a lost save turned out to have saved
        (`written_id`: the row the write logged, None if it logged none of this kind)."""

    def _outcome_known(self, text: str) -> None:
        self._pending = None
        if self._outcome_timer is not None:
            self._outcome_timer.stop()
        self._pending_save.setEnabled(True)
        self._show_error(text)

    def make_error_label(self, name: str) -> QLabel:
        self.error = QLabel()
        self.error.setObjectName(name)
        self.error.setProperty("tone", "fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        return self.error

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def reject(self) -> None:
        # Cancel on purpose: the safety copy goes too (a crash never gets here). Not while a
        # save's outcome is unknown: if it was not saved, the draft is all that is left of it;
        # the window looks on and drops the draft if it was saved (else it would be saved twice).
        if self.saving:
            return  # a save waits for another counter's lock: it ends within its busy timeout
        if self._pending is None:
            self.draft.discard()
        else:
            window = self.parentWidget()
            if isinstance(window, QMainWindow):
                SaveOutcomeWatch.of(window, self._desk).watch(
                    self._pending, self.draft.kind, self.draft.customer_id)
            self._pending = None
            if self._outcome_timer is not None:
                self._outcome_timer.stop()
        super().reject()

    def dispose(self) -> None:
        """Delete on the UI thread: left to Python's collector, a dialog (and its timers) could
        be torn down from a worker thread that happens to trigger a collection."""
        self.draft.timer.stop()
        if self._outcome_timer is not None:
            self._outcome_timer.stop()
        self.setParent(None)
        self.deleteLater()
