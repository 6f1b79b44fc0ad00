"""The sentence staff read aloud: headline big, details below, read-before-serving alerts loud."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from csdesk.services.greeting import Greeting
from csdesk.ui.theme import tones

# The alerts grow with what they say up to this many lines, then scroll: four long warnings
# were clipped to the newest one, with no scroll bar to say there was more (explore item 19).
ALERT_LINES = 9
FEW_LINES = 3  # what a squeezed window still shows of them


class _AlertScroll(QScrollArea):
    """The read-before-serving text: as tall as it needs up to ALERT_LINES, then a scroll bar."""

    def __init__(self, text: QLabel) -> None:
        super().__init__()
        self.setObjectName("greetingAlertScroll")
        self.setAccessibleName("Read before serving, all of it")
        self.setWidget(text)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.viewport().setAutoFillBackground(False)  # the alert frame's colour shows through
        text.setAutoFillBackground(False)

    def _needed(self) -> int:
        width = self.viewport().width() - self.verticalScrollBar().sizeHint().width()
        widget = self.widget()
        return widget.heightForWidth(max(width, 100)) if widget is not None else 0

    def _lines(self, count: int) -> int:
        return self.fontMetrics().lineSpacing() * count + 4

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), min(self._needed(), self._lines(ALERT_LINES)))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, min(self._needed(), self._lines(FEW_LINES)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.updateGeometry()  # a new width wraps the text to another height


class GreetingBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("greetingBanner")
        self.setAccessibleName("Greeting")
        self.headline = QLabel()
        self.headline.setObjectName("greetingHeadline")
        self.headline.setAccessibleName("Greeting headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setObjectName("greetingDetails")
        self.details.setAccessibleName("Greeting details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Lines features add next to the greeting (open issues, ...), one list per feature.
        self._extra_lines: dict[str, list[tuple[str, bool]]] = {}
        self.extra = QLabel()
        self.extra.setObjectName("greetingExtra")
        self.extra.setAccessibleName("Open matters")
        self.extra.setWordWrap(True)
        self.extra.setTextFormat(Qt.TextFormat.RichText)
        self.extra.setStyleSheet("font-size: 13pt;")
        self.extra.hide()

        self.alerts = QFrame()
        self.alerts.setObjectName("greetingAlerts")
        self.alerts.setAccessibleName("Read before serving")
        self.alert_title = QLabel("Read before serving")
        self.alert_title.setProperty("tone", "alert")
        self.alert_text = QLabel()
        self.alert_text.setObjectName("greetingAlertText")
        self.alert_text.setAccessibleName("Read before serving notes")
        self.alert_text.setProperty("tone", "alert")
        self.alert_text.setWordWrap(True)
        alerts_layout = QVBoxLayout(self.alerts)
        alerts_layout.setContentsMargins(14, 10, 14, 10)
        alerts_layout.setSpacing(4)
        alerts_layout.addWidget(self.alert_title)
        self.alert_scroll = _AlertScroll(self.alert_text)
        alerts_layout.addWidget(self.alert_scroll)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(8)
        layout.addWidget(self.headline)
        layout.addWidget(self.details)
        layout.addWidget(self.extra)
        layout.addWidget(self.alerts)
        self.show_greeting(None)

    def show_greeting(self, greeting: Greeting | None) -> None:
        if greeting is None:
            self._extra_lines.clear()
            self._show_extra()
            self.headline.setText("")
            self.details.setText("")
            self.alerts.hide()
            return
        self.headline.setText(greeting.headline)
        self.details.setText("\n".join(greeting.details))
        self.alert_text.setText("\n".join(f"• {a}" for a in greeting.alerts))
        count = len(greeting.alerts)
        # The count up front: the scroll bar alone is easy to miss on a busy counter.
        self.alert_title.setText(
            f"Read before serving: {count} notes" if count > 1 else "Read before serving"
        )
        self.alert_scroll.verticalScrollBar().setValue(0)
        self.alert_scroll.updateGeometry()
        self.alerts.setVisible(bool(greeting.alerts))

    def set_extra_lines(
        self, source: str, lines: list[str], *, urgent: Sequence[bool] = ()
    ) -> None:
        """Show plain-text `lines` under the greeting for `source` (a feature); [] removes them.
        Lines flagged in `urgent` are drawn in the error colour, the others stay calm."""
        flags = list(urgent) + [False] * (len(lines) - len(urgent))
        self._extra_lines[source] = list(zip(lines, flags, strict=False))
        self._show_extra()

    def extra_text(self) -> str:
        return "\n".join(line for group in self._extra_lines.values() for line, _u in group)

    def _show_extra(self) -> None:
        error = tones().error
        shown = [
            f'<span style="color:{error}; font-weight:600">{html.escape(line)}</span>'
            if late
            else html.escape(line)
            for group in self._extra_lines.values()
            for line, late in group
        ]
        self.extra.setText("<br>".join(shown))
        self.extra.setVisible(bool(shown))
