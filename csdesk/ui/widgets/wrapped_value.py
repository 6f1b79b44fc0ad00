"""A read-only value that wraps at word boundaries, and inside a word when one word is wider than
its column: "maria.garcia.marquez@example.com" is one word to Qt's line breaker, so a QLabel
showed "maria.garcia.marqu" in the card's value column and cut the rest off with no sign.

The text is exactly what is stored, so a copy is too. (Zero-width spaces before the @ and the dots
wrapped an address more nicely, but then a copy had to take them out again in
createMimeDataFromSelection, and the QMimeData handed between Python and Qt there crashed the
process: a wrap inside a word is the price of certainty.)"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent, QTextDocument, QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextEdit, QWidget


class WrappedValue(QTextEdit):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlainText(text)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setWordWrapMode(option.wrapMode())
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # as a label: Tab goes to what can be done
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document().setDocumentMargin(0)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextEdit { background: transparent; }")
        # One document kept for measuring (a child: it goes with the widget), so the layout's
        # height-for-width questions touch neither the shown document nor make new objects.
        self._measure = QTextDocument(self)
        self._measure.setDocumentMargin(0)
        self._measure.setDefaultTextOption(option)
        self._measure.setDefaultFont(self.font())
        self._measure.setPlainText(text)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # the card's form gives it the height its lines need
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self.toPlainText()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        self._measure.setDefaultFont(self.font())  # the theme's font may come after __init__
        self._measure.setTextWidth(max(1, width))
        return math.ceil(self._measure.size().height())

    def sizeHint(self) -> QSize:
        width = math.ceil(self.document().idealWidth())
        return QSize(width, self.heightForWidth(self.width() or width))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.fontMetrics().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # a new width may need another number of lines
