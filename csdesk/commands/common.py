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
