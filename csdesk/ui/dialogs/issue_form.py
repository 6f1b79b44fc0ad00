"""Log an issue for the open customer, or edit one. Errors appear next to their field; nothing
typed is lost, not even when someone else saved the same issue first (Conflict)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Channel, Customer, GoodwillKind, Issue, IssueDraft, Priority
from csdesk.errors import Conflict, CsdeskError, PermissionDenied, UserError
from csdesk.services import money
from csdesk.services.clock import parse
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.form_bits import (
    combo,
    error_label,
    named,
    select_data,
    show_errors,
    with_error,
)

FIELDS = ("title", "description", "category", "priority", "channel", "owner", "due", "goodwill")


def due_text(desk: Desk, moment: datetime) -> str:
    """A due time as people type it back: '2026-12-03 15:00' in the shop's zone."""
    return moment.astimezone(desk.issues.tz).strftime("%Y-%m-%d %H:%M")


class IssueForm(QDialog):
    def __init__(
        self, parent: QWidget | None, desk: Desk, customer: Customer, issue: Issue | None = None
    ) -> None:
        super().__init__(parent)
        named(self, "issueForm", "Edit the issue" if issue else "Log an issue")
        self._desk = desk
        self._customer = customer
        self._issue = issue
        self.saved: Issue | None = None
        self.setWindowTitle(
            f"Edit issue #{issue.id}" if issue else f"Log an issue for {customer.display_name}"
        )

        self.title = named(QLineEdit(), "issueTitle", "Title")
        self.title.setPlaceholderText("A few words, like “late delivery”")
        self.description = named(QPlainTextEdit(), "issueDescription", "Description")
        self.description.setPlaceholderText("What happened, in the customer's words")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(90)
        self.category = combo(
            "issueCategory",
            "Category",
            [("—", None)] + [(c.name, c.id) for c in desk.issues.categories()],
        )
        self.priority = combo("issuePriority", "Priority", [(p.label, p) for p in Priority])
        select_data(self.priority, Priority.NORMAL)
        self.channel = combo("issueChannel", "Came in by", [(c.label, c) for c in Channel])
        self.owner = combo("issueOwner", "Owner", [(s.name, s.id) for s in desk.issues.owners()])
        select_data(self.owner, desk.actor.id)
        self.due = named(QLineEdit(), "issueDue", "Due")
        self.due.setPlaceholderText("2026-12-04 15:00, tomorrow 10:00, friday, in 3 days")
        self.due_hint = QLabel()
        self.due_hint.setProperty("tone", "muted")
        self._auto_due = ""
        if issue is None:
            self._set_default_due()
            self.priority.currentIndexChanged.connect(lambda _i: self._set_default_due())

        self.goodwill_amount = named(QLineEdit(), "goodwillAmount", "Goodwill amount")
        self.goodwill_amount.setPlaceholderText("Optional, like 15.00")
        self.goodwill_kind = combo("goodwillKind", "Goodwill kind", [(k.label, k) for k in GoodwillKind])
        goodwill = QWidget()
        goodwill_row = QHBoxLayout(goodwill)
        goodwill_row.setContentsMargins(0, 0, 0, 0)
        goodwill_row.addWidget(self.goodwill_amount, 1)
        goodwill_row.addWidget(self.goodwill_kind)
        limit = desk.issues.goodwill_limit(desk.actor.role)
        self.goodwill_hint = QLabel(
            "No limit for you."
            if limit is None
            else f"You may give up to {money.format_cents(limit)} per issue."
        )
        self.goodwill_hint.setProperty("tone", "muted")

        self.errors = {key: error_label(key) for key in (*FIELDS, "general")}
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.setHorizontalSpacing(16)
        due_box = with_error(self.due, self.errors["due"])
        due_box.layout().addWidget(self.due_hint)  # type: ignore[union-attr]
        gw_box = with_error(goodwill, self.errors["goodwill"])
        gw_box.layout().addWidget(self.goodwill_hint)  # type: ignore[union-attr]
        form.addRow("&Title", with_error(self.title, self.errors["title"]))
        form.addRow("&Description", with_error(self.description, self.errors["description"]))
        form.addRow("Ca&tegory", with_error(self.category, self.errors["category"]))
        form.addRow("&Priority", with_error(self.priority, self.errors["priority"]))
        form.addRow("Came in &by", with_error(self.channel, self.errors["channel"]))
        form.addRow("&Owner", with_error(self.owner, self.errors["owner"]))
        form.addRow("D&ue", due_box)
        form.addRow("&Goodwill", gw_box)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        named(save, "saveIssueButton", "Log the issue")
        save.setText("Log issue")
        named(
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
            "cancelIssueButton",
            "Cancel without logging",
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.errors["general"])
        layout.addWidget(self.buttons)
        self.resize(580, 0)
        if issue is not None:
            self._fill(issue)
            save.setText("Save changes")
            save.setAccessibleName("Save the changes")
            form.setRowVisible(gw_box, False)  # goodwill is added from the issue itself
        self.title.setFocus()

    def _fill(self, issue: Issue) -> None:
        """Start from the issue as it was read; its version goes back with the save."""
        self.title.setText(issue.title)
        self.description.setPlainText(issue.description)
        if issue.category_id is not None and self.category.findData(issue.category_id) < 0:
            self.category.addItem(issue.category, issue.category_id)  # retired, still shown
        select_data(self.category, issue.category_id)
        select_data(self.priority, issue.priority.value)
        select_data(self.channel, issue.channel.value)
        if issue.owner_id is not None and self.owner.findData(issue.owner_id) < 0:
            self.owner.addItem(f"{issue.owner_name} (no longer active)", issue.owner_id)
        select_data(self.owner, issue.owner_id)
        self._auto_due = due_text(self._desk, parse(issue.due_at))  # unchanged: keep as stored
        self.due.setText(self._auto_due)
        self.due_hint.setText("Change it to promise a new time.")

    def _set_default_due(self) -> None:
        """The priority's target, until the user types their own due time."""
        if self.due.text().strip() not in ("", self._auto_due):
            return
        priority = Priority(self.priority.currentData())
        self._auto_due = due_text(self._desk, self._desk.issues.default_due(priority))
        self.due.setText(self._auto_due)
        hours = self._desk.issues.target(priority).total_seconds() / 3600
        target = f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"
        self.due_hint.setText(f"{priority.label}: {target} in working time. Edit it if you like.")

    def draft(self) -> IssueDraft:
        """What the form holds; parsing the due time may raise UserError(field='due')."""
        typed = self.due.text().strip()
        due = None if typed == self._auto_due else self._desk.issues.parse_due(typed)
        return IssueDraft(
            customer_id=self._customer.id,
            title=self.title.text(),
            description=self.description.toPlainText(),
            category_id=self.category.currentData(),
            priority=Priority(self.priority.currentData()),
            channel=Channel(self.channel.currentData()),
            owner_id=self.owner.currentData(),
            due_at=due,
        )

    def goodwill(self) -> tuple[GoodwillKind, int] | None:
        if not self.goodwill_amount.text().strip():
            return None
        cents = money.parse_amount(self.goodwill_amount.text(), field="goodwill")
        return GoodwillKind(self.goodwill_kind.currentData()), cents

    def show_errors(self, errors: dict[str, str]) -> None:
        show_errors(self.errors, errors)
        focus = {"title": self.title, "due": self.due, "goodwill": self.goodwill_amount}
        first = next((k for k in errors if k in focus), None)
        if first:
            focus[first].setFocus()

    def save(self) -> None:
        errors: dict[str, str] = {}
        draft = goodwill = None
        try:
            draft = self.draft()
        except UserError as exc:
            errors[exc.field or "general"] = exc.message
        try:
            goodwill = self.goodwill()
        except UserError as exc:
            errors[exc.field or "general"] = exc.message
        if not self.title.text().strip():
            errors.setdefault("title", "Give the issue a short title, like “late delivery”.")
        if errors or draft is None:
            self.show_errors(errors)
            return
        try:
            if self._issue is None:
                self.saved = self._desk.issues.log(draft, goodwill=goodwill)
            else:
                self.saved = self._desk.issues.update(self._issue.id, draft, version=self._issue.version)
        except Conflict as exc:
            self.show_errors({"general": exc.message})
            return
        except PermissionDenied as exc:
            self.show_errors({"goodwill": str(exc)})
            return
        except UserError as exc:
            self.show_errors({exc.field or "general": exc.message})
            return
        except CsdeskError as exc:
            self.show_errors({"general": str(exc)})
            return
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, desk: Desk, customer: Customer, issue: Issue | None = None
    ) -> Issue | None:
        """The logged (or, given `issue`, edited) issue, or None when cancelled."""
        dialog = cls(parent, desk, customer, issue)
        dialog.exec()
        return dialog.saved
