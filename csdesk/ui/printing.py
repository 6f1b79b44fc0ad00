"""Letters onto paper: HTML -> QTextDocument -> pages on a PDF writer or a printer.

One painter loop serves PDF files, printers and print preview alike: each letter gets its own
QTextDocument laid out on the device's page, so letters from different templates share a PDF and
every letter starts on a new page. QtPrintSupport ships with PySide6-Essentials (QPrinter,
QPrintDialog, QPrintPreviewDialog); PDF files use QPdfWriter, which needs no printer support.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import (
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from csdesk.errors import UserError

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

    from csdesk.services.desk import Desk

# 96 dpi keeps CSS px the same size on paper as on screen; text stays vector in the PDF.
PDF_DPI = 96
PAGE_IDS = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


@dataclass(frozen=True)
class PageSetup:
    size: str = "A4"
    margin_mm: float = 18.0

    @classmethod
    def from_desk(cls, desk: Desk, size: str | None = None) -> PageSetup:
        return cls(size or desk.letters.page_size(), desk.letters.margins_mm())

    def layout(self) -> QPageLayout:
        margins = QMarginsF(self.margin_mm, self.margin_mm, self.margin_mm, self.margin_mm)
        return QPageLayout(
            QPageSize(PAGE_IDS.get(self.size, QPageSize.PageSizeId.A4)),
            QPageLayout.Orientation.Portrait,
            margins,
            QPageLayout.Unit.Millimeter,
        )


def ensure_gui_app() -> None:
    """Text layout needs a QGuiApplication; headless callers (the CLI) get an offscreen one.

    It is a QApplication, not a bare QGuiApplication, so widgets created later in the same
    process (a test run, a CLI command that opens a dialog) still work.
    """
    if QGuiApplication.instance() is not None:
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    global _APP
    _APP = QApplication(["csdesk"])


_APP: QGuiApplication | None = None


def document(html: str, device: QPagedPaintDevice | None = None) -> QTextDocument:
    """A letter laid out for `device`'s printable area (or for the screen when None)."""
    ensure_gui_app()
    doc = QTextDocument()
    doc.setDocumentMargin(0)
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
        self._letters = 0

    def __enter__(self) -> LetterPainter:
        if not self._painter.begin(self._device):
            raise UserError(
                "Cannot start writing the pages. Check the printer or the file location."
            )
        return self

    def add(self, html: str) -> int:
        """Paint one letter; returns how many pages it took."""
        doc = document(html, self._device)
        size = doc.pageSize()
        count = max(1, doc.pageCount())
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
        self._letters += 1
        return count

    @property
    def pages(self) -> int:
        return self._pages

    def __exit__(self, *exc: object) -> None:
        self._painter.end()


def pdf_writer(path: Path, setup: PageSetup, title: str = "Letter") -> QPdfWriter:
    ensure_gui_app()
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(setup.layout())
    writer.setTitle(title)
    writer.setCreator("csdesk")
    return writer


def write_pdf(htmls: Iterable[str], path: Path, setup: PageSetup, title: str = "Letter") -> int:
    """Write letters to one PDF file (each starting on a new page); returns the page count."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from exc
    writer = pdf_writer(path, setup, title)
    with LetterPainter(writer) as painter:
        for html in htmls:
            painter.add(html)
        pages = painter.pages
    if not path.is_file():
        raise UserError(f"Could not write {path}. Check that the folder is writable.")
    return pages


def print_letters(htmls: Sequence[str], printer: QPrinter) -> int:
    """Paint letters on a configured printer (or on a print preview's printer)."""
    with LetterPainter(printer) as painter:
        for html in htmls:
            painter.add(html)
        return painter.pages


def configure_printer(printer: QPrinter, setup: PageSetup) -> None:
    printer.setResolution(PDF_DPI)
    printer.setPageLayout(setup.layout())


# -- batches -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchResult:
    letters: tuple[int, ...]  # ids of the recorded letters, in order
    files: tuple[Path, ...]
    failed: tuple[tuple[int, str], ...]  # (customer id, message) for letters that could not be made
    cancelled: bool = False


def safe_file_part(text: str) -> str:
    part = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-_")
    return part[:40] or "customer"


def run_batch(
    desk: Desk,
    template: str,
    customer_ids: Sequence[int],
    out: Path,
    *,
    setup: PageSetup | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Produce (and record) a letter per customer into one PDF (`out` ends in .pdf) or one PDF
    per customer (`out` is a folder). A customer whose letter fails is reported, not fatal;
    a broken template stops the batch at the first letter with its clear message.
    """
    from csdesk.errors import NotFound
    from csdesk.services.letters import TemplateProblem

    setup = setup or PageSetup.from_desk(desk)
    desk.letters.template(template)  # unknown template: fail before touching any file
    single = out.suffix.lower() == ".pdf"
    made: list[int] = []
    files: list[Path] = []
    failed: list[tuple[int, str]] = []
    total = len(customer_ids)
    cancelled = False
    if single:
        tmp = out.with_name(out.name + ".part")
        writer = pdf_writer(tmp, setup, f"{template} letters")
        painter: LetterPainter | None = LetterPainter(writer).__enter__()
    else:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"Cannot create the folder {out}: {exc.strerror}.") from exc
        painter = None
    finished = False
    try:
        for index, customer_id in enumerate(customer_ids):
            if progress is not None and progress(index, total) is False:
                cancelled = True
                break
            try:
                letter = desk.letters.produce(template, customer_id, page_size=setup.size)
            except TemplateProblem:
                if not made:  # the template itself is broken: one clear message, no files
                    raise
                failed.append((customer_id, str(sys.exc_info()[1])))
                continue
            except (NotFound, UserError) as exc:
                failed.append((customer_id, str(exc)))
                continue
            made.append(letter.id)
            if painter is not None:
                painter.add(letter.html)
            else:
                name = f"{customer_id}-{safe_file_part(_customer_name(desk, customer_id))}.pdf"
                write_pdf([letter.html], out / name, setup, letter.title)
                files.append(out / name)
        if progress is not None and not cancelled:
            progress(total, total)
        finished = True
    finally:
        if painter is not None:
            painter.__exit__()
            if not (finished and made):
                tmp.unlink(missing_ok=True)
    if single and made:
        tmp.replace(out)
        files.append(out)
    return BatchResult(tuple(made), tuple(files), tuple(failed), cancelled)


def _customer_name(desk: Desk, customer_id: int) -> str:
    return desk.customers.get(customer_id).display_name
