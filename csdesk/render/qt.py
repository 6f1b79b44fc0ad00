"""Letters onto paper: HTML -> QTextDocument -> pages on a PDF writer or a printer.

One painter loop serves PDF files, printers and print preview alike: each letter gets its own
QTextDocument laid out on the device's page, so letters from different templates share a PDF and
every letter starts on a new page. QtPrintSupport ships with PySide6-Essentials (QPrinter);
PDF files use QPdfWriter, which needs no printer support.

The HTML reaching here was checked by services/letter_html.py (size, nesting, which images);
this module adds the last guards that only Qt can apply: documents load images only from
regular local files of bounded size (never a device, never the network), and a letter longer
than MAX_PAGES is refused before a single page is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from csdesk.errors import UserError
from csdesk.services.letter_html import HtmlTooComplex, check_html
from csdesk.services.rendering import PageSetup, Progress

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

    from csdesk.services.insight_data import Insights

# 96 dpi keeps CSS px the same size on paper as on screen; text stays vector in the PDF.
PDF_DPI = 96
PAGE_IDS = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
MAX_PAGES = 60  # per letter: more is a runaway template, not a letter
MAX_IMAGE_BYTES = 10 * 1024 * 1024
FOOTER_PX = 28  # a report page's footer strip at the writer's 96 dpi: about 7 mm
_IMAGE_RESOURCE = QTextDocument.ResourceType.ImageResource.value


def page_layout(setup: PageSetup) -> QPageLayout:
    m = setup.margin_mm
    return QPageLayout(
        QPageSize(PAGE_IDS.get(setup.size, QPageSize.PageSizeId.A4)),
        QPageLayout.Orientation.Portrait,
        QMarginsF(m, m, m, m),
        QPageLayout.Unit.Millimeter,
    )


def ensure_gui_app() -> None:
    """Text layout needs a QGuiApplication; headless callers (the CLI) get an offscreen one.

    It is a QApplication, not a bare QGuiApplication, so widgets created later in the same
    process (a test run, a CLI command that opens a dialog) still work; it is imported only here.
    """
    if QGuiApplication.instance() is not None:
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    global _APP
    _APP = QApplication(["csdesk"])


_APP: QGuiApplication | None = None


class LetterDocument(QTextDocument):
    """A QTextDocument that loads images only from regular local files of bounded size.

    QTextDocument's default loadResource reads any file: URL, so `file:///dev/zero` grew
    without bound and any local file could be pulled into a letter.
    """

    def loadResource(self, kind: int, url: QUrl | str) -> Any:
        if int(kind) != _IMAGE_RESOURCE:  # style sheets and the rest: never loaded
            return None
        qurl = QUrl(url) if isinstance(url, str) else url
        if not qurl.isLocalFile():
            return None
        path = Path(qurl.toLocalFile())
        try:
            info = path.stat()
        except OSError:
            return None
        if not path.is_file() or info.st_size > MAX_IMAGE_BYTES:
            return None
        image = QImage(str(path))
        return None if image.isNull() else image


def document(
    html: str, device: QPagedPaintDevice | None = None, images: Mapping[str, QImage] | None = None
) -> QTextDocument:
    """A letter laid out for `device`'s printable area (or for the screen when None).

    `images`: pictures the HTML names by key (<img src="chart:visits">), drawn by csdesk itself,
    so they are added as resources and never loaded from anywhere."""
    ensure_gui_app()
    doc = LetterDocument()
    doc.setDocumentMargin(0)
    for name, image in (images or {}).items():
        doc.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), image)
    doc.setHtml(html)
    if device is not None:
        doc.documentLayout().setPaintDevice(device)
        rect = device.pageLayout().paintRectPixels(device.logicalDpiX())
        doc.setPageSize(QSizeF(rect.width(), rect.height()))
    return doc


class LetterPainter:
    """Paints letters one after another onto a paged device, a new page for each letter."""

    def __init__(self, device: QPagedPaintDevice) -> None:
        self._device = device
        self._painter = QPainter()
        self._pages = 0
        self._open = False

    def __enter__(self) -> LetterPainter:
        self.begin()
        return self

    def begin(self) -> None:
        if not self._painter.begin(self._device):
            raise UserError(
                "Cannot start writing the pages. Check the printer or the file location."
            )
        self._open = True

    def add(self, html: str) -> int:
        """Paint one letter; returns how many pages it took."""
        try:  # checked when rendered; again here for letters stored before the limits existed
            check_html(html)
        except HtmlTooComplex as exc:
            raise UserError(
                f"This letter {exc}, more than csdesk can lay out safely. "
                "Nothing was printed or saved."
            ) from None
        doc = document(html, self._device)
        size = doc.pageSize()
        count = max(1, doc.pageCount())
        if count > MAX_PAGES:
            raise UserError(
                f"This letter would take {count} pages (at most {MAX_PAGES}); check the "
                "template for a loop that repeats too often. Nothing was printed or saved."
            )
        for page in range(count):
            if self._pages:
                self._device.newPage()
            self._painter.save()
            self._painter.translate(0, -page * size.height())
            doc.drawContents(
                self._painter, QRectF(0, page * size.height(), size.width(), size.height())
            )
            self._painter.restore()
            self._pages += 1
        return count

    @property
    def pages(self) -> int:
        return self._pages

    def end(self) -> bool:
        if not self._open:
            return True
        self._open = False
        return bool(self._painter.end())

    def __exit__(self, *exc: object) -> None:
        self.end()


def pdf_writer(path: Path, setup: PageSetup, title: str = "Letter") -> QPdfWriter:
    ensure_gui_app()
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(page_layout(setup))
    writer.setTitle(title)
    writer.setCreator("csdesk")
    return writer


def check_pdf(path: Path) -> None:
    """QPdfWriter reports no write errors: a PDF is whole only if it ends with %%EOF."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 1024))
            tail = handle.read()
    except OSError as exc:
        raise UserError(f"Could not write the PDF: {exc.strerror or exc}.") from exc
    if size == 0 or b"%%EOF" not in tail:
        raise UserError(
            "Could not write the PDF completely (is the disk full?); nothing was saved."
        )


