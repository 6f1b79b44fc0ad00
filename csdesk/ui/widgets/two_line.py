"""A list delegate that draws a row as a name and a quieter second line, with room to breathe."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from csdesk.ui.models.roles import EMPHASIS_ROLE, SECONDARY_ROLE
from csdesk.ui.theme import tones

PAD_X = 14
PAD_Y = 9
GAP = 3


def _data(index: QModelIndex | QPersistentModelIndex, role: int) -> object:
    """Ask the Python model directly: PySide6 6.12's QModelIndex.data() drops a reference to
    None each time a role is empty, and enough repaints then crash the interpreter."""
    model = index.model()
    return model.data(index, role) if model is not None else None


class TwoLineDelegate(QStyledItemDelegate):
    def __init__(self, parent: QObject | None = None, *, wrap: bool = False) -> None:
        super().__init__(parent)
        self._wrap = wrap  # notes wrap over several lines; search results stay one line each

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        main = QFont(option.font)
        small = QFont(option.font)
        small.setPointSizeF(max(8.0, main.pointSizeF() - 1.5))
        return main, small

    def _main_rect(self, option: QStyleOptionViewItem, text: str, font: QFont) -> QRect:
        width = option.rect.width() - 2 * PAD_X
        if not self._wrap:
            return QRect(0, 0, width, QFontMetrics(font).height())
        flags = int(Qt.TextFlag.TextWordWrap)
        return QFontMetrics(font).boundingRect(QRect(0, 0, max(width, 50), 10_000), flags, text)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        main, small = self._fonts(option)
        text = str(_data(index, int(Qt.ItemDataRole.DisplayRole)) or "")
        height = self._main_rect(option, text, main).height()
        if _data(index, SECONDARY_ROLE):
            height += GAP + QFontMetrics(small).height()
        return QSize(option.rect.width(), height + 2 * PAD_Y)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        rect: QRect = opt.rect
        main, small = self._fonts(opt)
        if _data(index, EMPHASIS_ROLE):
            main.setWeight(QFont.Weight.DemiBold)
        text = str(_data(index, int(Qt.ItemDataRole.DisplayRole)) or "")
        main_rect = self._main_rect(opt, text, main)
        main_rect.moveTo(rect.left() + PAD_X, rect.top() + PAD_Y)
        painter.save()
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        painter.setFont(main)
        flags = Qt.TextFlag.TextWordWrap if self._wrap else Qt.TextFlag.TextSingleLine
        shown = (
            text
            if self._wrap
            else QFontMetrics(main).elidedText(text, Qt.TextElideMode.ElideRight, main_rect.width())
        )
        painter.drawText(main_rect, int(flags), shown)
        secondary = str(_data(index, SECONDARY_ROLE) or "")
        if secondary:
            painter.setFont(small)
            if not selected:
                painter.setPen(QColor(tones().muted))
            sub = QRect(
                main_rect.left(),
                main_rect.bottom() + GAP,
                rect.width() - 2 * PAD_X,  # full width even when the wrapped text above is short
                QFontMetrics(small).height(),
            )
            elided = QFontMetrics(small).elidedText(
                secondary, Qt.TextElideMode.ElideRight, sub.width()
            )
            painter.drawText(sub, int(Qt.TextFlag.TextSingleLine), elided)
        painter.restore()
