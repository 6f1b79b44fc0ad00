"""A read-only value that wraps at word boundaries, and inside a word when one word is wider than
its column: "maria.garcia.marquez@example.com" is one word to Qt's line breaker, so a QLabel
showed "maria.garcia.marqu" in the card's value column and cut the rest off with no sign.
`soft_breaks` puts a zero-width space before each of those characters (an address then wraps
before its @ or a dot, where a reader expects it); a copy takes them out again, so what reaches
the mail program is exactly what is stored."""

from __future__ import annotations

import math

from PySide6.QtCore import QMimeData, QSize, Qt
from PySide6.QtGui import QResizeEvent, QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextEdit, QWidget

SOFT_BREAK = "\u200b"


class WrappedValue(QTextEdit):
    def __init__(self, text: str, *, soft_breaks: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = text
        shown = text
        for ch in soft_breaks:
            shown = shown.replace(ch, SOFT_BREAK + ch)
        self.setReadOnly(True)
        self.setPlainText(shown)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # as a label: Tab goes to what can be done
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document().setDocumentMargin(0)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextEdit { background: transparent; }")
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # the card's form gives it the height its lines need
        self.setSizePolicy(policy)

    def text(self) -> str:
        """The value as stored, without the soft breaks."""
        return self._value

    def createMimeDataFromSelection(self) -> QMimeData:
        # Qt's own object, changed in place: one made here is owned by Python and by the
        # clipboard at once, and freed twice when csdesk quits (a crash at exit).
        copied = super().createMimeDataFromSelection()
        copied.setText(copied.text().replace(SOFT_BREAK, ""))
        copied.removeFormat("text/html")  # its HTML would carry the soft breaks along
        return copied

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        doc = self.document().clone(self)
        doc.setTextWidth(max(1, width))
        height = math.ceil(doc.size().height())
        doc.deleteLater()
        return height

    def sizeHint(self) -> QSize:
        width = math.ceil(self.document().idealWidth())
        return QSize(width, self.heightForWidth(self.width() or width))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.fontMetrics().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # a new width may need another number of lines
