"""The issue list and the follow-up queue as windows one shortcut away, and the customer's tab.

They only show and ask; the feature module (ui/features/issues.py) opens dialogs and customers
through the signals, so these stay easy to test on their own.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import FollowUp, IssueStatus, Priority
from csdesk.services.desk import Desk
from csdesk.services.issues import IssueQuery
from csdesk.ui.dialogs.form_bits import combo, named
from csdesk.ui.models.issue_models import FollowUpModel, IssueListModel
from csdesk.ui.widgets.keep_place import keep_place

QUEUES = (("Due today and overdue", "today"), ("Overdue only", "overdue"), ("All open", "all"))
STATUSES = [("Still open (any)", "active")] + [(s.label, s.value) for s in IssueStatus] + [("All", "all")]
SORTS = (
    ("Due soonest", ("due", False)),
    ("Most urgent", ("priority", False)),
    ("Newest", ("created", False)),
    ("Recently changed", ("updated", False)),
)


def table(
    model: IssueListModel | FollowUpModel, name: str, accessible: str, *, select_first: bool = True
) -> QTreeView:
    view = named(QTreeView(), name, accessible)
    view.setModel(model)
    view.setRootIsDecorated(False)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setStyleSheet("QTreeView::item { padding: 6px 4px; }")
    header = view.header()
    named(header, f"{name}Header", f"{accessible} columns")
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(60)
    if select_first:  # in the queue and list windows, Enter works straight away
        model.modelReset.connect(lambda: _select_first(view))
    return view


def _select_first(view: QTreeView) -> None:
    model = view.model()
    if model is not None and model.rowCount() and not view.currentIndex().isValid():
        view.setCurrentIndex(model.index(0, 0))


def _row_of(view: QTreeView) -> int:
    """The row the user is on; the first one when they have not picked any yet."""
    index = view.currentIndex()
    return index.row() if index.isValid() else 0


def _button(text: str, name: str, accessible: str, tip: str = "") -> QPushButton:
    button = named(QPushButton(text), name, accessible)
    button.setAutoDefault(False)
    if tip:
        button.setToolTip(tip)
    return button


class FollowUpQueue(QDialog):
    """'Due today / overdue': Enter opens the customer, Ctrl+Enter marks the follow-up done."""

    customer_requested = Signal(int)
    done_requested = Signal(object)  # FollowUp
    email_requested = Signal(object)  # FollowUp: send the follow-up by e-mail (issue 18)

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "followUpQueue", "Follow-ups due")
        self.setWindowTitle("Follow-ups due")
        self._desk = desk
        self.model = FollowUpModel(desk, self)
        self.which = combo("followUpQueueFilter", "Which follow-ups", QUEUES)
        self.which.currentIndexChanged.connect(lambda _i: self.refresh())
        self.mine = named(QCheckBox("Only mine"), "followUpOnlyMine", "Only my follow-ups")
        self.mine.toggled.connect(lambda _b: self.refresh())
        self.summary = named(QLabel(), "followUpSummary", "Follow-ups summary")
        self.summary.setProperty("tone", "muted")
        self.view = table(self.model, "followUpTable", "Follow-ups")
        self.view.activated.connect(self._open)
        self.empty = QLabel("Nothing due. Well done!")
        self.empty.setObjectName("followUpEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("tone", "muted")
        self.open_button = _button("Open customer", "openFollowUpCustomer", "Open the customer", "Enter")
        self.open_button.clicked.connect(lambda: self._open(self.view.currentIndex()))
        self.done_button = _button("Mark done…", "markFollowUpDone", "Mark done", "Ctrl+Enter")
        self.done_button.clicked.connect(self._done)
        self.email_button = _button("Send the follow-up…", "emailFollowUp",
                                    "Send the follow-up by e-mail", "Ctrl+Shift+M")
        self.email_button.clicked.connect(self._email)
        QShortcut(QKeySequence("Ctrl+Shift+M"), self).activated.connect(self._email)
        close = _button("Close", "closeFollowUpQueue", "Close the follow-ups", "Esc")
        close.clicked.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self).activated.connect(self._done)

        top = QHBoxLayout()
        top.addWidget(self.which)
        top.addWidget(self.mine)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.email_button)
        keys = QLabel("Enter opens the customer · Ctrl+Enter marks done · Esc closes")
        keys.setProperty("tone", "muted")
        buttons.addSpacing(12)
        buttons.addWidget(keys)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)
        self.resize(900, 480)

    def follow(self) -> None:
        """A write here or elsewhere: the same queue again, in the same place."""
        restore = keep_place(self.view, lambda r: f.id if (f := self.model.followup(r)) else None)
        self.refresh()
        restore()

    def refresh(self) -> None:
        mine = self._desk.actor.id if self.mine.isChecked() else None
        self.model.set_queue(self.which.currentData(), owner_id=mine)
        rows = self.model.rowCount()
        late = sum(
            1 for r in range(rows) if (f := self.model.followup(r)) is not None and (f.seconds_left or 0) < 0
        )
        more = "+" if self.model.canFetchMore(QModelIndex()) else ""
        self.summary.setText(f"{rows}{more} to do, {late} overdue" if rows else "")
        self.view.setVisible(rows > 0)
        self.empty.setVisible(rows == 0)
        self.open_button.setEnabled(rows > 0)
        self.done_button.setEnabled(rows > 0)
        self.email_button.setEnabled(rows > 0)

    def show_queue(self) -> None:
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()
        self.view.setFocus()

    def current(self) -> FollowUp | None:
        return self.model.followup(_row_of(self.view))

    def _open(self, index: QModelIndex) -> None:
        followup = self.model.followup(index.row()) if index.isValid() else None
        if followup is not None:
            self.customer_requested.emit(followup.customer_id)

    def _done(self) -> None:
        followup = self.current()
        if followup is not None:
            self.done_requested.emit(followup)

    def _email(self) -> None:
        followup = self.current()
        if followup is not None:
            self.email_requested.emit(followup)


class IssueList(QDialog):
    """Every issue, filtered and sorted in SQL, a page at a time; Enter opens one."""

    issue_requested = Signal(int)

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "issueList", "Issues")
        self.setWindowTitle("Issues")
        self._desk = desk
        self.model = IssueListModel(desk, self)
        self.status = combo("issueFilterStatus", "Status", STATUSES)
        self.owner = combo(
            "issueFilterOwner",
            "Owner",
            [("Anyone", None)] + [(s.name, s.id) for s in desk.issues.owners()],
        )
        self.priority = combo(
            "issueFilterPriority", "Priority", [("Any priority", None)] + [(p.label, p) for p in Priority]
        )
        self.category = combo(
            "issueFilterCategory",
            "Category",
            [("Any category", None)] + [(c.name, c.id) for c in desk.issues.categories()],
        )
        self.overdue = named(QCheckBox("Overdue only"), "issueFilterOverdue", "Overdue only")
        self.sort = combo("issueSort", "Sort by", SORTS)
        for box in (self.status, self.owner, self.priority, self.category, self.sort):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.overdue.toggled.connect(lambda _b: self.refresh())
        self.summary = named(QLabel(), "issueListSummary", "How many issues")
        self.summary.setProperty("tone", "muted")
        self.view = table(self.model, "issueTable", "Issues")
        self.view.activated.connect(self._open)
        open_button = _button("Open issue", "openIssueButton", "Open the issue", "Enter")
        open_button.clicked.connect(lambda: self._open(self.view.currentIndex()))
        close = _button("Close", "closeIssueList", "Close the issue list", "Esc")
        close.clicked.connect(self.reject)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        for widget in (self.status, self.owner, self.priority, self.category, self.overdue):
            filters.addWidget(widget)
        filters.addStretch(1)
        sort_label = QLabel("&Sort")
        sort_label.setBuddy(self.sort)
        filters.addWidget(sort_label)
        filters.addWidget(self.sort)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(open_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(1100, 560)

    def query(self) -> IssueQuery:
        sort, descending = self.sort.currentData()
        return IssueQuery(
            status=self.status.currentData(),
            owner_id=self.owner.currentData(),
            priority=Priority(p) if (p := self.priority.currentData()) else None,
            category_id=self.category.currentData(),
            overdue=self.overdue.isChecked(),
            sort=sort,
            descending=descending,
        )

    def follow(self) -> None:
        """A write here or elsewhere: the same query again, in the same place."""
        restore = keep_place(
            self.view, lambda r: row.issue.id if (row := self.model.issue_row(r)) else None
        )
        self.refresh()
        restore()

    def refresh(self) -> None:
        self.model.set_query(self.query())
        total = self.model.total
        self.summary.setText(
            "No issues match." if total == 0 else f"{total} issue{'s' if total != 1 else ''}"
        )

    def show_list(self) -> None:
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()
        self.view.setFocus()

    def _open(self, index: QModelIndex) -> None:
        row = self.model.issue_row(index.row()) if index.isValid() else None
        if row is not None:
            self.issue_requested.emit(row.issue.id)


class CustomerIssues(QWidget):
    """The 'Issues' tab on a customer's page: their issues, then their open follow-ups."""

    issue_requested = Signal(int)
    log_requested = Signal()
    followup_requested = Signal()
    done_requested = Signal(object)  # FollowUp

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "customerIssues", "Issues and follow-ups")
        self.issues_model = IssueListModel(desk, self)
        self.followups_model = FollowUpModel(desk, self)
        self.issues = table(
            self.issues_model, "customerIssueTable", "This customer's issues", select_first=False
        )
        for column in (2, 4, 6):  # customer on screen already; priority, category in the issue
            self.issues.setColumnHidden(column, True)
        self.issues.activated.connect(self._open)
        self.followups = table(
            self.followups_model,
            "customerFollowUpTable",
            "This customer's follow-ups",
            select_first=False,
        )
        self.followups.setColumnHidden(2, True)
        self.followups.activated.connect(lambda _i: self._done())
        log = _button("Log issue…", "logIssueButton", "Log an issue", "Ctrl+I")
        log.clicked.connect(self.log_requested)
        plan = _button("New follow-up…", "newFollowUpButton", "New follow-up", "Ctrl+Shift+F")
        plan.clicked.connect(self.followup_requested)
        self.done_button = _button("Mark done…", "customerFollowUpDone", "Mark done", "Enter")
        self.done_button.clicked.connect(self._done)
        self.issues_title = QLabel("Issues")
        self.issues_title.setProperty("tone", "sectionTitle")
        self.followups_title = QLabel("Follow-ups")
        self.followups_title.setProperty("tone", "sectionTitle")
        self.none = QLabel("No issues or follow-ups. Ctrl+I logs an issue.")
        self.none.setProperty("tone", "muted")

        top = QHBoxLayout()
        top.addWidget(self.issues_title)
        top.addStretch(1)
        top.addWidget(log)
        top.addWidget(plan)
        lower = QHBoxLayout()
        lower.addWidget(self.followups_title)
        lower.addStretch(1)
        lower.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.none)
        layout.addWidget(self.issues, 3)
        layout.addLayout(lower)
        layout.addWidget(self.followups, 2)

    def set_customer(self, customer_id: int | None) -> None:
        self.issues_model.set_customer(customer_id)
        self.followups_model.set_customer(customer_id)
        has_issues = self.issues_model.rowCount() > 0
        has_followups = self.followups_model.rowCount() > 0
        self.issues.setVisible(has_issues)
        self.none.setVisible(not has_issues)
        for widget in (self.followups_title, self.followups, self.done_button):
            widget.setVisible(has_followups)

    def open_count(self) -> int:
        return sum(
            1
            for r in range(self.issues_model.rowCount())
            if (row := self.issues_model.issue_row(r)) is not None and row.issue.status.is_open
        )

    def _open(self, index: QModelIndex) -> None:
        row = self.issues_model.issue_row(index.row()) if index.isValid() else None
        if row is not None:
            self.issue_requested.emit(row.issue.id)

    def _done(self) -> None:
        followup = self.followups_model.followup(_row_of(self.followups))
        if followup is not None:
            self.done_requested.emit(followup)
