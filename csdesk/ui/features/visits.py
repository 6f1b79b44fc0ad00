"""Visits and calls in the main window: F5 logs a visit, F6 starts or stops the call timer, F7
logs the call; drafts left by a crash are offered back on start.

`window.start_call(customer_id)` (caller ID) opens the caller and starts the timer; while it runs,
F5 preselects the phone channel and saving stops the timer and stores the call's length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence

from csdesk.domain import Channel, Customer, TimelineEntry, Visit
from csdesk.errors import CsdeskError, NotFound
from csdesk.ui.features.security import Security
from csdesk.ui.models.search_model import when
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.widgets.call_timer import CallTimer, CallTimerLabel

if TYPE_CHECKING:
    from csdesk.services.drafts import Draft
    from csdesk.ui.dialogs.visit_dialog import VisitResult


class VisitsFeature(Feature):
    def __init__(self, window: Shell) -> None:
        super().__init__(window, "visitsFeature")
        self.window = window
        self.desk = window.desk
        self.calls = CallTimer(self)
        self.call_label = CallTimerLabel(self.calls, window.statusBar())
        window.add_status_item(self.call_label)

        key = QKeySequence
        add = window.add_action
        self.log_action = add("logVisitAction", "&Log a visit…", [key("F5")], self.log_visit)
        self.timer_action = add(
            "callTimerAction", "Start the call &timer", [key("F6")], self.toggle_call
        )
        self.log_call_action = add("logCallAction", "Log the &call…", [key("F7")], self.log_call)
        menu = window.menu("&Visits")
        # Logging is the daily work: before the other features' menus; Help stays last.
        bar = window.menuBar()
        bar.removeAction(menu.menuAction())
        after_view = [a for a in bar.actions() if a.text() not in ("&Customer", "&View")]
        bar.insertMenu(after_view[0], menu)
        menu.addAction(self.log_action)
        menu.addSeparator()
        menu.addAction(self.timer_action)
        menu.addAction(self.log_call_action)

        window.call_started.connect(self._call_started)
        window.add_close_guard(self.may_close)
        window.customer_view.timeline.edit_requested.connect(self.edit_entry)
        self.calls.changed.connect(self._update_actions)
        window.customer_view.customer_changed.connect(lambda _c: self._update_actions())
        self._update_actions()
        # After the window is up: offer back what a crash left half-typed.
        QTimer.singleShot(0, self.offer_drafts)

    # -- state ---------------------------------------------------------------------------------
    @property
    def opened_from_call(self) -> bool:
        """True while a call runs with the customer on screen (or an unknown caller and nobody
        open): the visit dialog then starts on the phone channel."""
        if not self.calls.running:
            return False
        current = self.window.customer_view.customer
        return self.calls.customer_id == (current.id if current else None)

    def _update_actions(self) -> None:
        self.timer_action.setText(
            "Stop the call &timer" if self.calls.running else "Start the call &timer"
        )

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    # -- calls ---------------------------------------------------------------------------------
    def _call_started(self, customer_id: object, direction: str) -> None:
        cid = customer_id if isinstance(customer_id, int) else None
        name = ""
        if cid is not None:
            current = self.window.customer_view.customer
            name = current.display_name if current and current.id == cid else ""
        self.calls.start(cid, name, direction)

    def toggle_call(self) -> None:
        """F6: start timing a call with the open customer (we are calling them: outgoing), or
        stop a running one without logging it."""
        from csdesk.ui.dialogs.visit_dialog import clock_text

        if self.calls.running:
            seconds = self.calls.stop()
            self._say(f"Call timer stopped at {clock_text(seconds)}. F5 logs a visit.")
            return
        current = self.window.customer_view.customer
        self.window.call_started.emit(current.id if current else None, "out")

    def may_close(self) -> bool:
        """Before the window closes: a timed call is logged, discarded on purpose, or csdesk
        stays open. Never silently lost."""
        from csdesk.ui.dialogs.unlogged_call import CallChoice, UnloggedCall
        from csdesk.ui.dialogs.visit_dialog import clock_text

        if not self.calls.running:
            return True
        lock = self.window.find_feature(Security)
        locked = lock is not None and lock.locked
        choice = UnloggedCall.ask(
            self.window,
            who="" if locked else self.calls.customer_name,  # a locked screen names nobody
            length=clock_text(self.calls.elapsed()),
            can_log=not locked,
        )
        if choice == CallChoice.DISCARD:
            seconds = self.calls.stop()
            self._say(f"Call timer stopped at {clock_text(seconds)}; the call was not logged.")
            return True
        if choice == CallChoice.LOG:
            caller = self.calls.customer_id
            current = self.window.customer_view.customer
            if caller is not None and (current is None or current.id != caller):
                self.window.open_customer(caller)  # log it for the caller, not whoever is open
            return self.log_call() is not None
        return False

    def log_call(self) -> VisitResult | None:
        """F7: log the call on the phone channel; the timer's time becomes its duration."""
        return self.log_visit(channel=Channel.PHONE)

    # -- visits --------------------------------------------------------------------------------
    def log_visit(self, *, channel: Channel | None = None) -> VisitResult | None:
        customer = self.window.customer_view.customer
        if channel is None:
            channel = Channel.PHONE if self.opened_from_call else Channel.IN_PERSON
        return self._ask_visit(customer, channel)

    def edit_entry(self, entry: TimelineEntry) -> VisitResult | None:
        """Enter on a visit or call in the Timeline: correct what was typed."""
        if entry.kind != "visit":
            return None
        try:
            visit = self.desk.visits.get(entry.ref_id)
        except NotFound as exc:
            self._say(str(exc))
            return None
        return self._edit(visit)

    def _edit(self, visit: Visit, restore: dict[str, object] | None = None) -> VisitResult | None:
        from csdesk.ui.dialogs.visit_dialog import VisitDialog
        customer = self.window.customer_view.customer
        result = VisitDialog.ask(self.window, self.desk, customer, channel=visit.channel,
                                 visit=visit, restore=restore)
        self.window.activateWindow()
        if result is not None:
            self._say("Visit corrected. The audit log keeps who changed it and when.")
        return result

    def _ask_visit(
        self, customer: Customer | None, channel: Channel, restore: dict[str, object] | None = None
    ) -> VisitResult | None:
        from csdesk.ui.dialogs.visit_dialog import VisitDialog
        timing = self.calls.running and (
            self.calls.customer_id is None
            or self.calls.customer_id == (customer.id if customer else None)
        )
        result = VisitDialog.ask(
            self.window, self.desk, customer, channel=channel,
            direction=self.calls.direction if timing else "in",
            call_seconds=self.calls.elapsed if timing else None,
            restore=restore,
        )
        # Back in the window, in the search: ready for the next person (Esc clears it).
        self.window.search.focus_search()
        if result is None:
            return None
        if timing and result.visit.channel == Channel.PHONE:
            self.calls.stop()
        self._logged(result.visit, customer)
        if result.new_customer:
            self._make_customer(result.visit)
        return result

    def _logged(self, visit: Visit, customer: Customer | None) -> None:
        what = "Call" if visit.is_call else "Visit"
        if customer is None:
            self._say(f"{what} logged for a walk-in.")
        else:
            self._say(f"{what} logged for {customer.display_name}. Esc goes back to the search.")

    def _make_customer(self, visit: Visit) -> None:
        """The walk-in becomes a customer: the form, then the visit moves onto them."""
        from csdesk.ui.dialogs.customer_form import CustomerForm

        saved = CustomerForm.ask(self.window, self.desk)
        if saved is None:
            self._say("The visit stays logged as a walk-in.")
            return
        try:
            self.desk.visits.assign(visit.id, saved.id)
        except CsdeskError as exc:
            self._say(str(exc))
        self.window.open_customer(saved.id)

    # -- drafts left behind --------------------------------------------------------------------
    def _describe(self, draft: Draft) -> str:
        what = {"visit": "a visit", "note": "a note"}.get(draft.kind, f"a {draft.kind}")
        if draft.customer_id is None:
            who = "a walk-in"
        else:
            try:
                who = self.desk.customers.get(draft.customer_id).display_name
            except NotFound:
                who = "a customer no longer on file"
        return f"{what} for {who} ({when(draft.saved_at, tz=self.desk.tz)})"

    def offer_drafts(self) -> None:
        from csdesk.ui.dialogs.restore_drafts import DraftChoice, RestoreDrafts
        pending = [d for d in self.desk.drafts.pending() if d.kind in ("visit", "note")]
        if not pending:
            return
        lock = self.window.find_feature(Security)
        if lock is not None and lock.locked:
            # "a visit for Maria" over a locked screen would name a customer: ask after sign-in
            lock.lock_changed.connect(self._offer_after_sign_in)
            return
        choice = RestoreDrafts.ask(self.window, [self._describe(d) for d in pending])
        if choice == DraftChoice.DISCARD:
            for d in pending:
                self.desk.drafts.discard(d.kind, d.customer_id)
            return
        if choice == DraftChoice.RESTORE:
            for d in pending:
                self.restore(d)

    def _offer_after_sign_in(self, locked: bool) -> None:
        if locked:
            return
        self.window.feature(Security).lock_changed.disconnect(self._offer_after_sign_in)
        QTimer.singleShot(0, self.offer_drafts)

    def restore(self, draft: Draft) -> None:
        from csdesk.ui.dialogs.note_dialog import NoteDialog
        customer: Customer | None = None
        if draft.customer_id is not None:
            try:
                customer = self.desk.customers.get(draft.customer_id)
            except NotFound:
                self.desk.drafts.discard(draft.kind, draft.customer_id)
                return
            self.window.open_customer(customer.id)
        visit_id = draft.fields.get("visit_id")
        if draft.kind == "visit" and isinstance(visit_id, int):
            try:
                self._edit(self.desk.visits.get(visit_id), restore=dict(draft.fields))
            except NotFound:
                self.desk.drafts.discard(draft.kind, draft.customer_id)
        elif draft.kind == "visit":
            try:
                channel = Channel(str(draft.fields.get("channel") or "in_person"))
            except ValueError:
                channel = Channel.IN_PERSON
            self._ask_visit(customer, channel, restore=dict(draft.fields))
        elif draft.kind == "note" and customer is not None:
            note = None
            note_id = draft.fields.get("note_id")
            if isinstance(note_id, int):
                try:
                    note = self.desk.notes.get(note_id)
                except NotFound:
                    note = None
            NoteDialog.ask(self.window, self.desk, customer, note, restore=dict(draft.fields))


def install(window: Shell) -> None:
    VisitsFeature(window)  # registered: window.feature(VisitsFeature)
