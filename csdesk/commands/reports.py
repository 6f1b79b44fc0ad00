"""`csdesk export daily` and `csdesk handover`: the shift lead's day from the command line.

Exports are cron-friendly: no prompts, and exit codes 0 written, 1 could not write (or another
problem, said on stderr), 2 bad options (a date in a bad format), 4 not allowed. Like the other
administrative commands they need no PIN (whoever runs commands here can read the database file
anyway) and act as "Command line"; with --staff NAME they act as that person, who must be a
shift lead or an admin.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from csdesk.commands.common import DAY, MOMENT, RunContext, admin_desk, echo_json, json_flag, pass_run
from csdesk.errors import UserError
from csdesk.services.clock import parse
from csdesk.services.desk import Desk
from csdesk.services.file_names import FormatMismatch, format_for
from csdesk.services.report_export import FORMATS, default_path
from csdesk.services.reports import ReportRange

EXPORT_HELP = """Export a day's (or a shift's) log: every visit, call, note, issue event,
follow-up and letter, in time order.

\b
--date YYYY-MM-DD      the shop's local day (default: today)
--from T --to T        a shift: 2026-11-30T08:00 (shop time) or with an offset;
                       a bare date as --to means the end of that day
-o FILE                default: daily-log-DATE.FORMAT here; '-o -' writes CSV to stdout

\b
CSV columns: at (ISO 8601 with offset), kind, customer_id, customer_name,
channel, staff, summary, issue_id, status, computer. UTF-8 with BOM (not on stdout);
cells starting with = + - @ get a leading ' so spreadsheets never run them.

\b
Exit codes: 0 written, 1 could not write, 2 bad options, 4 not allowed
(act as a shift lead or an admin with --staff, or leave --staff out).
"""




def _range(desk: Desk, day: str | None, start: str | None, end: str | None) -> ReportRange:
    try:
        if start or end:
            if day:
                raise click.UsageError("Give either --date or --from/--to, not both.")
            if not (start and end):
                raise click.UsageError("A shift needs both --from and --to.")
            return desk.reports.parse_span(start, end)
        return desk.reports.parse_day(day) if day else desk.reports.day()
    except UserError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.field or 'date'}") from None


# A sub-command of the `export` group (commands/transfer.py), registered in cli.py.
@click.command("daily", help=EXPORT_HELP, short_help="Export a day's or a shift's log.")
@click.option("--date", "day", default=None, type=DAY)
@click.option("--from", "start", default=None, type=MOMENT)
@click.option("--to", "end", default=None, type=MOMENT)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default=None,
    help="csv, pdf or xlsx (default: from the file name, else csv). A name ending in another "
         "format's extension (day.csv with --format xlsx), or in one csdesk does not write, is "
         "refused.",
)
@click.option("-o", "--output", default=None, metavar="FILE")
@click.option("--force", is_flag=True, help="Replace FILE if it already exists.")
@json_flag("{path, format, rows} when done")
@pass_run
def export_daily_cmd(
    run: RunContext,
    day: str | None,
    start: str | None,
    end: str | None,
    fmt: str | None,
    output: str | None,
    force: bool,
    as_json: bool,
) -> None:
    desk = admin_desk(run)
    rng = _range(desk, day, start, end)
    if output and output != "-":
        try:  # never CSV into day.docx, nor xlsx into day.csv (file_names.format_for)
            fmt = format_for(output, fmt, FORMATS, default="csv")
        except FormatMismatch as exc:
            how = (f"or leave --format out to write {exc.extension}." if exc.wanted
                   else f"or say which with --format {'|'.join(FORMATS)}.")
            raise click.BadParameter(f"{exc} Or {how.removeprefix('or ')}", param_hint="-o") from None
    fmt = fmt or "csv"
    if output == "-":
        if fmt != "csv":
            raise click.BadParameter("Only CSV can go to stdout; give a file name.", param_hint="-o")
        desk.report_exports.export_csv(rng, sys.stdout)
        return
    path = Path(output) if output else default_path(rng, fmt)
    if fmt == "csv":
        result = desk.report_exports.export_csv(rng, path, overwrite=force)
    elif fmt == "xlsx":
        result = desk.report_exports.export_xlsx(rng, path, overwrite=force)
    else:
        from csdesk.render.qt import QtRenderer  # Qt only for the PDF

        result = desk.report_exports.export_pdf(rng, path, QtRenderer(), overwrite=force)
    if as_json:
        echo_json({"path": str(path), "format": fmt, "rows": result.rows})
    else:
        plural = "" if result.rows == 1 else "s"
        click.echo(f"Wrote {result.rows} event{plural} ({rng.title}) to {path}.")


@click.command("handover")
@click.argument("text", required=False)
@click.option("--shift", "for_shift", default="", help="Who it is for, e.g. “late shift”.")
@click.option("--show", is_flag=True, help="Show the notes nobody has acknowledged yet.")
@json_flag("with --show, a list of {id, body, for_shift, created_at, created_by, read_at, read_by}")
@pass_run
def handover_cmd(
    run: RunContext, text: str | None, for_shift: str, show: bool, as_json: bool
) -> None:
    """Leave a note for the next shift (shift leads: --staff NAME), or --show the open ones.

    JSON keys: id, body, for_shift, created_at, created_by, read_at, read_by.
    """
    desk = run.desk()
    if show or text is None:
        notes = desk.handover.unread() or desk.handover.recent(1)
        if as_json:
            echo_json([n.__dict__ for n in notes])
            return
        if not notes:
            click.echo("No handover notes yet.")
            return
        for note in notes:
            state = f"read by {note.read_by}" if note.read_at else "not yet read"
            shift = f" for {note.for_shift}" if note.for_shift else ""
            when = parse(note.created_at).astimezone(desk.reports.tz)
            click.echo(f"From {note.created_by}{shift}, {when:%a %d %b %H:%M} ({state}):")
            click.echo(f"  {note.body}")
        return
    note = desk.handover.write(text, for_shift=for_shift)
    click.echo(f"Saved. The next person to open csdesk sees it first (note #{note.id}).")


# `csdesk export` holds both `export customers` (transfer) and `export daily` (here).
from csdesk.commands.transfer import export_group  # noqa: E402

export_group.add_command(export_daily_cmd)
