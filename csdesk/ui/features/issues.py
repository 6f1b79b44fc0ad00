"""Issues and follow-ups in the main window: log with Ctrl+I, the due queue on Ctrl+D, the issue
list on Ctrl+Shift+I, a customer tab, open issues on the greeting banner, and a status-bar count."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton

from csdesk.domain import Change, Customer, FollowUp
from csdesk.errors import CsdeskError, NotFound
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.widgets.issue_views import CustomerIssues, FollowUpQueue, IssueList

BANNER_SOURCE = "issues"
SHORTCUTS = (
    ("Ctrl+I", "Log an issue for the open customer"),
    ("Ctrl+Shift+F", "New follow-up for the open customer"),
    ("Ctrl+D", "Follow-ups due today and overdue"),
    ("Ctrl+Shift+I", "All issues, with filters"),
    ("Ctrl+Enter", "In the follow-ups: mark done; in an issue: change its status"),
)

WATCHED = ("issue", "followup", "issue_category", "customer", "staff")


class IssuesFeature(Feature):
    """Holds the feature's windows and keeps them, the tab and the banner current."""

    def __init__(self, window: Shell) -> None:
        super().__init__(window, "issuesFeature")
        self.window = window
        desk = window.desk
        self.desk = desk
        # The queue and the issue list are windows of their own, built when first opened: the
        # list asks the database for its owners and categories, which the first search does
        # not need to wait for.
        self._queue: FollowUpQueue | None = None
        self._list: IssueList | None = None
        self.tab = CustomerIssues(desk)
        self.tab.issue_requested.connect(self.open_issue)
        self.tab.log_requested.connect(self.log_issue)
        self.tab.followup_requested.connect(self.new_followup)
        self.tab.done_requested.connect(self.complete_followup)
        self.tab_index = window.add_section(self.tab, "Issues")

        key = QKeySequence
        add = window.add_action
        self.log_action = add("logIssueAction", "&Log an issue…", [key("Ctrl+I")], self.log_issue)
        self.followup_action = add(
            "newFollowUpAction", "New &follow-up…", [key("Ctrl+Shift+F")], self.new_followup
        )
        self.queue_action = add("followUpQueueAction", "Follow-ups &due…", [key("Ctrl+D")], self.show_queue)
        self.list_action = add("issueListAction", "All &issues…", [key("Ctrl+Shift+I")], self.show_list)
        menu = window.menu("&Issues")
        menu.addAction(self.log_action)
        menu.addAction(self.followup_action)
        menu.addSeparator()
        menu.addAction(self.queue_action)
        menu.addAction(self.list_action)
        for keys, text in SHORTCUTS:
            window.add_shortcut_help(keys, text)

        # Always in sight: how many follow-ups are due; a click opens the queue.
        self.due_button = QPushButton()
        self.due_button.setObjectName("followUpsDueButton")
        self.due_button.setAccessibleName("Follow-ups due (Ctrl+D)")
        self.due_button.setToolTip("Ctrl+D")
        self.due_button.setFlat(True)
        self.due_button.setStyleSheet("QPushButton { border: none; padding: 2px 10px; }")
        self.due_button.clicked.connect(self.show_queue)
        window.add_status_item(self.due_button)

        window.customer_view.customer_changed.connect(self._show_customer)
        window.bus.changed.connect(self._on_change)
        # Time alone makes follow-ups due: recount every minute and with each customer opened.
        self.due_timer = self.timer("followUpsDueTimer", 60_000, self._update_due_count)
        self.due_timer.start()
        self._show_customer(window.customer_view.customer)

    # -- actions ---------------------------------------------------------------------------------

    @property
    def queue(self) -> FollowUpQueue:
        if self._queue is None:
            self._queue = FollowUpQueue(self.desk, self.window)
            self._queue.customer_requested.connect(self._open_customer_from_queue)
            self._queue.done_requested.connect(self.complete_followup)
            self._queue.email_requested.connect(self.email_followup)
        return self._queue

    @property
    def list(self) -> IssueList:
        if self._list is None:
            self._list = IssueList(self.desk, self.window)
            self._list.issue_requested.connect(self.open_issue)
        return self._list
    def _customer(self, verb: str) -> Customer | None:
        customer = self.window.customer_view.customer
        if customer is None:
            self.window.statusBar().showMessage(f"Open a customer first, then {verb}.", 5000)
        return customer

    def log_issue(self) -> None:
        from csdesk.ui.dialogs.issue_form import IssueForm
        customer = self._customer("Ctrl+I logs an issue for them")
        if customer is None:
            return
        issue = IssueForm.ask(self.window, self.desk, customer)
        if issue is not None:
            self.window.statusBar().showMessage(
                f"Issue logged: {issue.title}. {issue.owner_name} owns it.", 6000
            )
            self.window.customer_view.sections.setCurrentIndex(self.tab_index)

    def new_followup(self) -> None:
        from csdesk.ui.dialogs.followup_dialogs import FollowUpForm
        customer = self._customer("Ctrl+Shift+F plans a follow-up")
        if customer is None:
            return
        followup = FollowUpForm.ask(self.window, self.desk, customer)
        if followup is not None:
            self.window.statusBar().showMessage(
                f"Follow-up planned: {followup.title}, {followup.time_label}.", 6000
            )

    def complete_followup(self, followup: FollowUp) -> None:
        from csdesk.ui.dialogs.followup_dialogs import CompleteFollowUp
        done = CompleteFollowUp.ask(self.window, self.desk, followup)
        if done is not None:
            self.window.statusBar().showMessage(f"Done: {done.title}. It is on the timeline.", 6000)

    def email_followup(self, followup: FollowUp) -> None:
        """The follow-up as a letter by e-mail: the letter dialog (preview first) for its
        customer, "issue resolved" when it follows up an issue, else "thank you"."""
        from csdesk.ui.dialogs.letter_dialog import LetterDialog

        try:
            issue = self.desk.letters.issue_fields(followup.issue_id) if followup.issue_id else None
            template = "issue_resolved" if issue and issue.get("resolved_at") else "thank_you"
            dialog = LetterDialog(self.queue, self.desk, followup.customer_id, issue=issue,
                                  template=template)
        except CsdeskError as exc:
            self.window.statusBar().showMessage(str(exc), 6000)
            return
        dialog.focus_when_ready(dialog.email_button)
        dialog.exec()
        if dialog.queued_email is not None:
            self.window.statusBar().showMessage("The follow-up is in the outbox.", 6000)

    def open_issue(self, issue_id: int) -> None:
        from csdesk.ui.dialogs.issue_detail import IssueDetail
        try:
            IssueDetail.ask(self.window, self.desk, issue_id)
        except NotFound as exc:
            self.window.statusBar().showMessage(str(exc), 6000)

    def show_queue(self) -> None:
        self.queue.show_queue()

    def show_list(self) -> None:
        self.list.show_list()

    def _open_customer_from_queue(self, customer_id: int) -> None:
        self.queue.hide()
        self.window.open_customer(customer_id)
        self.window.customer_view.sections.setCurrentIndex(self.tab_index)

    # -- staying current -------------------------------------------------------------------------
    def _show_customer(self, customer: Customer | None) -> None:
        customer_id = customer.id if customer else None
        self.tab.set_customer(customer_id)
        opened = self.tab.open_count()
        self.window.customer_view.sections.setTabText(
            self.tab_index, f"Issues ({opened})" if opened else "Issues"
        )
        lines = self.desk.issues.open_summaries(customer_id) if customer_id else []
        self.window.customer_view.banner.set_extra_lines(
            BANNER_SOURCE, lines, urgent=[line.endswith(", overdue") for line in lines]
        )
        self._update_due_count()

    def _on_change(self, change: object) -> None:
        if not isinstance(change, Change) or change.kind not in WATCHED:
            return
        current = self.window.customer_view.customer
        if current is not None and (
            change.customer_id == current.id or change.kind in ("staff", "issue_category")
        ):
            self._show_customer(current)
        else:
            self._update_due_count()
        if self._queue is not None and self._queue.isVisible():
            self._queue.follow()
        if self._list is not None and self._list.isVisible():
            self._list.follow()

    def _update_due_count(self) -> None:
        due = self.desk.followups.queue("today", limit=100)
        late = sum(1 for f in due if (f.seconds_left or 0) < 0)
        count = f"{len(due)}{'+' if len(due) == 100 else ''}"
        if not due:
            self.due_button.setText("No follow-ups due today")
        elif late:
            self.due_button.setText(f"Follow-ups due: {count}, {late} overdue  ·  Ctrl+D")
        else:
            self.due_button.setText(f"Follow-ups due today: {count}  ·  Ctrl+D")


def install(window: Shell) -> None:
    IssuesFeature(window)
