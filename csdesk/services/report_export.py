"""The daily log as files: CSV, XLSX, and the HTML the PDF is painted from. Qt-free.

CSV columns (stable; documented in `csdesk export daily --help`):
  at             ISO 8601 local time WITH offset, e.g. 2026-10-25T02:30:00+01:00
  kind           visit, call, note, issue_opened, issue_status, issue_resolved, issue_closed,
                 issue_reopened, issue_comment, issue_goodwill, issue_edited, followup_created,
                 followup_done, letter
  customer_id    number (empty for anonymous visits)
  customer_name
  channel        in_person, phone, email, chat, social, other (visits and issues; else empty)
  staff          who did it
  summary        what happened, as it was logged
  issue_id       number, when the event belongs to an issue
  status         the status an issue event set (open, resolved, ...), or due/done for follow-ups
  computer       the counter a visit, call or note was written at (empty for the rest)
Files are UTF-8 with a byte-order mark so Excel detects the encoding. A cell that starts with
= + - @ tab or carriage return gets a leading ' so no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import jinja2

from csdesk import paths
from csdesk.services.auth import Permission, require
from csdesk.services.letters import format_money
from csdesk.services.rendering import PageSetup, Progress, Renderer
from csdesk.services.reports import KIND_LABELS, LogEvent, ReportRange, Summary, short_moment
from csdesk.store.files import AtomicFile, check_target

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.letters import LetterService
    from csdesk.services.reports import ReportService

COLUMNS = (
    "at", "kind", "customer_id", "customer_name", "channel", "staff", "summary", "issue_id",
    "status", "computer",
)
FORMATS = ("csv", "pdf", "xlsx")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


class TextSink(Protocol):
    def write(self, text: str, /) -> int: ...


@dataclass(frozen=True)
class ExportResult:
    path: Path | None  # None when written to a stream
    rows: int
    cancelled: bool = False


def neutralise(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ (or tab/CR) as formulas: make them text."""
    return "'" + value if value.startswith(_RISKY) else value


def csv_cells(event: LogEvent) -> list[str]:
    return [
        event.at.isoformat(timespec="seconds"),
        event.kind,
        "" if event.customer_id is None else str(event.customer_id),
        neutralise(event.customer_name),
        event.channel,
        neutralise(event.staff),
        neutralise(event.summary),
        "" if event.issue_id is None else str(event.issue_id),
        event.status,
        neutralise(event.computer),
    ]


def write_csv_stream(
    events: Iterable[LogEvent], out: TextSink, *, total: int = 0, progress: Progress | None = None
) -> tuple[int, bool]:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for event in events:
        writer.writerow(csv_cells(event))
        count += 1
        if progress is not None and count % 500 == 0 and progress(count, total) is False:
            return count, True
    return count, False


def _xlsx_cells(event: LogEvent) -> list[Any]:
    return [
        event.at.isoformat(timespec="seconds"),
        event.kind,
        event.customer_id if event.customer_id is not None else "",
        event.customer_name,
        event.channel,
        event.staff,
        event.summary,
        event.issue_id if event.issue_id is not None else "",
        event.status,
        event.computer,
    ]


# -- HTML for the PDF --------------------------------------------------------------------------
_ENV: jinja2.Environment | None = None


