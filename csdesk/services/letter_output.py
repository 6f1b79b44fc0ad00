"""Letters out of the building: one PDF, a printed letter, a batch, a reprint. Qt-free.

Each is a use case that checks permission (LetterService.prepare), draws through the renderer
the face hands in (services/rendering.py), and records the letter only once its file or print
job exists: a write that fails records nothing and says why. Files go through store/files.py,
so a letter PDF follows the same rules as every other file csdesk writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csdesk.errors import NotFound, UserError
from csdesk.services.letters import Letter, Prepared, TemplateProblem
from csdesk.services.rendering import PageSetup, PrintJob, Progress, Renderer
from csdesk.store.files import AtomicFile, check_target, write_text

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.customers import CustomerService
    from csdesk.services.letters import LetterService


@dataclass(frozen=True)
class BatchResult:
    letters: tuple[int, ...]  # ids of the recorded letters, in order
    files: tuple[Path, ...]
    failed: tuple[tuple[int, str], ...]  # (customer id, message) for letters that could not be made
    cancelled: bool = False


def safe_file_part(text: str) -> str:
    part = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-_")
    return part[:40] or "customer"


def draw_pdf(renderer: Renderer, htmls: Sequence[str], path: Path, setup: PageSetup, title: str,
             *, overwrite: bool = False) -> int:
    """Letters into one PDF at `path`, whole or not at all; returns the page count."""
    with AtomicFile(path, overwrite=overwrite) as out:
        pages = renderer.open_pdf(out.tmp, setup, title)
        try:
            for html in htmls:
                pages.add(html)
        except BaseException:
            pages.abort()
            raise
        count = pages.finish()
    return count


class LetterOutput:
    """The letter use cases (one PDF, HTML, a printed letter, a batch, a reprint), built from the
    context and the two services they use: letters (prepare, record) and customers (file names)."""

    def __init__(
        self, ctx: Context, *, letters: LetterService, customers: CustomerService
    ) -> None:
        self._ctx = ctx
        self._letters = letters
        self._customers = customers

    def save_pdf(
        self,
        renderer: Renderer,
        template: str,
        customer_id: int,
        path: Path,
        *,
        issue: Mapping[str, Any] | None = None,
        page_size: str | None = None,
        overwrite: bool = False,
    ) -> Letter:
        """Write one letter as a PDF and then, the file being there, record it."""
        check_target(path, overwrite=overwrite)
        prepared = self._letters.prepare(template, customer_id, issue=issue, page_size=page_size)
        draw_pdf(renderer, [prepared.html], path, self._setup(prepared), prepared.title,
                 overwrite=overwrite)
        return self._record_or_remove([prepared], [path])[0]


    def save_html(
        self,
        template: str,
        customer_id: int,
        path: Path,
        *,
        issue: Mapping[str, Any] | None = None,
        page_size: str | None = None,
        overwrite: bool = False,
    ) -> Letter:
        """The letter's HTML to a file, recorded once the file is there."""
        check_target(path, overwrite=overwrite)
        prepared = self._letters.prepare(template, customer_id, issue=issue, page_size=page_size)
        write_text(path, prepared.html, overwrite=overwrite)
        return self._record_or_remove([prepared], [path])[0]


    def print_letter(self, job: PrintJob, prepared: Prepared) -> Letter:
        """Send a prepared letter to the printer the person chose; recorded once the job is sent."""
        job.print_html([prepared.html])
        return self._letters.record(prepared)


    def reprint_pdf(
        self, renderer: Renderer, letter_id: int, path: Path, *, overwrite: bool = False
    ) -> Letter:
        """A recorded letter again, exactly as it was sent (no new letter is recorded)."""
        letter = self._letters.get(letter_id)
        setup = PageSetup(letter.page_size, self._letters.margins_mm())
        draw_pdf(renderer, [letter.html], path, setup, letter.title, overwrite=overwrite)
        return letter


    def run_batch(
        self,
        renderer: Renderer,
        template: str,
        customer_ids: Sequence[int],
        out: Path,
        *,
        setup: PageSetup | None = None,
        progress: Progress | None = None,
        overwrite: bool = False,
    ) -> BatchResult:
        """A letter per customer into one PDF (`out` ends in .pdf) or one PDF each (`out` is a
        folder that exists). A customer whose letter fails is reported, not fatal; a broken template
        stops the batch at the first letter with its clear message. Letters are recorded only once
        their file exists: for one PDF, all together after the file is complete.
        """
        setup = setup or self._letters.page_setup()
        self._letters.template(template)  # unknown template: fail before touching any file
        if out.suffix.lower() == ".pdf":
            return self._batch_one_file(renderer, template, customer_ids, out, setup, progress,
                                   overwrite)
        return self._batch_folder(renderer, template, customer_ids, out, setup, progress, overwrite)


    def _batch_one_file(
        self,
        renderer: Renderer,
        template: str,
        customer_ids: Sequence[int],
        out: Path,
        setup: PageSetup,
        progress: Progress | None,
        overwrite: bool,
    ) -> BatchResult:
        check_target(out, overwrite=overwrite)
        made: list[Prepared] = []
        failed: list[tuple[int, str]] = []
        cancelled = False
        total = len(customer_ids)
        with AtomicFile(out, overwrite=overwrite) as target:
            pages = renderer.open_pdf(target.tmp, setup, f"{template} letters")
            try:
                for index, customer_id in enumerate(customer_ids):
                    if progress is not None and progress(index, total) is False:
                        cancelled = True
                        break
                    prepared = self._prepare(template, customer_id, setup, failed, first=not made)
                    if prepared is None:
                        continue
                    try:
                        pages.add(prepared.html)
                    except UserError as exc:  # this letter cannot be drawn; the others can
                        failed.append((customer_id, str(exc)))
                        continue
                    made.append(prepared)
            except BaseException:
                pages.abort()
                raise
            if not made:
                pages.abort()
                target.cancel()
            else:
                pages.finish()
        if not made:
            return BatchResult((), (), tuple(failed), cancelled)
        letters = self._record_or_remove(made, [out])
        if progress is not None and not cancelled:
            progress(total, total)
        return BatchResult(tuple(x.id for x in letters), (out,), tuple(failed), cancelled)


    def _batch_folder(
        self,
        renderer: Renderer,
        template: str,
        customer_ids: Sequence[int],
        out: Path,
        setup: PageSetup,
        progress: Progress | None,
        overwrite: bool,
    ) -> BatchResult:
        if not out.is_dir():
            check_target(out / "letter.pdf")  # says the folder does not exist, or is not a folder
        names = {cid: out / f"{cid}-{safe_file_part(self._name(cid))}.pdf" for cid in customer_ids}
        for path in names.values():  # refuse before the first letter, not after the tenth
            check_target(path, overwrite=overwrite)
        letters: list[int] = []
        files: list[Path] = []
        failed: list[tuple[int, str]] = []
        cancelled = False
        total = len(customer_ids)
        for index, customer_id in enumerate(customer_ids):
            if progress is not None and progress(index, total) is False:
                cancelled = True
                break
            prepared = self._prepare(template, customer_id, setup, failed, first=not letters)
            if prepared is None:
                continue
            path = names[customer_id]
            try:
                draw_pdf(renderer, [prepared.html], path, setup, prepared.title, overwrite=overwrite)
            except UserError as exc:
                failed.append((customer_id, str(exc)))
                continue
            letters.append(self._record_or_remove([prepared], [path])[0].id)
            files.append(path)
        if progress is not None and not cancelled:
            progress(total, total)
        return BatchResult(tuple(letters), tuple(files), tuple(failed), cancelled)


    def _prepare(
        self,
        template: str,
        customer_id: int,
        setup: PageSetup,
        failed: list[tuple[int, str]],
        *,
        first: bool,
    ) -> Prepared | None:
        try:
            return self._letters.prepare(template, customer_id, page_size=setup.size)
        except TemplateProblem as exc:
            if first:  # the template itself is broken: one clear message, no files
                raise
            failed.append((customer_id, str(exc)))
        except (NotFound, UserError) as exc:
            failed.append((customer_id, str(exc)))
        return None


    def _record_or_remove(self, prepared: Sequence[Prepared], files: Sequence[Path]) -> list[Letter]:
        """Record letters whose files exist; if recording fails, the files go too (never a letter
        on paper that the timeline does not show, nor the other way round)."""
        try:
            return self._letters.record_many(prepared)
        except BaseException:
            for path in files:
                path.unlink(missing_ok=True)
            raise


    def _setup(self, prepared: Prepared) -> PageSetup:
        return PageSetup(prepared.page_size, self._letters.margins_mm())


    def _name(self, customer_id: int) -> str:
        try:
            return self._customers.get(customer_id).display_name
        except NotFound:
            return "customer"
