"""`csdesk computer`: this computer's name at the counter, and who works at the others now."""

from __future__ import annotations

import click

from csdesk.commands.common import RunContext, pass_run
from csdesk.errors import NotFound
from csdesk.services.computer import computer_name, host_name, set_computer_name


@click.command("computer")
@click.argument("name", required=False)
@click.option("--others", is_flag=True, help="Also list the other csdesk windows open right now.")
@pass_run
def computer_cmd(run: RunContext, name: str | None, others: bool) -> None:
    """Show this computer's name, or name it: csdesk computer "Counter 2".

    The name is kept on this computer (its config folder), not in the shared database; the audit
    log and the other counters' windows ("Anna has Maria open at Counter 2") show it. Until it is
    named it is the host name.
    """
    if name is not None:
        click.echo(f"This computer is now “{set_computer_name(name)}”.")
        return
    shown = computer_name()
    click.echo(f"This computer is “{shown}”" + (" (its host name)." if shown == host_name() else "."))
    if others:
        desk = run.open()
        found = desk.live.others()
        if not found:
            click.echo("No other csdesk window is open on this database.")
        names: dict[int, str | None] = {}
        for presence in found:
            cid = presence.customer_id
            if cid is not None and cid not in names:
                try:
                    names[cid] = desk.customers.get(cid).display_name
                except NotFound:  # erased meanwhile: nobody is named
                    names[cid] = None
            click.echo(presence.says(names.get(cid) if cid is not None else None) + ".")