def report_templates() -> jinja2.Environment:
    # Report templates are bundled with csdesk, not user-editable, so plain autoescaping Jinja
    # is enough (letters need the sandbox because shops write their own).
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(
            loader=jinja2.FileSystemLoader(paths.resources_dir() / "reports"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _ENV


def _channel_labels(summary: Summary) -> list[tuple[str, str, int]]:
    from csdesk.domain import Channel

    out = []
    for key, n in sorted(summary.total.visits_by_channel.items(), key=lambda kv: -kv[1]):
        try:
            label = Channel(key).label
        except ValueError:
            label = key
        out.append((key, label, n))
    return out


def _tz_label(rng: ReportRange, moment: datetime) -> str:
    name = getattr(rng.tz, "key", None) or moment.tzname() or ""
    return str(name)


class ReportExports:
    """The daily log leaving the building (CSV, XLSX, PDF): the permission check, the file, the
    audit. Built from the context and the services it reads: reports (rows, summary) and letters
    (the shop's page setup)."""

    def __init__(
        self, ctx: Context, *, reports: ReportService, letters: LetterService
    ) -> None:
        self._ctx = ctx
        self._reports = reports
        self._letters = letters

    def check(self) -> None:
        require(self._ctx.actor, Permission.EXPORT)

    def record(self, rng: ReportRange, fmt: str, rows: int) -> None:
        """Customer names leave the building in an export: the audit log says who took which day."""
        span = {"format": fmt, "from": rng.start_iso, "to": rng.end_iso, "rows": rows}
        self._ctx.audit("export", "daily_log", after=span)

    def export_csv(
        self,
        rng: ReportRange,
        target: Path | IO[str],
        *,
        progress: Progress | None = None,
        overwrite: bool = False,
    ) -> ExportResult:
        """Write the log as CSV to a file (with BOM, through store.files: whole or not at all) or a
        text stream (no BOM: a pipe feeds a program, not Excel)."""
        self.check()
        total = self._reports.count(rng)
        events = self._reports.iter_rows(rng)
        if not isinstance(target, Path):
            rows, cancelled = write_csv_stream(events, target, total=total, progress=progress)
            if not cancelled:
                self.record(rng, "csv", rows)
            return ExportResult(None, rows, cancelled)
        with AtomicFile(target, overwrite=overwrite) as out:
            with out.open("w", encoding="utf-8-sig", newline="") as handle:
                rows, cancelled = write_csv_stream(events, handle, total=total, progress=progress)
            if cancelled:
                out.cancel()
                return ExportResult(None, rows, True)
        if progress is not None:
            progress(rows, total)
        self.record(rng, "csv", rows)
        return ExportResult(target, rows)

    def export_xlsx(
        self,
        rng: ReportRange,
        path: Path,
        *,
        progress: Progress | None = None,
        overwrite: bool = False,
    ) -> ExportResult:
        """The same columns as the CSV; every cell written as plain text or a number, never a
        formula, so no neutralising is needed (the ' would show)."""
        import xlsxwriter
        import xlsxwriter.exceptions

        self.check()
        total = self._reports.count(rng)
        with AtomicFile(path, overwrite=overwrite) as out:
            book = xlsxwriter.Workbook(
                str(out.tmp), {"constant_memory": True, "strings_to_formulas": False}
            )
            sheet = book.add_worksheet("Daily log")
            bold = book.add_format({"bold": True, "bg_color": "#E8EEF4"})
            for col, (name, width) in enumerate(
                zip(COLUMNS, (26, 16, 11, 28, 11, 16, 60, 9, 11, 16), strict=True)
            ):
                sheet.set_column(col, col, width)
                sheet.write_string(0, col, name, bold)
            sheet.freeze_panes(1, 0)
            rows = 0
            for rows, event in enumerate(self._reports.iter_rows(rng), start=1):
                cells = _xlsx_cells(event)
                for col, value in enumerate(cells):
                    if isinstance(value, int):
                        sheet.write_number(rows, col, value)
                    elif value:
                        sheet.write_string(rows, col, value)
                if progress is not None and rows % 500 == 0 and progress(rows, total) is False:
                    book.close()
                    out.cancel()
                    return ExportResult(None, rows, True)
            sheet.autofilter(0, 0, max(rows, 1), len(COLUMNS) - 1)
            try:
                book.close()
            except xlsxwriter.exceptions.FileCreateError as exc:  # wraps the OSError it met
                cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
                raise cause or OSError(str(exc)) from exc
        self.record(rng, "xlsx", rows)
        return ExportResult(path, rows)

    def report_html(self, rng: ReportRange, *, events: Iterable[LogEvent] | None = None) -> str:
        """The printable report: the summary on top, the event list below."""
        self.check()
        summary = self._reports.summary(rng)
        symbol = str(self._ctx.setting("currency_symbol", "$"))
        rows = list(events if events is not None else self._reports.iter_rows(rng))
        generated = self._ctx.clock().astimezone(rng.tz)
        return report_templates().get_template("daily.html.j2").render(
            shop=self.shop_name(),
            title=rng.title,
            range=rng,
            made=short_moment(generated),
            summary=summary,
            total=summary.total.as_dict(),
            staff=[(name, t.as_dict()) for name, t in summary.by_staff.items()],
            channels=_channel_labels(summary),
            events=rows,
            money=lambda cents: format_money(cents, symbol),
            kinds=KIND_LABELS,
            tz_name=_tz_label(rng, generated),
            long_times=rng.spans_days,
        )

    def export_pdf(
        self,
        rng: ReportRange,
        path: Path,
        renderer: Renderer,
        *,
        setup: PageSetup | None = None,
        progress: Progress | None = None,
        overwrite: bool = False,
    ) -> ExportResult:
        """The report as a PDF drawn by the face's renderer; audited once the file exists."""
        self.check()
        check_target(path, overwrite=overwrite)
        events = list(self._reports.iter_rows(rng))
        html = self.report_html(rng, events=events)
        setup = setup or self._letters.page_setup()
        with AtomicFile(path, overwrite=overwrite) as out:
            pages = renderer.report_pdf(
                html, out.tmp, setup, title=rng.title, footer=self.shop_name(), progress=progress
            )
            if pages is None:
                out.cancel()
                return ExportResult(None, len(events), True)
        self.record(rng, "pdf", len(events))
        return ExportResult(path, len(events))

    def shop_name(self) -> str:
        return str(self._ctx.setting("shop_name", "") or "").strip() or "Our shop"


# -- files -------------------------------------------------------------------------------------
def default_path(rng: ReportRange, fmt: str, folder: Path | None = None) -> Path:
    return (folder or Path.cwd()) / f"{rng.file_stem()}.{fmt}"