class QtPdfPages:
    """services.rendering.PdfPages on a QPdfWriter."""

    def __init__(self, path: Path, setup: PageSetup, title: str) -> None:
        self._path = path
        self._writer = pdf_writer(path, setup, title)
        self._painter = LetterPainter(self._writer)
        self._painter.begin()

    def add(self, html: str) -> int:
        return self._painter.add(html)

    def finish(self) -> int:
        ended = self._painter.end()  # QPdfWriter writes the trailer and closes the file here
        if not ended:
            raise UserError("Could not finish the PDF; nothing was saved.")
        check_pdf(self._path)
        return self._painter.pages

    def abort(self) -> None:
        self._painter.end()


class QtRenderer:
    """services.rendering.Renderer with Qt: the one the window and the CLI both use."""

    def open_pdf(self, path: Path, setup: PageSetup, title: str) -> QtPdfPages:
        return QtPdfPages(path, setup, title)

    def report_pdf(
        self,
        html: str,
        path: Path,
        setup: PageSetup,
        *,
        title: str,
        footer: str,
        progress: Progress | None = None,
    ) -> int | None:
        return paint_report(html, path, setup, title=title, footer=footer, progress=progress)

    def insights_pdf(
        self,
        insights: Insights,
        html: str,
        path: Path,
        setup: PageSetup,
        *,
        title: str,
        footer: str,
        progress: Progress | None = None,
    ) -> int | None:
        from csdesk.render.charts import BUILDERS, chart_image  # QtCharts only when needed

        ensure_gui_app()
        images = {f"chart:{key}": chart_image(insights, key) for key in BUILDERS}
        return paint_report(
            html, path, setup, title=title, footer=footer, progress=progress,
            heading="Insights", images=images,
        )


def configure_printer(printer: QPrinter, setup: PageSetup) -> None:
    printer.setResolution(PDF_DPI)
    printer.setPageLayout(page_layout(setup))


def print_letters(htmls: Sequence[str], printer: QPagedPaintDevice) -> int:
    """Paint letters on a configured printer (or on a print preview's printer)."""
    with LetterPainter(printer) as painter:
        for html in htmls:
            painter.add(html)
        return painter.pages


class QtPrintJob:
    """services.rendering.PrintJob on a printer the person chose in a print dialog."""

    def __init__(self, printer: QPrinter) -> None:
        self._printer = printer

    def print_html(self, htmls: Sequence[str]) -> int:
        painter = LetterPainter(self._printer)
        painter.begin()
        try:
            for html in htmls:
                painter.add(html)
        finally:
            ended = painter.end()
        if not ended:
            raise UserError("The printer did not take the letter; nothing was recorded.")
        return painter.pages


# -- the daily log's PDF -------------------------------------------------------------------------
# Letters are one document per page run; a report is one long document, so this painter also
# draws a footer on every page (the shop's name, the title, "Page n of N") in a strip kept free
# below the text. services/report_export.py owns the use case (permission, file, audit). It lives
# here, beside the letter painter it shares document() and check_pdf() with, so that the two
# modules it once was do not import each other round in a circle.

def paint_report(
    html: str,
    path: Path,
    setup: PageSetup,
    *,
    title: str,
    footer: str,
    progress: Progress | None = None,
    heading: str = "Daily log",
    images: Mapping[str, QImage] | None = None,
) -> int | None:
    """Draw the report into `path`; pages written, or None if `progress` said stop."""
    writer = pdf_writer(path, setup, f"{heading} · {title}")
    doc = document(html, writer, images)
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
            _footer(painter, font, full, footer, f"Page {page + 1} of {pages}", f"{heading} · {title}")
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
    painter.drawText(strip, center, title)
    painter.drawText(strip, right, page)
    painter.restore()
