"""Issues, follow-ups and issue events as lazy models: a page at a time, filtered and sorted in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from csdesk.domain import FollowUp, IssueEvent, IssueListRow
from csdesk.services.desk import Desk
from csdesk.services.formatting import format_moment
from csdesk.services.issues import IssueQuery
from csdesk.ui.models.roles import EMPHASIS_ROLE, ID_ROLE, SECONDARY_ROLE
from csdesk.ui.theme import tones

Index = QModelIndex | QPersistentModelIndex
PAGE = 50


def local_time(iso_text: str | None, tz: tzinfo, now: datetime | None = None) -> str:
    """'Tue 1 Dec, 17:00' in the shop's time zone, the year added when it is another year's."""
    return format_moment(iso_text, tz, now)


class _PagedTable(QAbstractTableModel):
    """The shared lazy mechanics: rows so far, a total, fetchMore asks `_load` for the next page."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, desk: Desk, parent: Any = None, *, page: int = PAGE) -> None:
        super().__init__(parent)
        self._desk = desk
        self._page = page
        self._rows: list[Any] = []
        self._total = 0
        self._open_ended = False
        # The shop's zone, read once per reload: data() runs on every paint and must not query.
        self._tz: tzinfo = UTC
        self._late: tuple[QColor, QColor, QFont] | None = None
        self._fetching = False  # views and testers may ask again while rows are being inserted

    # subclasses: the total and one page
    def _count(self) -> int | None:
        """How many rows match, or None when the service only pages (then: more after a full page)."""
        raise NotImplementedError

    def _load(self, offset: int, limit: int) -> list[Any]:
        raise NotImplementedError

    @property
    def total(self) -> int:
        return self._total

    def reload(self) -> None:
        self._fetching = True  # listeners of modelReset must not fetch into a half-done reset
        self.beginResetModel()
        try:
            self._tz = self._desk.issues.tz
            total = self._count()
            # the first page comes with the reset, so no view sees an empty flash
            self._rows = self._load(0, self._page) if total != 0 else []
            self._open_ended = total is None
            self._total = self._guess(len(self._rows)) if total is None else total
        finally:
            self.endResetModel()
            self._fetching = False

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        more = self._load(len(self._rows), self._page)
        if not more:
            self._total = len(self._rows)  # rows went away meanwhile: stop asking
            return
        first = len(self._rows)
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._rows.extend(more)
            if self._open_ended:
                self._total = first + self._guess(len(more))
            self.endInsertRows()
        finally:
            self._fetching = False

    def _guess(self, got: int) -> int:
        return got + 1 if got >= self._page else got

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def _row(self, index: Index) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def _late_style(self, role: int, late: bool, column: int, time_column: int) -> Any:
        """Overdue rows stand out: the time in the error colour and bold, the row tinted."""
        if not late:
            return None
        if self._late is None:  # made once: data() runs for every cell on every paint
            error = QColor(tones().error)
            tint = QColor(error)
            tint.setAlpha(22)
            bold = QFont()
            bold.setWeight(QFont.Weight.DemiBold)
            self._late = (error, tint, bold)
        error, tint, bold = self._late
        if role == Qt.ItemDataRole.ForegroundRole and column == time_column:
            return error
        if role == Qt.ItemDataRole.FontRole and column == time_column:
            return bold
        if role == Qt.ItemDataRole.BackgroundRole:
            return tint
        return None


