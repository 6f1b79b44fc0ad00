"""Search results: one page of display rows, replaced as the person types."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from csdesk.domain import SearchHit
from csdesk.services import phone as phone_rules
from csdesk.services.clock import parse
from csdesk.ui.models.roles import EMPHASIS_ROLE, ID_ROLE, SECONDARY_ROLE

Index = QModelIndex | QPersistentModelIndex


def when(iso_text: str | None, *, this_year: int | None = None, tz: tzinfo | None = None) -> str:
    """A stored UTC time as a short date in `tz` (the shop's zone): '3 Nov 2026', or '3 Nov'
    when `this_year`."""
    if not iso_text:
        return ""
    try:
        moment = parse(iso_text).astimezone(tz)
    except ValueError:
        return iso_text
    if moment.year == this_year:
        return f"{moment.day} {moment:%b}"
    return f"{moment.day} {moment:%b %Y}"


class SearchResultsModel(QAbstractListModel):
    """Holds only the page the search service returned (bounded), never the whole table."""

    def __init__(
        self,
        region: str = "US",
        parent: Any = None,
        *,
        this_year: int | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._lines: dict[int, str] = {}  # second lines already worded, by row
        self._region = region
        self._this_year = this_year  # the list is narrow: dates this year drop the year
        self._tz = tz

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self._lines = {}
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.display_name
        if role == SECONDARY_ROLE:
            return self._line(index.row(), hit)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(p for p in (hit.display_name, self._line(index.row(), hit)) if p)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.display_name}. {self._line(index.row(), hit)}"
        if role == ID_ROLE:
            return hit.customer_id
        if role == EMPHASIS_ROLE:
            return hit.exact
        return None

    def _line(self, row: int, hit: SearchHit) -> str:
        """Worded once per list: every paint asks again, and formatting a number with
        phonenumbers costs ~0.1 ms, 20 rows of which would be in each frame while typing."""
        line = self._lines.get(row)
        if line is None:
            line = self._lines[row] = self._secondary(hit)
        return line

    def _secondary(self, hit: SearchHit) -> str:
        parts = []
        if hit.phones:
            parts.append(phone_rules.pretty(hit.phones[0], self._region))
        elif hit.email:
            parts.append(hit.email)
        if hit.matched == "note":
            # Why this person is listed when the name does not match what was typed
            found = f"matched in a note: “{hit.snippet}”" if hit.snippet else "matched in a note"
            return "  ·  ".join([found, *parts[:1]])
        if hit.last_visit:
            parts.append(f"last visit {when(hit.last_visit, this_year=self._this_year, tz=self._tz)}")
        return "  ·  ".join(parts)
