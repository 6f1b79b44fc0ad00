"""What every sub-command shares: the Desk for this run, JSON output, clean errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from csdesk.services.desk import Desk


@dataclass
class RunContext:
    db_path: Path
    staff: str | None = None
    # True when the path is the default database in the data folder (made, folder and all, on
    # first run); False when someone typed it (--db, CSDESK_DB): then the folder must exist.
    default_db: bool = False
    _desk: Desk | None = field(default=None, repr=False)

    def desk(self) -> Desk:
        if self._desk is None:
            from csdesk.services.desk import Desk  # only commands that touch the database pay

            new = not self.db_path.exists()
            desk = Desk.open(self.db_path, source="cli", create_folder=self.default_db)
            if new:
                # A mistyped file name or an unmounted share would otherwise quietly start an empty
                # customer list.
                click.echo(f"csdesk: no database was at {self.db_path}; created a new, empty one.", err=True)
            from csdesk.services.importing.service import interrupted_notice

            for batch in desk.interrupted_imports:
                click.echo(f"csdesk: {interrupted_notice(batch)}", err=True)
            if self.staff:
                desk.act_as(self.staff)
            self._desk = desk
        return self._desk

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()
            self._desk = None


pass_run = click.make_pass_decorator(RunContext)


class DateText(click.ParamType):
    """A date or time option, read by services.dates (the one place csdesk reads dates).

    Checked when the command line is read, so a date that cannot be read is a usage error (exit 2)
    that lists the formats, before anything runs; handed on as text, because the service reads
    words like "today" in the shop's time zone, which only the database knows.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "day", "moment" or "due"
        self.name = {"day": "DATE", "moment": "DATE[THH:MM]", "due": "WHEN"}[kind]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from datetime import UTC, date, datetime

        from csdesk.errors import UserError
        from csdesk.services import dates

        text = str(value)
        try:
            if self.kind == "day":
                dates.parse_day(text, date.today())
            elif self.kind == "moment":
                dates.parse_moment(text, date.today())
            else:
                dates.parse_due(text, datetime.now(UTC), UTC)
        except UserError as exc:
            formats = {"day": dates.DAY_FORMATS, "moment": dates.MOMENT_FORMATS}.get(
                self.kind, "2026-12-04, 2026-12-04 15:00, tomorrow, friday or in 3 days"
            )
            said = exc.message if formats in exc.message else f"{exc.message} Write {formats}."
            self.fail(said, param, ctx)
        return text


class FilePath(click.Path):
    """click.Path that refuses an empty name: Path("") is ".", the current folder, never what a
    person meant by a file."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("the file name is empty. Name a file, like out.csv.", param, ctx)
        return super().convert(value, param, ctx)


# Record numbers: positive and within SQLite's 64-bit integers, so 99999999999999999999 is a usage
# error here rather than an OverflowError deep in a query.
ID = click.IntRange(1, 2**63 - 1)

DAY = DateText("day")
MOMENT = DateText("moment")
DUE = DateText("due")


def admin_desk(run: RunContext) -> Desk:
    """Administrative commands need no PIN (whoever runs them can read the file anyway): they act
    as the audited "Command line" admin, unless --staff names who is acting, whose role then
    applies like anywhere else."""
    desk = run.desk()
    if not run.staff:
        desk.auth.act_as_cli()
    return desk


def echo_json(value: Any) -> None:
    """Stable JSON: keys in the order we build them, UTF-8 text, one trailing newline."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))
