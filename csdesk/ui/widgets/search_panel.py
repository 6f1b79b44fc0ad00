"""The left side: a search field (no Search button) and the results, searched as you type."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from csdesk.domain import SearchHit
from csdesk.services.clock import Clock, utc_now
from csdesk.ui.models.search_model import SearchResultsModel
from csdesk.ui.widgets.two_line import TwoLineDelegate
from csdesk.ui.workers import SearchWorker

LIMIT = 50
_MOVES = {
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_PageDown: 8,
    Qt.Key.Key_PageUp: -8,
}


class SearchPanel(QWidget):
    customer_chosen = Signal(int)
    results_shown = Signal(str)  # the query whose results are now on screen (tests wait on it)

    def __init__(
        self,
        db_path: Path | str,
        *,
        region: str = "US",
        clock: Clock = utc_now,
        parent: QWidget | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setAccessibleName("Search customers")
        self.field.setPlaceholderText("Name, phone or e-mail")
        self.field.setClearButtonEnabled(True)
        self.field.setToolTip(
            "Type part of a name, phone number or e-mail. Ctrl+F or F2 comes back here."
        )
        self.field.installEventFilter(self)

        self.model = SearchResultsModel(region, self, this_year=clock().year, tz=tz)
        self.results = QListView()
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName("Matching customers")
        self.results.setModel(self.model)
        self.results.setItemDelegate(TwoLineDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.activated.connect(self._activated)
        self.results.clicked.connect(self._activated)

        self.status = QLabel()
        self.status.setObjectName("searchStatus")
        self.status.setAccessibleName("Search status")
        self.status.setProperty("tone", "muted")
        self.status.setWordWrap(True)
        self._nobody: str | None = None  # the query "Nobody matches" echoes, shortened to fit

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 8, 16)
        layout.setSpacing(10)
        layout.addWidget(self.field)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)

        self.field.textChanged.connect(self._on_text_changed)

        self.worker = SearchWorker(db_path, clock=clock, parent=self)
        self.worker.results.connect(self._show)
        self.worker.failed.connect(self._failed)
        # No fixed delay: the first key searches at once, and keys typed while a search runs
        # are coalesced into one search for the text as it is when that search ends. So a
        # list is never more than one search behind, and never shown for old text.
        self._in_flight = False
        self._shown_query: str | None = None
        self._pending_move = 0  # Up/Down pressed while the results were still on their way

    # -- public --------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.window().activateWindow()
        self._forget_field_undo()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def _forget_field_undo(self) -> None:
        """Coming back to the search, Ctrl+Z should undo what was just done in the window (a
        deleted note), not the typing of the last search; setText() forgets the field's undo."""
        if self.field.isUndoAvailable():
            self.field.blockSignals(True)
            self.field.setText(self.field.text())
            self.field.blockSignals(False)

    def clear_and_focus(self) -> None:
        self.field.clear()  # textChanged searches: empty text lists recent customers
        self.focus_search()

    def refresh(self) -> None:
        """Search again for what is typed, e.g. after a customer was added or renamed."""
        self._search_now()

    def stop(self) -> None:
        self.worker.stop()

    @property
    def shown_query(self) -> str | None:
        return self._shown_query

    # -- searching -----------------------------------------------------------------------------
    def _on_text_changed(self, _text: str) -> None:
        # typing, clear() and setText() alike: search now, or when the running search ends
        if not self._in_flight:
            self._search_now()

    def _search_now(self) -> None:
        self._in_flight = True
        self.worker.search(self.field.text(), LIMIT)

    @property
    def _behind(self) -> bool:
        """The list on screen is not (yet) the one for the text in the field."""
        return self._in_flight or self._shown_query != self.field.text()

    def _say_nobody(self) -> None:
        """"Nobody matches “…”", the query cut to one line of the panel: a long one is one word
        a QLabel cannot wrap, and it ran past the panel's edge (or, squeezed, off its top)."""
        if self._nobody is None:
            return
        metrics = self.status.fontMetrics()
        room = self.status.contentsRect().width() - metrics.horizontalAdvance("“”.") - 2
        echo = self._nobody[:40]
        if room > 0:
            echo = metrics.elidedText(echo, Qt.TextElideMode.ElideRight, room)
        self.status.setText(f"Nobody matches “{echo}”. Press Ctrl+N to add them.")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._say_nobody()  # a narrower panel: the echo cut shorter, never past the edge

    def _failed(self, message: str) -> None:
        self._in_flight = False
        self.status.setText(message)

    def _show(self, _seq: int, query: str, hits: object) -> None:
        self._in_flight = False
        if query != self.field.text():
            # typed on while it ran: this list is already stale, search for what is there now
            self._search_now()
            return
        assert isinstance(hits, list)
        found: list[SearchHit] = hits
        # The same search again (a write here or at another counter): keep the person chosen and
        # the scroll position, so the list does not jump under the user's eyes.
        again = query == self._shown_query
        chosen = self.model.hit(self.results.currentIndex().row()) if again else None
        scroll = self.results.verticalScrollBar().value()
        self.model.set_hits(found)
        if found:
            row = next(
                (i for i, h in enumerate(found) if chosen and h.customer_id == chosen.customer_id),
                0,
            )
            self.results.setCurrentIndex(self.model.index(row, 0))
            if again:
                self.results.verticalScrollBar().setValue(scroll)
        self._shown_query = query
        if self._pending_move and query == self.field.text():
            step, self._pending_move = self._pending_move, 0
            self._move(step)
        text = query.strip()
        self._nobody = None
        if not text:
            self.status.setText(
                "Recent customers" if found else "No customers yet. Press Ctrl+N to add one."
            )
        elif not found:
            self._nobody = text
            self._say_nobody()
        else:
            more = "+" if len(found) >= LIMIT else ""
            self.status.setText(f"{len(found)}{more} found · Enter opens")
        self._shown_query = query
        self.results_shown.emit(query)

    # -- keyboard ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Undo) and not self.field.isUndoAvailable():
                return True  # not accepted: the window's Ctrl+Z (undo a delete) gets the key
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = Qt.Key(event.key())
            if key in _MOVES:
                self._move(_MOVES[key])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_current()
                return True
        return super().eventFilter(watched, event)

    def _move(self, step: int) -> None:
        if self._behind:
            # Down pressed before the results caught up: move in the new list, not the old one
            if not self._pending_move and not self._in_flight:
                self._search_now()
            self._pending_move += step
            return
        rows = self.model.rowCount()
        if rows == 0:
            return
        current = self.results.currentIndex().row()
        row = 0 if current < 0 else max(0, min(rows - 1, current + step))
        index = self.model.index(row, 0)
        self.results.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.results.scrollTo(index)

    def _open_current(self) -> None:
        if self._behind:
            # Enter pressed before the results caught up: open when they arrive
            self.results_shown.connect(self._open_when_ready)
            if not self._in_flight:
                self._search_now()
            return
        index = self.results.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        if index.isValid():
            self._activated(index)

    def _open_when_ready(self, _query: str) -> None:
        self.results_shown.disconnect(self._open_when_ready)
        self._open_current()

    def _activated(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row())
        if hit is not None:
            self.customer_chosen.emit(hit.customer_id)
