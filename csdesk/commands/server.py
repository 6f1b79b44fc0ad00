"""`csdesk server init URL` and `csdesk migrate --from FILE --to URL`: the shop's PostgreSQL server."""

from __future__ import annotations

import click

from csdesk.commands.common import echo_json, json_flag
from csdesk.errors import UserError


def _server_url(value: str) -> str:
    from csdesk.store.server.target import is_server

    if not is_server(value):
        raise UserError(
            f"{value!r} is not a PostgreSQL server: give a URL such as "
            "postgresql://csdesk@backoffice:5432/csdesk (or service=NAME)."
        )
    return value


@click.group("server")
def server_group() -> None:
    """The shop's PostgreSQL server, shared by several counters."""


@server_group.command("init")
@click.argument("url")
@json_flag("{server, migrations, created}")
def server_init_cmd(url: str, as_json: bool) -> None:
    """Create the csdesk schema on an empty PostgreSQL database at URL.

    URL is a libpq connection URL (postgresql://user@host:5432/database) or string (service=shop);
    keep the password in ~/.pgpass or PGPASSFILE, not in the URL. A database holding other
    tables is refused; one csdesk already set up is brought up to date.
    """
    from csdesk.services.server import init_server

    report = init_server(_server_url(url))
    if as_json:
        echo_json(report.as_dict())
    elif report.created:
        click.echo(f"Set up csdesk on {report.server}: {len(report.migrations)} migrations.")
    else:
        click.echo(f"csdesk was already set up on {report.server}; its schema is up to date.")
