"""The daily log's PDF: one long QTextDocument with a footer on every page.

Letters are one document per page run; a report is one long document, so this painter also
draws a footer on every page (the shop's name, the title, "Page n of N") in a strip kept free
below the text. services/report_export.py owns the use case (permission, file, audit).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from csdesk.errors import UserError
from csdesk.render.qt import check_pdf, document, pdf_writer
from csdesk.services.rendering import PageSetup, Progress

FOOTER_PX = 28  # at the writer's 96 dpi: about 7 mm


def paint_report(
    html: str,
    path: Path,
    setup: PageSetup,
    *,
    title: str,
    footer: str,
    progress: Progress | None = None,
) -> int | None:
    """Draw the report into `path`; pages written, or None if `progress` said stop."""
    writer = pdf_writer(path, setup, f"Daily log · {title}")
    doc = document(html, writer)
    full = doc.pageSize()
    body = QSizeF(full.width(), full.height() - FOOTER_PX)
    doc.setPageSize(body)
    pages = max(1, doc.pageCount())
    painter = QPainter()
    if not painter.begin(writer):
        raise UserError(f"Cannot write {path}. Check that the folder is writable.")
    cancelled = False
    try:
        font = QFont(doc.defaultFont())
        font.setPointSizeF(7.5)
        # No "fi" ligature: the footer's words must stay searchable and copyable as typed.
        font.setFeature(QFont.Tag("liga"), 0)
        for page in range(pages):
            if progress is not None and progress(page, pages) is False:
                cancelled = True
                break
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * body.height())
            doc.drawContents(painter, QRectF(0, page * body.height(), body.width(), body.height()))
            painter.restore()
            _footer(painter, font, full, footer, f"Page {page + 1} of {pages}", title)
    finally:
        ended = painter.end()
    if cancelled:
        return None
    if not ended:
        raise UserError("Could not finish the PDF; nothing was saved.")
    check_pdf(path)
    if progress is not None:
        progress(pages, pages)
    return pages


def _footer(painter: QPainter, font: QFont, full: QSizeF, shop: str, page: str, title: str) -> None:
    top = full.height() - FOOTER_PX + 8
    painter.save()
    painter.setPen(QPen(QColor("#cbd2d9"), 0.8))
    painter.drawLine(0, int(top), int(full.width()), int(top))
    painter.setFont(font)
    painter.setPen(QColor("#52606d"))
    strip = QRectF(0, top + 3, full.width(), FOOTER_PX - 11)
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    center = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
    painter.drawText(strip, left, shop)
    painter.drawText(strip, center, f"Daily log · {title}")
    painter.drawText(strip, right, page)
    painter.restore()
