"""The Timeline tab: everything that happened with a customer, newest first, with two filters."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Channel, TimelineEntry
from csdesk.ui.models.timeline_model import TimelineModel
from csdesk.ui.widgets.two_line import TwoLineDelegate

# (label, kinds, channels): "Calls" are visits on the phone channel.
KIND_CHOICES: tuple[tuple[str, list[str] | None, list[str] | None], ...] = (
    ("Everything", None, None),
    ("Visits and calls", ["visit"], None),
    ("Calls only", ["visit"], ["phone"]),
    ("Notes", ["note"], None),
    ("Issues and follow-ups", ["issue", "followup"], None),
    ("Letters", ["letter"], None),
)


class TimelinePanel(QWidget):
    delete_requested = Signal(object)  # TimelineEntry
    edit_requested = Signal(object)  # TimelineEntry

    def __init__(self, model: TimelineModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelinePanel")
        self.model = model

        self.kind = QComboBox()
        self.kind.setObjectName("timelineKindFilter")
        self.kind.setAccessibleName("Show which entries")
        for label, _k, _c in KIND_CHOICES:
            self.kind.addItem(label)
        self.channel = QComboBox()
        self.channel.setObjectName("timelineChannelFilter")
        self.channel.setAccessibleName("Show which channel")
        self.channel.addItem("Any channel", None)
        for channel in Channel:
            self.channel.addItem(channel.label, channel.value)
        for combo in (self.kind, self.channel):
            # As wide as a short choice, not the longest ("Issues and follow-ups"): the window
            # must fit a 1,024-pixel counter screen. The list that opens shows every choice whole.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(9)
            combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
        self.kind.currentIndexChanged.connect(self._apply_filter)
        self.channel.currentIndexChanged.connect(self._apply_filter)

        self.list = QListView()
        self.list.setObjectName("timelineList")
        self.list.setAccessibleName("Timeline, newest first")
        self.list.setModel(model)
        self.list.setItemDelegate(TwoLineDelegate(self.list))
        self.list.setUniformItemSizes(True)  # 10,000 rows: no per-row size pass
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.installEventFilter(self)
        self.list.activated.connect(lambda idx: self._request(self.edit_requested, idx.row()))

        self.empty = QLabel("Nothing here yet. F5 logs a visit, Ctrl+Shift+N adds a note.")
        self.empty.setObjectName("timelineEmpty")
        self.empty.setProperty("tone", "muted")
        self.empty.setWordWrap(True)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        show = QLabel("Show")
        show.setProperty("tone", "muted")
        filters.addWidget(show)
        filters.addWidget(self.kind)
        filters.addWidget(self.channel)
        filters.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(filters)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        model.modelReset.connect(self._update_empty)
        self._update_empty()

    def _apply_filter(self) -> None:
        _label, kinds, channels = KIND_CHOICES[max(0, self.kind.currentIndex())]
        chosen = self.channel.currentData()
        if chosen:
            channels = [chosen]
            if kinds is None:
                kinds = ["visit"]  # only visits and calls have a channel
        self.model.set_filter(kinds, channels)

    def reset_filter(self) -> None:
        """Back to everything, without a reload: the caller sets the next customer."""
        for combo in (self.kind, self.channel):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.model.set_filter(None, None, reload=False)

    def _update_empty(self) -> None:
        has = self.model.rowCount() > 0
        filtered = self.kind.currentIndex() > 0 or self.channel.currentIndex() > 0
        self.empty.setText(
            "Nothing matches this filter." if filtered
            else "Nothing here yet. F5 logs a visit, Ctrl+Shift+N adds a note."
        )
        self.empty.setVisible(not has)
        self.list.setVisible(has)

    def current_entry(self) -> TimelineEntry | None:
        return self.model.entry(self.list.currentIndex().row())

    def _request(self, signal: SignalInstance, row: int) -> None:
        entry = self.model.entry(row)
        if entry is not None:
            signal.emit(entry)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Delete:
                self._request(self.delete_requested, self.list.currentIndex().row())
                return True
        return super().eventFilter(watched, event)
