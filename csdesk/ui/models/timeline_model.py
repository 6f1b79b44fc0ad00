"""One customer's timeline, newest first, fetched a page at a time by keyset cursor.

The service pages by (at, kind, ref_id): page 100 costs what page 1 costs, so a customer with
10,000 entries opens as fast as one with ten. No total is counted (a count over every source
would cost more than the page itself); the model knows it is done when a page comes back short.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from csdesk.domain import TimelineEntry
from csdesk.services.clock import parse
from csdesk.services.desk import Desk
from csdesk.ui.models.roles import EMPHASIS_ROLE, ID_ROLE, SECONDARY_ROLE

Index = QModelIndex | QPersistentModelIndex

PAGE = 60  # a little more than a tall screen of two-line rows
KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 10  # "visit", "note", ...

KIND_LABELS = {
    "visit": "Visit",
    "note": "Note",
    "issue": "Issue",
    "followup": "Follow-up",
    "letter": "Letter",
}


def moment(iso_text: str, tz: tzinfo | None = None) -> str:
    """'3 Nov 2026, 14:05' in `tz` (the shop's zone)."""
    try:
        local = parse(iso_text).astimezone(tz)
    except ValueError:
        return iso_text
    return f"{local.day} {local:%b %Y, %H:%M}"


class TimelineModel(QAbstractListModel):
    def __init__(self, desk: Desk, parent: Any = None, *, page: int = PAGE) -> None:
        super().__init__(parent)
        self._desk = desk
        self._page = page
        self._customer_id: int | None = None
        self._kinds: list[str] | None = None
        self._channels: list[str] | None = None
        self._entries: list[TimelineEntry] = []
        self._more = False
        self._fetching = False  # views and testers may ask again while rows are inserted
        self._staff: dict[int, str] | None = None
        self._tz = desk.tz  # read with the rows, never while painting

    # -- what is shown -------------------------------------------------------------------------
    @property
    def customer_id(self) -> int | None:
        return self._customer_id

    @property
    def exhausted(self) -> bool:
        return not self._more

    def set_customer(self, customer_id: int | None) -> None:
        self._reset(customer_id)

    def set_filter(
        self,
        kinds: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
        *,
        reload: bool = True,
    ) -> None:
        """Show only these kinds / channels (None: all). reload=False when a new customer's
        set_customer follows anyway."""
        self._kinds = list(kinds) if kinds is not None else None
        self._channels = list(channels) if channels is not None else None
        if reload:
            self._reset(self._customer_id)

    def reload(self) -> None:
        self._reset(self._customer_id)

    def entry(self, row: int) -> TimelineEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def _reset(self, customer_id: int | None) -> None:
        self._fetching = True  # listeners of modelReset must not fetch into a half-done reset
        self.beginResetModel()
        self._customer_id = customer_id
        self._tz = self._desk.tz
        self._entries = []
        self._more = False
        try:
            if customer_id is not None:
                # the first page comes with the reset, so no view sees an empty flash
                self._entries = self._fetch(None)
                self._more = len(self._entries) == self._page
        finally:
            self.endResetModel()
            self._fetching = False

    def _fetch(self, after: tuple[str, str, int] | None) -> list[TimelineEntry]:
        assert self._customer_id is not None
        return self._desk.timeline.page(
            self._customer_id, kinds=self._kinds, channels=self._channels, after=after,
            limit=self._page,
        )

    # -- lazy paging ---------------------------------------------------------------------------
    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent) or not self._entries:
            return
        self._fetching = True
        try:
            more = self._fetch(self._entries[-1].cursor)
            self._more = len(more) == self._page
            if more:
                first = len(self._entries)
                self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
                self._entries.extend(more)
                self.endInsertRows()
        finally:
            self._fetching = False

    # -- data ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def _staff_name(self, staff_id: int | None) -> str:
        if staff_id is None:
            return ""
        if self._staff is None:
            self._staff = {s.id: s.name for s in self._desk.auth.list_staff()}
        return self._staff.get(staff_id, "")

    def secondary(self, entry: TimelineEntry) -> str:
        parts = [moment(entry.at, self._tz)]
        if entry.kind not in ("visit", "note"):  # their titles already say what they are
            parts.append(KIND_LABELS.get(entry.kind, entry.kind.capitalize()))
        who = self._staff_name(entry.staff_id)
        if who:
            parts.append(f"by {who}")
        return "  ·  ".join(parts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.title
        if role == SECONDARY_ROLE:
            return self.secondary(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(p for p in (entry.title, entry.detail, self.secondary(entry)) if p)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{entry.title}. {self.secondary(entry)}"
        if role == ID_ROLE:
            return entry.ref_id
        if role == KIND_ROLE:
            return entry.kind
        if role == EMPHASIS_ROLE:
            return entry.kind == "issue"
        return None
