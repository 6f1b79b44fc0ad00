"""One issue: what happened so far, move it along the workflow, comment, add goodwill.

Every save carries the version this dialog read. When someone else saved in between, the service
refuses (Conflict): the message says so, everything typed stays, and Reload shows their change.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import GoodwillKind, Issue, IssueStatus
from csdesk.errors import Conflict, CsdeskError, NotFound, PermissionDenied, UserError
from csdesk.services import dates, money
from csdesk.services.clock import parse
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.followup_dialogs import FollowUpForm
from csdesk.ui.dialogs.form_bits import combo, error_label, named, show_errors, with_error
from csdesk.ui.dialogs.issue_form import IssueForm
from csdesk.ui.models.issue_models import IssueEventsModel, local_time
from csdesk.ui.theme import tones
from csdesk.ui.widgets.two_line import TwoLineDelegate

SATISFACTION = [("Not asked", None)] + [(f"{n} of 5", n) for n in range(5, 0, -1)]


def status_choice(status: IssueStatus) -> str:
    return "Reopen" if status is IssueStatus.OPEN else status.label


class IssueDetail(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, issue_id: int) -> None:
        super().__init__(parent)
        named(self, "issueDetail", "Issue details")
        self._desk = desk
        self.issue: Issue = desk.issues.get(issue_id)
        self.changed = False

        self.heading = named(QLabel(), "issueHeading", "Issue title")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.meta = named(QLabel(), "issueMeta", "Issue facts")
        self.meta.setWordWrap(True)
        self.meta.setProperty("tone", "muted")
        self.due = named(QLabel(), "issueDue", "Due")
        self.description = named(QLabel(), "issueDescriptionText", "Description")
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.events_model = IssueEventsModel(desk, self)
        self.events = named(QListView(), "issueEvents", "What happened so far")
        self.events.setModel(self.events_model)
        self.events.setItemDelegate(TwoLineDelegate(self.events, wrap=True))
        self.events.setWordWrap(True)
        self.events.setResizeMode(QListView.ResizeMode.Adjust)
        events_title = QLabel("What happened so far")
        events_title.setProperty("tone", "sectionTitle")

        # -- moving it along ----------------------------------------------------------------------
        self.errors = {k: error_label(k) for k in ("status", "comment", "resolution", "goodwill", "general")}
        self.status = combo("issueNextStatus", "Change status to", [])
        self.status.currentIndexChanged.connect(lambda _i: self._show_resolution_fields())
        self.comment = named(QPlainTextEdit(), "issueComment", "Comment")
        self.comment.setPlaceholderText("What was done or said (optional)")
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(70)
        self.resolution = named(QPlainTextEdit(), "issueResolution", "Resolution")
        self.resolution.setPlaceholderText("How it was put right (needed to resolve)")
        self.resolution.setTabChangesFocus(True)
        self.resolution.setFixedHeight(70)
        self.satisfaction = combo("issueSatisfaction", "Customer satisfaction", SATISFACTION)
        self.status_button = named(QPushButton("Change status"), "changeStatusButton", "")
        self.status_button.setAccessibleName("Change the status (Ctrl+Enter)")
        self.status_button.setToolTip("Ctrl+Enter")
        self.status_button.clicked.connect(self.change_status)
        self.comment_button = named(
            QPushButton("Add comment only"), "addCommentButton", "Add the comment only"
        )
        self.comment_button.clicked.connect(self.add_comment)
        move = QFormLayout()
        move.setVerticalSpacing(8)
        move.addRow("&Status", with_error(self.status, self.errors["status"]))
        move.addRow("Co&mment", with_error(self.comment, self.errors["comment"]))
        self.resolution_box = with_error(self.resolution, self.errors["resolution"])
        move.addRow("&Resolution", self.resolution_box)
        move.addRow("Satis&faction", self.satisfaction)
        self._move_form = move
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.status_button)
        buttons.addWidget(self.comment_button)
        buttons.addStretch(1)
        move.addRow("", buttons)

        # -- goodwill -----------------------------------------------------------------------------
        self.goodwill_amount = named(QLineEdit(), "detailGoodwillAmount", "Goodwill amount")
        self.goodwill_amount.setPlaceholderText("like 15.00")
        self.goodwill_kind = combo(
            "detailGoodwillKind", "Goodwill kind", [(k.label, k) for k in GoodwillKind]
        )
        self.goodwill_button = named(QPushButton("Add goodwill"), "addGoodwillButton", "Add goodwill")
        self.goodwill_button.clicked.connect(self.add_goodwill)
        self.goodwill_amount.returnPressed.connect(self.add_goodwill)
        gw_row = QWidget()
        gw = QHBoxLayout(gw_row)
        gw.setContentsMargins(0, 0, 0, 0)
        gw.addWidget(self.goodwill_amount, 1)
        gw.addWidget(self.goodwill_kind)
        gw.addWidget(self.goodwill_button)
        move.addRow("&Goodwill", with_error(gw_row, self.errors["goodwill"]))

        self.edit_button = named(QPushButton("Edit…"), "editIssueButton", "Edit the issue")
        self.edit_button.setToolTip("Title, description, category, priority, owner, due time")
        self.edit_button.setAutoDefault(False)
        self.edit_button.clicked.connect(self.edit)
        self.followup_button = named(
            QPushButton("Plan follow-up…"), "issueFollowUpButton", "Plan a follow-up on this issue"
        )
        self.followup_button.setAutoDefault(False)
        self.followup_button.clicked.connect(self.plan_followup)
        self.email_button = named(
            QPushButton("E-mail “issue resolved”…"), "issueEmailResolved",
            "E-mail the customer that the issue is resolved",
        )
        self.email_button.setToolTip("The “Issue resolved” letter, previewed, then sent by e-mail")
        self.email_button.setAutoDefault(False)
        self.email_button.clicked.connect(self.email_resolved)
        self.reload_button = named(QPushButton("Reload"), "reloadIssueButton", "Reload the issue")
        self.reload_button.clicked.connect(self.reload)
        self.reload_button.hide()
        self.notice = named(QLabel(), "issueNotice", "What was just done")
        self.notice.setProperty("tone", "muted")
        self.notice.setWordWrap(True)
        problem = QHBoxLayout()
        problem.addWidget(self.errors["general"], 1)
        problem.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        named(close.button(QDialogButtonBox.StandardButton.Close), "closeIssueButton", "Close")
        close.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(events_title)
        left.addWidget(self.events, 1)
        right = QVBoxLayout()
        act_title = QLabel("Move it along")
        act_title.setProperty("tone", "sectionTitle")
        right.addWidget(act_title)
        right.addLayout(move)
        right.addLayout(problem)
        right.addWidget(self.notice)
        right.addStretch(1)
        body = QHBoxLayout()
        body.setSpacing(24)
        body.addLayout(left, 5)
        body.addLayout(right, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 14)
        layout.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.email_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.followup_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.meta)
        layout.addWidget(self.due)
        layout.addWidget(self.description)
        layout.addSpacing(6)
        layout.addLayout(body, 1)
        layout.addWidget(close)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(self.change_status)
        self.resize(960, 620)
        self._show_issue()
        self.status.setFocus()

    # -- showing ---------------------------------------------------------------------------------
    def _show_issue(self) -> None:
        issue = self.issue
        self.setWindowTitle(f"Issue #{issue.id}: {issue.title}")
        self.heading.setText(issue.title)
        customer = self._desk.customers.get(issue.customer_id).display_name
        seconds = (parse(issue.due_at) - self._desk.clock()).total_seconds()
        due = local_time(issue.due_at, self._desk.issues.tz, self._desk.clock())
        late = issue.status.is_open and seconds < 0
        self.due.setText(f"Due {due}: {dates.left_label(seconds)}" if issue.status.is_open else "")
        self.due.setVisible(issue.status.is_open)
        # The "issue resolved" letter declines an open issue: offered once it is resolved.
        self.email_button.setEnabled(not issue.status.is_open and issue.customer_id is not None)
        self.due.setStyleSheet(f"color: {tones().error}; font-weight: 600;" if late else "")
        when = ""
        if issue.status is IssueStatus.RESOLVED and issue.satisfaction:
            when = f"customer satisfaction {issue.satisfaction} of 5"
        facts = [
            f"#{issue.id}",
            customer,
            issue.status.label,
            f"{issue.priority.label} priority",
            issue.category,
            f"owner {issue.owner_name}" if issue.owner_name else "",
            when,
            f"goodwill {money.format_cents(issue.goodwill_cents)}" if issue.goodwill_cents else "",
        ]
        self.meta.setText("  ·  ".join(f for f in facts if f))
        text = issue.description or ""
        if issue.resolution:
            text = "\n\n".join(p for p in (text, f"Resolution: {issue.resolution}") if p)
        self.description.setText(text)
        self.description.setVisible(bool(text))
        previous = self.status.currentData()  # Qt hands enums back as their str value
        self.status.blockSignals(True)
        self.status.clear()
        for target in self._desk.issues.next_statuses(issue.status):
            self.status.addItem(status_choice(target), target)
        index = self.status.findData(previous)
        self.status.setCurrentIndex(max(index, 0))
        self.status.blockSignals(False)
        self._show_resolution_fields()
        self.events_model.set_issue(issue.id)
        self.events.scrollToBottom()

    def _show_resolution_fields(self) -> None:
        resolving = self.status.currentData() == IssueStatus.RESOLVED.value
        self._move_form.setRowVisible(self.resolution_box, resolving)
        self._move_form.setRowVisible(self.satisfaction, resolving)

    def _problem(self, errors: dict[str, str], *, conflict: bool = False) -> None:
        show_errors(self.errors, errors)
        self.reload_button.setVisible(conflict)

    # -- acting ----------------------------------------------------------------------------------
    def _run(self, action: str) -> bool:
        """Run one write; on failure show why, keep every typed character, return False."""
        try:
            if action == "status":
                self.issue = self._desk.issues.set_status(
                    self.issue.id,
                    IssueStatus(self.status.currentData()),
                    version=self.issue.version,
                    comment=self.comment.toPlainText(),
                    resolution=self.resolution.toPlainText(),
                    satisfaction=self.satisfaction.currentData(),
                )
            elif action == "comment":
                self._desk.issues.comment(self.issue.id, self.comment.toPlainText())
                self.issue = self._desk.issues.get(self.issue.id)
            else:
                cents = money.parse_amount(self.goodwill_amount.text(), field="goodwill")
                kind = GoodwillKind(self.goodwill_kind.currentData())
                self._desk.issues.add_goodwill(self.issue.id, kind, cents)
                self.issue = self._desk.issues.get(self.issue.id)
        except Conflict as exc:
            self._problem({"general": exc.message}, conflict=True)
            return False
        except PermissionDenied as exc:
            self._problem({"goodwill" if action == "goodwill" else "general": str(exc)})
            return False
        except UserError as exc:
            self._problem({exc.field or "general": exc.message})
            return False
        except (NotFound, CsdeskError) as exc:
            self._problem({"general": str(exc)})
            return False
        self.changed = True
        self._problem({})
        return True

    def change_status(self) -> None:
        if self.status.currentData() is None:
            return
        if self._run("status"):
            self.comment.clear()
            self.resolution.clear()
            self.satisfaction.setCurrentIndex(0)
            self._show_issue()
            self.status.setFocus()

    def add_comment(self) -> None:
        if self._run("comment"):
            self.comment.clear()
            self._show_issue()

    def add_goodwill(self) -> None:
        if self._run("goodwill"):
            self.goodwill_amount.clear()
            self._show_issue()

    def edit(self) -> None:
        customer = self._desk.customers.get(self.issue.customer_id)
        saved = IssueForm.ask(self, self._desk, customer, self.issue)
        if saved is not None:
            self.issue = saved
            self.changed = True
            self._problem({})
            self._show_issue()

    def plan_followup(self) -> None:
        customer = self._desk.customers.get(self.issue.customer_id)
        planned = FollowUpForm.ask(self, self._desk, customer, self.issue.id)
        if planned is not None:
            self._problem({})
            self.notice.setText(f"Follow-up planned: {planned.title}, {planned.time_label}.")

    def email_resolved(self) -> int | None:
        from csdesk.ui.dialogs.letter_dialog import LetterDialog

        if self.issue.customer_id is None:
            return None
        dialog = LetterDialog(self, self._desk, self.issue.customer_id,
                              issue=self._desk.letters.issue_fields(self.issue.id),
                              template="issue_resolved")
        dialog.focus_when_ready(dialog.email_button)
        dialog.exec()
        if dialog.queued_email is not None:
            self.notice.setText("The “issue resolved” e-mail is in the outbox.")
        return dialog.queued_email

    def reload(self) -> None:
        """Show what the other person saved; what was typed here stays to be saved again."""
        try:
            self.issue = self._desk.issues.get(self.issue.id)
        except NotFound as exc:
            self._problem({"general": str(exc)})
            return
        self._problem({})
        self._show_issue()

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk, issue_id: int) -> Issue | None:
        """The issue as last saved here, or None when nothing was changed."""
        dialog = cls(parent, desk, issue_id)
        dialog.exec()
        return dialog.issue if dialog.changed else None
