"""Plan a follow-up for a customer ("call back Friday"), and say what was done when it is."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Customer, FollowUp
from csdesk.errors import Conflict, CsdeskError, UserError
from csdesk.services.desk import Desk
from csdesk.services.issues import IssueQuery
from csdesk.ui.dialogs.form_bits import (
    combo,
    error_label,
    named,
    select_data,
    show_errors,
    with_error,
)
from csdesk.ui.models.issue_models import local_time


def _buttons(dialog: QDialog, ok_text: str, ok_name: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    named(ok, ok_name, ok_text)
    named(box.button(QDialogButtonBox.StandardButton.Cancel), f"{ok_name}Cancel", "Cancel")
    box.rejected.connect(dialog.reject)
    return box


class FollowUpForm(QDialog):
    def __init__(
        self, parent: QWidget | None, desk: Desk, customer: Customer, issue_id: int | None = None
    ) -> None:
        super().__init__(parent)
        named(self, "followUpForm", "New follow-up")
        self._desk = desk
        self._customer = customer
        self.saved: FollowUp | None = None
        self.setWindowTitle(f"Follow-up for {customer.display_name}")

        self.title = named(QLineEdit(), "followUpTitle", "What to do")
        self.title.setPlaceholderText("Call back about the repair")
        self.due = named(QLineEdit("tomorrow 10:00"), "followUpDue", "Due")
        self.due.setPlaceholderText("friday, tomorrow 10:00, 2026-12-04 15:00, in 2 hours")
        self.due_preview = QLabel()
        self.due_preview.setObjectName("followUpDuePreview")
        self.due_preview.setProperty("tone", "muted")
        self.due.textChanged.connect(lambda _t: self._preview())
        self.owner = combo("followUpOwner", "Owner", [(s.name, s.id) for s in desk.issues.owners()])
        select_data(self.owner, desk.actor.id)
        open_issues = desk.issues.page(IssueQuery(customer_id=customer.id), limit=100)
        self.issue = combo(
            "followUpIssue",
            "About issue",
            [("No issue", None)] + [(f"#{r.issue.id} {r.issue.title}", r.issue.id) for r in open_issues],
        )
        select_data(self.issue, issue_id)
        self.errors = {k: error_label(k) for k in ("title", "due", "owner", "issue", "general")}
        due_box = with_error(self.due, self.errors["due"])
        due_box.layout().addWidget(self.due_preview)  # type: ignore[union-attr]
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.setHorizontalSpacing(16)
        form.addRow("&What to do", with_error(self.title, self.errors["title"]))
        form.addRow("&Due", due_box)
        form.addRow("&Owner", with_error(self.owner, self.errors["owner"]))
        form.addRow("&About", with_error(self.issue, self.errors["issue"]))
        buttons = _buttons(self, "Plan follow-up", "saveFollowUpButton")
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.errors["general"])
        layout.addWidget(buttons)
        self.resize(540, 0)
        self._preview()
        self.title.setFocus()

    def _preview(self) -> None:
        """Say back the time we understood, so 'friday' is never a surprise."""
        # The error under Due was about what was there before ("That time has already passed"
        # next to a new, valid date contradicted the preview): it goes when the text changes.
        self.errors["due"].setText("")
        self.errors["due"].setVisible(False)
        try:
            moment = self._desk.issues.parse_due(self.due.text())
        except UserError:
            self.due_preview.setText("")
            return
        when = local_time(moment.isoformat(), self._desk.issues.tz, self._desk.clock())
        self.due_preview.setText(f"That is {when}")

    def save(self) -> None:
        errors: dict[str, str] = {}
        if not self.title.text().strip():
            errors["title"] = "Say what to do, like “call back about the repair”."
        try:
            due = self._desk.issues.parse_due(self.due.text())
        except UserError as exc:
            errors["due"] = exc.message
        if errors:
            self._show_errors(errors)
            (self.title if "title" in errors else self.due).setFocus()
            return
        try:
            self.saved = self._desk.followups.add(
                self._customer.id,
                self.title.text(),
                due,
                owner_id=self.owner.currentData(),
                issue_id=self.issue.currentData(),
            )
        except UserError as exc:
            self._show_errors({exc.field or "general": exc.message})
            return
        except CsdeskError as exc:
            self._show_errors({"general": str(exc)})
            return
        self.accept()

    def _show_errors(self, errors: dict[str, str]) -> None:
        show_errors(self.errors, errors)
        # Taller by the error's lines: a dialog keeps its height, and a two-line "That time has
        # already passed. Pick a time from now on." was squeezed into one, its words cut.
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            self.resize(self.width(), max(self.height(), layout.totalHeightForWidth(self.width())))

    @classmethod
    def ask(
        cls, parent: QWidget | None, desk: Desk, customer: Customer, issue_id: int | None = None
    ) -> FollowUp | None:
        dialog = cls(parent, desk, customer, issue_id)
        dialog.exec()
        return dialog.saved


class CompleteFollowUp(QDialog):
    """What was done; it goes on the customer's timeline."""

    def __init__(self, parent: QWidget | None, desk: Desk, followup: FollowUp) -> None:
        super().__init__(parent)
        named(self, "completeFollowUp", "Mark follow-up done")
        self._desk = desk
        self._followup = followup
        self.completed: FollowUp | None = None
        self.setWindowTitle("Mark done")
        intro = QLabel(f"<b>{_escape(followup.title)}</b> for {_escape(followup.customer_name)}")
        intro.setWordWrap(True)
        self.outcome = named(QPlainTextEdit(), "followUpOutcome", "What was done")
        self.outcome.setPlaceholderText("Called: the parcel arrived, customer happy")
        self.outcome.setTabChangesFocus(True)
        self.outcome.setFixedHeight(90)
        self.error = error_label("outcome")
        hint = QLabel("This goes on the customer's timeline. Ctrl+Enter saves.")
        hint.setProperty("tone", "muted")
        buttons = _buttons(self, "Mark done", "markDoneButton")
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.outcome)
        layout.addWidget(self.error)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self).activated.connect(self.save)
        self.resize(500, 0)
        self.outcome.setFocus()

    def save(self) -> None:
        try:
            self.completed = self._desk.followups.complete(
                self._followup.id, self.outcome.toPlainText(), version=self._followup.version
            )
        except Conflict as exc:
            # Changed elsewhere but still open: the outcome typed stays, and Mark done again
            # (now on their version) keeps it, as the message says.
            self.error.setText(str(exc))
            self.error.show()
            self._followup = self._desk.followups.get(self._followup.id)
            return
        except CsdeskError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk, followup: FollowUp) -> FollowUp | None:
        """The completed follow-up, or None when cancelled."""
        dialog = cls(parent, desk, followup)
        dialog.exec()
        return dialog.completed


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
