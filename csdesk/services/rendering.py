"""What the services need from whoever turns HTML into paper or PDF. Qt-free.

Letters and report PDFs are use cases of the services (they check permission, record and audit);
the pixels are drawn by a renderer the face hands in: the window and the CLI both pass the Qt one
from csdesk/render/, tests may pass another. The services call the renderer with a temporary path
from store.files, so the renderer only draws; renaming into place, refusing devices and existing
files, and recording only what exists is done once, here, for every face.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from csdesk.services.insight_data import Insights

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


@dataclass(frozen=True)
class PageSetup:
    """The paper a letter or report is laid out on."""

    size: str = "A4"  # "A4" or "Letter"
    margin_mm: float = 18.0


class PdfPages(Protocol):
    """One PDF file being drawn, letter after letter, each starting on a new page."""

    def add(self, html: str) -> int:
        """Lay out and draw one letter; returns how many pages it took."""
        ...

    def finish(self) -> int:
        """Close the file; raises UserError unless the file is completely written. Pages."""
        ...

    def abort(self) -> None:
        """Stop drawing (the caller throws the file away)."""
        ...


class Renderer(Protocol):
    def open_pdf(self, path: Path, setup: PageSetup, title: str) -> PdfPages: ...

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
        """A long document with "footer · title · Page n of N" on every page; pages written,
        or None when `progress` said stop (the caller throws the file away)."""
        ...


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
        """The Insights report: `html` names its charts as <img src="chart:KEY">; the renderer
        draws each chart of `insights` for them. Pages written, or None when stopped."""
        ...


class PrintJob(Protocol):
    """A printer the person already chose (the face showed its print dialog)."""

    def print_html(self, htmls: Sequence[str]) -> int:
        """Send the letters as one job; raises UserError if the job could not be sent."""
        ...
