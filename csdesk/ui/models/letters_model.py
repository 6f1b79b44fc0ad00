"""The letters sent to one customer, newest first: date, title, who sent it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from csdesk.ui.models.roles import ID_ROLE
from csdesk.ui.models.search_model import when
from csdesk.ui.models.table_base import HeaderedTableModel

if TYPE_CHECKING:
    from csdesk.services.desk import Desk
    from csdesk.services.letters import Letter

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Date", "Letter", "Sent by")
# Letters per customer are few (a handful a year); the service caps a list, so one query loads it.
LIMIT = 500


class LettersModel(HeaderedTableModel):
    headers = HEADERS

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._tz = desk.tz  # read once, never while painting
        self._customer_id: int | None = None
        self._letters: list[Letter] = []
        self._staff: dict[int, str] = {}

    @property
    def customer_id(self) -> int | None:
        return self._customer_id

    def set_customer(self, customer_id: int | None) -> None:
        self.beginResetModel()
        self._tz = self._desk.tz
        self._customer_id = customer_id
        self._letters = (
            [] if customer_id is None else self._desk.letters.for_customer(customer_id, limit=LIMIT)
        )
        if self._letters:
            self._staff = {s.id: s.name for s in self._desk.auth.list_staff()}
        self.endResetModel()

    def reload(self) -> None:
        self.set_customer(self._customer_id)

    def letter(self, row: int) -> Letter | None:
        return self._letters[row] if 0 <= row < len(self._letters) else None

    def staff_name(self, letter: Letter) -> str:
        if letter.created_by is None:
            return ""
        # Staff missing from the list (the command line's actor) still deserve a label.
        return self._staff.get(letter.created_by, "Command line")

    def row_total(self) -> int:
        return len(self._letters)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._letters):
            return None
        letter = self._letters[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return when(letter.created_at, tz=self._tz)
            if column == 1:
                return letter.title
            if column == 2:
                return self.staff_name(letter)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{letter.title} ({letter.template}, {letter.page_size})"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{letter.title}, {when(letter.created_at, tz=self._tz)}, {self.staff_name(letter)}"
        if role == ID_ROLE:
            return letter.id
        return None
