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
Files are UTF-8 with a byte-order mark so Excel detects the encoding. A cell that starts with
= + - @ tab or carriage return gets a leading ' so no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import jinja2

from csdesk import paths
from csdesk.errors import UserError
from csdesk.services.auth import Permission, require
from csdesk.services.letters import format_money
from csdesk.services.reports import KIND_LABELS, LogEvent, ReportRange, Summary, short_moment
from csdesk.store import audit
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

COLUMNS = (
    "at", "kind", "customer_id", "customer_name", "channel", "staff", "summary", "issue_id",
    "status",
)
FORMATS = ("csv", "pdf", "xlsx")
_RISKY = ("=", "+", "-", "@", "\t", "\r")
Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


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
    ]


def check_export(desk: Desk) -> None:
    require(desk.actor, Permission.EXPORT)


def record_export(desk: Desk, rng: ReportRange, fmt: str, rows: int) -> None:
    """Customer names leave the building in an export: the audit log says who took which day."""
    with atomic(desk.db):
        audit.record(
            desk.db,
            at=desk.now_iso(),
            staff_id=desk.actor.id,
            action="export",
            entity="daily_log",
            entity_id=None,
            after={"format": fmt, "from": rng.start_iso, "to": rng.end_iso, "rows": rows},
            source=desk.source,
        )


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


def export_csv(
    desk: Desk, rng: ReportRange, target: Path | IO[str], *, progress: Progress | None = None
) -> ExportResult:
    """Write the log as CSV to a file (with BOM, replaced atomically) or a text stream (no BOM:
    a pipe feeds a program, not Excel)."""
    check_export(desk)
    total = desk.reports.count(rng)
    events = desk.reports.iter_rows(rng)
    if not isinstance(target, Path):
        rows, cancelled = write_csv_stream(events, target, total=total, progress=progress)
        if not cancelled:
            record_export(desk, rng, "csv", rows)
        return ExportResult(None, rows, cancelled)
    with _atomic_file(target, "w", encoding="utf-8-sig", newline="") as handle:
        rows, cancelled = write_csv_stream(events, handle, total=total, progress=progress)
        if cancelled:
            handle.cancel()
            return ExportResult(None, rows, True)
    if progress is not None:
        progress(rows, total)
    record_export(desk, rng, "csv", rows)
    return ExportResult(target, rows)


def export_xlsx(
    desk: Desk, rng: ReportRange, path: Path, *, progress: Progress | None = None
) -> ExportResult:
    """The same columns as the CSV; every cell written as plain text or a number, never a
    formula, so no neutralising is needed (the ' would show)."""
    import xlsxwriter

    check_export(desk)
    total = desk.reports.count(rng)
    tmp = _tmp_path(path)
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False})
    try:
        sheet = book.add_worksheet("Daily log")
        bold = book.add_format({"bold": True, "bg_color": "#E8EEF4"})
        for col, (name, width) in enumerate(
            zip(COLUMNS, (26, 16, 11, 28, 11, 16, 60, 9, 11), strict=True)
        ):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, name, bold)
        sheet.freeze_panes(1, 0)
        rows = 0
        for rows, event in enumerate(desk.reports.iter_rows(rng), start=1):
            cells = _xlsx_cells(event)
            for col, value in enumerate(cells):
                if isinstance(value, int):
                    sheet.write_number(rows, col, value)
                elif value:
                    sheet.write_string(rows, col, value)
            if progress is not None and rows % 500 == 0 and progress(rows, total) is False:
                book.close()
                tmp.unlink(missing_ok=True)
                return ExportResult(None, rows, True)
        sheet.autofilter(0, 0, max(rows, 1), len(COLUMNS) - 1)
        book.close()
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    _replace(tmp, path)
    record_export(desk, rng, "xlsx", rows)
    return ExportResult(path, rows)


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
    ]


# -- HTML for the PDF --------------------------------------------------------------------------
_ENV: jinja2.Environment | None = None


def _env() -> jinja2.Environment:
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


def shop_name(desk: Desk) -> str:
    return str(desk.setting("shop_name", "") or "").strip() or "Our shop"


def report_html(desk: Desk, rng: ReportRange, *, events: Iterable[LogEvent] | None = None) -> str:
    """The printable report: the summary on top, the event list below."""
    check_export(desk)
    summary = desk.reports.summary(rng)
    symbol = str(desk.setting("currency_symbol", "$"))
    rows = list(events if events is not None else desk.reports.iter_rows(rng))
    generated = desk.clock().astimezone(rng.tz)
    return _env().get_template("daily.html.j2").render(
        shop=shop_name(desk),
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


# -- files -------------------------------------------------------------------------------------
def default_path(rng: ReportRange, fmt: str, folder: Path | None = None) -> Path:
    return (folder or Path.cwd()) / f"{rng.file_stem()}.{fmt}"


def _tmp_path(path: Path) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from exc
    return path.with_name(f".{path.name}.part")


def _replace(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"Could not write {path}: {exc.strerror or exc}.") from exc


class _atomic_file:
    """open() that writes to a temporary name and moves it into place only when complete."""

    def __init__(self, path: Path, mode: str, **kwargs: Any) -> None:
        self._path = path
        self._tmp = _tmp_path(path)
        self._kwargs = kwargs
        self._mode = mode
        self._cancelled = False

    def __enter__(self) -> _AtomicHandle:
        try:
            handle = open(self._tmp, self._mode, **self._kwargs)
        except OSError as exc:
            raise UserError(
                f"Could not write {self._path}: {exc.strerror}. Check the folder is writable."
            ) from exc
        self._handle = _AtomicHandle(handle, self)
        return self._handle

    def cancel(self) -> None:
        self._cancelled = True

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._handle.raw.close()
        if exc_type is not None or self._cancelled:
            self._tmp.unlink(missing_ok=True)
            return
        _replace(self._tmp, self._path)


class _AtomicHandle:
    def __init__(self, raw: IO[str], owner: _atomic_file) -> None:
        self.raw = raw
        self._owner = owner

    def write(self, text: str) -> int:
        return self.raw.write(text)

    def cancel(self) -> None:
        self._owner.cancel()
