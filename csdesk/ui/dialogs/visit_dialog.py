"""Log a visit or a call in seconds: the cursor starts in Purpose, Enter saves.

The channel comes preselected (in person, or phone during a call); purposes complete from the
shop's recent ones; satisfaction is optional (Tab to it and press 1 to 5). A walk-in with no
record is logged anonymously, or handed on to "New customer" in the same flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Channel, Customer, Visit
from csdesk.errors import Conflict, CsdeskError, SaveUncertain
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.drafting import DraftDialog, DraftKeeper

SATISFACTION = ("Not asked", "1 · unhappy", "2", "3 · fine", "4", "5 · delighted")
DIRECTIONS = (("in", "They called us"), ("out", "We called them"))
_MOVES = (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)


def clock_text(seconds: int) -> str:
    """mm:ss, or h:mm:ss past an hour."""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    if minutes >= 60:
        return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


@dataclass(frozen=True)
class VisitResult:
    visit: Visit
    new_customer: bool = False  # a walk-in who should become a customer now


class VisitDialog(DraftDialog):
    def __init__(
        self,
        parent: QWidget | None,
        desk: Desk,
        customer: Customer | None,
        *,
        channel: Channel = Channel.IN_PERSON,
        direction: str = "in",
        call_seconds: Callable[[], int] | None = None,
        restore: dict[str, Any] | None = None,
        visit: Visit | None = None,
    ) -> None:
        super().__init__(parent)
        self.visit = visit  # set: correcting a logged visit (the service records who and when)
        self.setObjectName("visitDialog")
        self.setAccessibleName("Log a visit")
        self._desk = desk
        self.customer = customer
        self._call_seconds = call_seconds
        self.result_value: VisitResult | None = None
        self._wants_customer = False
        self._picked = False  # a suggestion chosen with the arrows
        who = customer.display_name if customer else "a walk-in"
        self.setWindowTitle(f"Log a visit · {who}")

        if visit is not None:
            heading = "Correct this visit"
        elif customer is None:
            heading = "A walk-in with no record"
        elif channel == Channel.PHONE:
            heading = f"What did you talk about with {customer.display_name}?"
        else:
            heading = f"What brought {customer.display_name} in?"
        self.heading = QLabel(heading)
        self.heading.setObjectName("visitHeading")
        self.heading.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.heading.setWordWrap(True)

        self.channel = QComboBox()
        self.channel.setObjectName("visitChannel")
        self.channel.setAccessibleName("Channel")
        for c in Channel:
            self.channel.addItem(c.label, c.value)
        self.direction = QComboBox()
        self.direction.setObjectName("visitDirection")
        self.direction.setAccessibleName("Who called")
        for value, label in DIRECTIONS:
            self.direction.addItem(label, value)
        self.timer_label = QLabel()
        self.timer_label.setObjectName("visitCallTimer")
        self.timer_label.setAccessibleName("Call length")
        self.timer_label.setProperty("tone", "muted")

        self.purpose = QLineEdit()
        self.purpose.setObjectName("visitPurpose")
        self.purpose.setAccessibleName("Purpose")
        self.purpose.setPlaceholderText("e.g. fitted walking boots")
        self.purpose.setMaxLength(4000)
        self._suggestions = QStringListModel(self)
        completer = QCompleter(self._suggestions, self)
        # The service already filters and ranks (accents, word starts): show its list as is.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.purpose.setCompleter(completer)
        self.completer = completer
        popup = completer.popup()
        if popup is not None:
            # Enter with suggestions open but none chosen saves what was typed (one Enter, not
            # two); after Down picks a suggestion, Enter takes it as usual.
            popup.installEventFilter(self)
        self.purpose.textEdited.connect(self._suggest)

        self.outcome = QLineEdit()
        self.outcome.setObjectName("visitOutcome")
        self.outcome.setAccessibleName("Outcome")
        self.outcome.setPlaceholderText("What came of it (optional)")
        self.outcome.setMaxLength(4000)
        self.satisfaction = QComboBox()
        self.satisfaction.setObjectName("visitSatisfaction")
        self.satisfaction.setAccessibleName("Satisfaction, 1 to 5")
        self.satisfaction.addItems(SATISFACTION)
        self.satisfaction.setToolTip("Optional. With the focus here, press 1 to 5.")

        self.make_error_label("visitError")

        form = QFormLayout()
        form.setSpacing(10)
        form.addRow("Channel", self.channel)
        form.addRow("Call", self.direction)
        form.addRow("", self.timer_label)
        form.addRow("Purpose", self.purpose)
        form.addRow("Outcome", self.outcome)
        form.addRow("Satisfaction", self.satisfaction)
        self.form = form

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("visitSave")
        self.save_button.setAccessibleName("Save the visit (Enter)")
        self.save_button.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("visitCancel")
        cancel.setAccessibleName("Cancel")
        self.new_customer_button: QPushButton | None = None
        if customer is None and visit is None:
            self.new_customer_button = buttons.addButton(
                "Save and add as customer…", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.new_customer_button.setObjectName("visitNewCustomer")
            self.new_customer_button.setAccessibleName("Save and add as a new customer (Ctrl+N)")
            self.new_customer_button.setAutoDefault(False)
            self.new_customer_button.clicked.connect(self._save_as_customer)
            QShortcut(QKeySequence("Ctrl+N"), self, self._save_as_customer)
        self.save_button.clicked.connect(self._save)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(14)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

        self._set_choice(self.channel, channel.value)
        self._set_choice(self.direction, direction)
        if visit is not None:
            self._call_seconds = None  # a logged call keeps its length
            self._restore({"channel": visit.channel.value, "direction": visit.direction or "in",
                           "purpose": visit.purpose, "outcome": visit.outcome,
                           "satisfaction": visit.satisfaction})
        if restore:
            self._restore(restore)
        self.channel.currentIndexChanged.connect(self._channel_changed)
        self._channel_changed()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_timer)
        self._tick.start()

        self.draft = DraftKeeper(desk, "visit", customer.id if customer else None, self.fields,
                                 self, on_error=self._show_error)
        for edit in (self.purpose, self.outcome):
            edit.textChanged.connect(self.draft.changed)
        for combo in (self.channel, self.direction, self.satisfaction):
            combo.currentIndexChanged.connect(self.draft.changed)
        self.purpose.setFocus()

    # -- fields --------------------------------------------------------------------------------
    @staticmethod
    def _set_choice(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def fields(self) -> dict[str, Any]:
        return {
            "visit_id": self.visit.id if self.visit else None,
            "channel": self.channel.currentData(),
            "direction": self.direction.currentData(),
            "purpose": self.purpose.text(),
            "outcome": self.outcome.text(),
            "satisfaction": self.satisfaction.currentIndex() or None,
        }

    def _restore(self, fields: dict[str, Any]) -> None:
        self._set_choice(self.channel, fields.get("channel"))
        self._set_choice(self.direction, fields.get("direction"))
        self.purpose.setText(str(fields.get("purpose") or ""))
        self.outcome.setText(str(fields.get("outcome") or ""))
        sat = fields.get("satisfaction")
        if isinstance(sat, int) and 1 <= sat <= 5:
            self.satisfaction.setCurrentIndex(sat)

    def _channel_changed(self) -> None:
        phone = self.channel.currentData() == Channel.PHONE.value
        self.form.setRowVisible(self.direction, phone)
        self.form.setRowVisible(self.timer_label, phone and self._call_seconds is not None)
        self._show_timer()

    def _show_timer(self) -> None:
        if self._call_seconds is not None:
            running = clock_text(self._call_seconds())
            self.timer_label.setText(f"On the line for {running}; saving stops the timer.")

    def _suggest(self, text: str) -> None:
        self._picked = False  # typing again: nothing chosen from the list yet
        found = self._desk.visits.purpose_suggestions(text, limit=8) if text.strip() else []
        found = [s for s in found if s.casefold() != text.strip().casefold()]
        self._suggestions.setStringList(found)
        if found:
            self.completer.complete()
        else:
            popup = self.completer.popup()
            if popup is not None:
                popup.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        popup = self.completer.popup()
        if watched is popup and popup is not None and isinstance(event, QKeyEvent) and (
            event.type() == QEvent.Type.KeyPress
        ):
            if event.key() in _MOVES:
                self._picked = True  # Qt highlights a match by itself; a move is a real choice
            elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._picked:
                popup.hide()
                self._save()
                return True
        return super().eventFilter(watched, event)

    # -- saving --------------------------------------------------------------------------------
    def _save_as_customer(self) -> None:
        self._wants_customer = True
        self._save()

    def _save(self) -> None:
        if self.outcome_pending or self.saving:
            return  # the last save may have gone through, or waits: never twice (Ctrl+Enter too)
        f = self.fields()
        phone = f["channel"] == Channel.PHONE.value
        duration = self._call_seconds() if phone and self._call_seconds is not None else None
        visit, customer_id = self.visit, self.customer.id if self.customer else None

        def write(desk: Desk) -> Visit:  # on the window's Desk, or a worker's while it waits
            if visit is not None:
                return desk.visits.edit(
                    visit.id, channel=f["channel"], purpose=f["purpose"],
                    outcome=f["outcome"], satisfaction=f["satisfaction"],
                    direction=f["direction"] if phone else None, version=visit.version,
                )
            return desk.visits.log(
                customer_id,
                channel=f["channel"],
                purpose=f["purpose"],
                outcome=f["outcome"],
                satisfaction=f["satisfaction"],
                direction=f["direction"] if phone else None,
                duration_s=duration,
            )

        self.write(write, self._saved)

    def _saved(self, outcome: Callable[[], Visit]) -> None:
        try:
            visit = outcome()
        except SaveUncertain as exc:  # the COMMIT went out, its answer never came
            self.await_outcome(exc, self.save_button)
            return
        except Conflict as exc:
            # Someone saved this visit meanwhile: what was typed stays; the next Save, now made
            # on their version, keeps this one over theirs (the message says so).
            self._show_error(str(exc))
            if self.visit is not None:
                self.visit = self._desk.visits.get(self.visit.id)
            return
        except CsdeskError as exc:
            self._show_error(str(exc))
            return
        self.draft.discard()
        self.result_value = VisitResult(visit, new_customer=self._wants_customer)
        self.accept()

    def take_saved(self, written_id: int | None) -> None:
        visit_id = self.visit.id if self.visit is not None else written_id
        if visit_id is not None:
            visit = self._desk.visits.get(visit_id)
            self.result_value = VisitResult(visit, new_customer=self._wants_customer)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        desk: Desk,
        customer: Customer | None,
        *,
        channel: Channel = Channel.IN_PERSON,
        direction: str = "in",
        call_seconds: Callable[[], int] | None = None,
        restore: dict[str, Any] | None = None,
        visit: Visit | None = None,
    ) -> VisitResult | None:
        dialog = cls(parent, desk, customer, channel=channel, direction=direction,
                     call_seconds=call_seconds, restore=restore, visit=visit)
        dialog.exec()
        result = dialog.result_value
        dialog._tick.stop()
        dialog.dispose()
        return result
