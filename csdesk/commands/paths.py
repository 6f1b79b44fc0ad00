"""`csdesk paths`: where this install keeps the database, backups and templates."""

from __future__ import annotations

import click

from csdesk.commands.common import RunContext, echo_json, pass_run
from csdesk.services.about import about


@click.command("paths")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@pass_run
def paths_cmd(run: RunContext, as_json: bool) -> None:
    """Show where your data lives: database, backups, letter templates.

    JSON keys: version, database, data, backups, templates, resources, frozen.
    """
    info = about(run.db_path)  # never opens the database: asking must not create one
    if as_json:
        echo_json(info.as_dict())
        return
    click.echo(f"csdesk {info.version}")
    rows = [
        ("Database", info.database),
        ("Data folder", info.data),
        ("Backups", info.backups),
        ("Your templates", info.templates),
        ("Bundled files", info.resources),
    ]
    for label, path in rows:
        click.echo(f"{label + ':':<16}{path}")