class IssueListModel(_PagedTable):
    COLUMNS = ("Time left", "Issue", "Customer", "Status", "Priority", "Owner", "Category")

    def __init__(
        self,
        desk: Desk,
        parent: Any = None,
        *,
        query: IssueQuery | None = None,
        page: int = PAGE,
    ) -> None:
        super().__init__(desk, parent, page=page)
        self._query = query or IssueQuery()
        self._blank = False  # a customer tab with no customer on screen shows nothing

    @property
    def query(self) -> IssueQuery:
        return self._query

    def set_query(self, query: IssueQuery) -> None:
        self._query = query
        self._blank = False
        self.reload()

    def set_customer(self, customer_id: int | None) -> None:
        """All of one customer's issues, open ones first by due time (the tab on their page)."""
        self._query = IssueQuery(status="all", customer_id=customer_id, sort="created")
        self._blank = customer_id is None
        self.reload()

    def _count(self) -> int | None:
        if self._blank:
            return 0
        return self._desk.issues.count(self._query)

    def _load(self, offset: int, limit: int) -> list[IssueListRow]:
        return self._desk.issues.page(self._query, limit=limit, offset=offset)

    def issue_row(self, row: int) -> IssueListRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item: IssueListRow | None = self._row(index)
        if item is None:
            return None
        issue = item.issue
        column = index.column()
        late = item.seconds_left is not None and item.seconds_left < 0
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and column == 0:
                return f"Due {local_time(issue.due_at, self._tz, self._desk.clock())}"
            values = (
                item.time_label or issue.status.label,
                issue.title,
                item.customer_name,
                issue.status.label,
                issue.priority.label,
                issue.owner_name or "—",
                issue.category or "—",
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "overdue, " if late else ""
            return f"{issue.title}, {item.customer_name}, {state}{item.time_label}"
        if role == ID_ROLE:
            return issue.id
        if role == EMPHASIS_ROLE:
            return late
        return self._late_style(role, late, column, 0)


class FollowUpModel(_PagedTable):
    """The due queue ('today', 'overdue', 'all') or one customer's open follow-ups."""

    COLUMNS = ("Time left", "To do", "Customer", "Owner", "Due")

    def __init__(self, desk: Desk, parent: Any = None, *, queue: str = "today", page: int = PAGE) -> None:
        super().__init__(desk, parent, page=page)
        self._queue = queue
        self._owner_id: int | None = None
        self._customer_id: int | None = None
        self._all: list[FollowUp] | None = None

    @property
    def queue(self) -> str:
        return self._queue

    def set_queue(self, queue: str, *, owner_id: int | None = None) -> None:
        self._queue = queue
        self._owner_id = owner_id
        self.reload()

    def set_customer(self, customer_id: int | None) -> None:
        """Show one customer's open follow-ups instead of the queue (a handful: one query)."""
        self._customer_id = customer_id
        self._queue = "customer"
        self.reload()

    def _count(self) -> int | None:
        if self._queue == "customer":
            cid = self._customer_id
            self._all = [] if cid is None else self._desk.followups.for_customer(cid)
            return len(self._all)
        self._all = None
        return None  # the queue service pages but does not count

    def _load(self, offset: int, limit: int) -> list[FollowUp]:
        if self._all is not None:
            return self._all[offset : offset + limit]
        return self._desk.followups.queue(self._queue, owner_id=self._owner_id, limit=limit, offset=offset)

    def followup(self, row: int) -> FollowUp | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item: FollowUp | None = self._row(index)
        if item is None:
            return None
        column = index.column()
        late = item.seconds_left is not None and item.seconds_left < 0
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                item.time_label or "Done",
                item.title,
                item.customer_name,
                item.owner_name or "—",
                local_time(item.due_at, self._tz, self._desk.clock()),
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.title}, {item.customer_name}, {item.time_label}"
        if role == ID_ROLE:
            return item.id
        if role == EMPHASIS_ROLE:
            return late
        return self._late_style(role, late, column, 0)


def _event_title(event: IssueEvent) -> str:
    if event.kind == "created":
        return "Logged"
    if event.kind == "reopened":
        return "Reopened"
    if event.kind == "status" and event.to_status is not None:
        return f"Now {event.to_status.label.lower()}"
    return {"comment": "Comment", "goodwill": "Goodwill", "edited": "Edited"}.get(
        event.kind, event.kind.capitalize()
    )


class IssueEventsModel(_PagedTable):
    """What happened to one issue, oldest first (an issue has tens of events: one query)."""

    COLUMNS = ("Event",)

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(desk, parent, page=10_000)
        self._issue_id: int | None = None
        self._all_events: list[IssueEvent] = []

    def set_issue(self, issue_id: int | None) -> None:
        self._issue_id = issue_id
        self.reload()

    def _count(self) -> int | None:
        issue_id = self._issue_id
        self._all_events = [] if issue_id is None else self._desk.issues.events(issue_id)
        return len(self._all_events)

    def _load(self, offset: int, limit: int) -> list[IssueEvent]:
        return self._all_events[offset : offset + limit]

    def issue_event(self, row: int) -> IssueEvent | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        event: IssueEvent | None = self._row(index)
        if event is None or index.column() != 0:
            return None
        head = _event_title(event)
        comment = event.comment.strip()
        main = f"{head}: {comment}" if comment else head
        when = local_time(event.at, self._tz, self._desk.clock())
        sub = "  ·  ".join(p for p in (event.staff_name, when) if p)
        if role == Qt.ItemDataRole.DisplayRole:
            return main
        if role == SECONDARY_ROLE:
            return sub
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{main}. {sub}"
        if role == ID_ROLE:
            return event.id
        return None
