"""`csdesk report insights`: how the shop is doing over a period, as a PDF or as CSV numbers.

Shift leads and admins get the whole shop (and --member NAME for one person); plain staff get
their own figures only (the service says so when they ask for someone else's).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from csdesk.commands.common import DAY, RunContext, admin_desk, echo_json, json_flag, pass_run
from csdesk.errors import UserError
from csdesk.services.insights import PRESETS

HELP = """Insights for a period, compared with the period before: visits and calls per
day by channel, returning and new customers, satisfaction, issues (opened, resolved,
time to resolve against the SLA, overdue now), goodwill, follow-ups, busiest hours and
per staff member.

\b
--from DAY --to DAY    the first and last day (both included, shop time)
--period NAME          or this_week, last_4_weeks, this_quarter (default: last_4_weeks)
-o FILE                insights.pdf or insights.csv; '-o -' writes CSV to stdout
--format csv|pdf       default: from the file name, else pdf

\b
CSV columns: table, row, column, value: one row per number behind every chart.
The PDF is on the shop's paper (A4 or Letter, as letters are).
Exit codes: 0 written, 1 could not write, 2 bad options, 4 not allowed.
"""


@click.group("report", help="Reports about how the shop is doing.")
def report_group() -> None:
    pass


@report_group.command("insights", help=HELP, short_help="Charts and numbers for a period.")
@click.option("--from", "first", default=None, type=DAY)
@click.option("--to", "last", default=None, type=DAY)
@click.option("--period", "preset", type=click.Choice(PRESETS), default=None)
@click.option("--member", default=None, metavar="NAME", help="One staff member's figures.")
@click.option("--format", "fmt", type=click.Choice(("csv", "pdf")), default=None)
@click.option("-o", "--output", default=None, metavar="FILE")
@click.option("--force", is_flag=True, help="Replace FILE if it already exists.")
@json_flag("{path, format, from, to, pages?, rows?} (pages for a PDF, rows for a CSV)")
@pass_run
def insights_cmd(
    run: RunContext,
    first: str | None,
    last: str | None,
    preset: str | None,
    member: str | None,
    fmt: str | None,
    output: str | None,
    force: bool,
    as_json: bool,
) -> None:
    # Named staff get what their role allows; otherwise the command acts like the other
    # reports (the audited Command line admin until an admin has a PIN).
    desk = run.desk() if run.staff else admin_desk(run)
    service = desk.insights
    try:
        if first or last:
            if preset:
                raise click.UsageError("Give either --period or --from/--to, not both.")
            if not (first and last):
                raise click.UsageError("A period needs both --from and --to.")
            period = service.parse_period(first, last)
        else:
            period = service.preset(preset or "last_4_weeks")
    except UserError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.field or 'from'}") from None
    staff_id = service.member_id(member) if member else None
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
        fmt = suffix if suffix in ("csv", "pdf") else ("csv" if output == "-" else "pdf")
    exports = desk.insight_exports
    if output == "-":
        if fmt != "csv":
            raise click.BadParameter("Only CSV can go to stdout; give a file name.", param_hint="-o")
        exports.export_csv(period, sys.stdout, staff_id=staff_id)
        return
    path = Path(output) if output else Path.cwd() / f"insights-{period.first}-to-{period.last}.{fmt}"
    result: dict[str, object] = {"path": str(path), "format": fmt,
                                 "from": period.first.isoformat(), "to": period.last.isoformat()}
    if fmt == "csv":
        rows = exports.export_csv(period, path, staff_id=staff_id, overwrite=force)
        result["rows"] = rows
        said = f"{rows} numbers"
    else:
        from csdesk.render.qt import QtRenderer  # Qt only for the PDF

        pages = exports.export_pdf(period, path, QtRenderer(), staff_id=staff_id, overwrite=force)
        result["pages"] = pages
        said = f"{pages} page{'' if pages == 1 else 's'}"
    if as_json:
        echo_json(result)
    else:
        click.echo(f"Wrote insights for {period.title} ({said}) to {path}.")
