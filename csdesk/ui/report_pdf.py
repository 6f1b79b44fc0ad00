"""The daily log as a PDF, through the same QTextDocument + QPdfWriter path letters use.

Letters are one document per page run; a report is one long document, so this painter also
draws a footer on every page (the shop's name, "Page n of N") in a strip kept free below the text.
The CLI imports this lazily: it is the only part of `csdesk export daily` that needs Qt.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from csdesk.errors import UserError
from csdesk.services.report_export import (
    ExportResult,
    Progress,
    record_export,
    report_html,
    shop_name,
)
from csdesk.services.reports import ReportRange
from csdesk.ui.printing import PageSetup, document, pdf_writer

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

FOOTER_PX = 28  # at the writer's 96 dpi: about 7 mm


def write_report_pdf(
    desk: Desk,
    rng: ReportRange,
    path: Path,
    *,
    setup: PageSetup | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Render the report to `path` (written to a temporary name, then moved into place)."""
    events = list(desk.reports.iter_rows(rng))
    html = report_html(desk, rng, events=events)  # checks the export permission
    setup = setup or PageSetup.from_desk(desk)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from exc
    tmp = path.with_name(f".{path.name}.part")
    writer = pdf_writer(tmp, setup, f"Daily log · {rng.title}")
    doc = document(html, writer)
    full = doc.pageSize()
    body = QSizeF(full.width(), full.height() - FOOTER_PX)
    doc.setPageSize(body)
    pages = max(1, doc.pageCount())
    shop = shop_name(desk)
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
            _footer(painter, font, full, shop, f"Page {page + 1} of {pages}", rng.title)
    finally:
        painter.end()
    if cancelled:
        tmp.unlink(missing_ok=True)
        return ExportResult(None, len(events), True)
    try:
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    if progress is not None:
        progress(pages, pages)
    record_export(desk, rng, "pdf", len(events))
    return ExportResult(path, len(events))


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
