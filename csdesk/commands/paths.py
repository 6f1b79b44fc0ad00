"""`csdesk paths`: where this install keeps the database, backups and templates; `csdesk init`."""

from __future__ import annotations

from pathlib import Path

import click

from csdesk.commands.common import FilePath, RunContext, echo_json, json_flag, pass_run
from csdesk.errors import UserError
from csdesk.services.about import about


@click.command("paths")
@json_flag("{version, database, server, data, backups, templates, resources, frozen, keychain_backends}")
@pass_run
def paths_cmd(run: RunContext, as_json: bool) -> None:
    """Show where your data lives: database, backups, letter templates.

    JSON keys: version, database, server, data, backups, templates, resources, frozen,
    keychain_backends (the keychains this build can keep the mail password in, found through
    keyring's entry points). server: null for a file; for a PostgreSQL --db its host, port,
    database, user and service (never the password; database is then the URL, redacted).
    """
    info = about(run.file_path, server=run.server)  # never opens the database: asking must not create one
    if as_json:
        from csdesk.services.mail_secret import backend_names

        echo_json({**info.as_dict(), "keychain_backends": backend_names()})
        return
    click.echo(f"csdesk {info.version}")
    if info.server is not None:
        s = info.server
        where = f"service {s['service']}" if s["service"] and not s["host"] else f"{s['host']}:{s['port']}"
        click.echo(f"{'Server:':<16}{where}, database {s['database'] or '(from the service)'}, "
                   f"user {s['user'] or '(from the service)'}")
    rows = [
        *([] if info.server is not None else [("Database", info.database)]),
        ("Data folder", info.data),
        ("Backups", info.backups),
        ("Your templates", info.templates),
        ("Bundled files", info.resources),
    ]
    for label, path in rows:
        click.echo(f"{label + ':':<16}{path}")


@click.command("init")
@click.argument("target", required=False)
@click.pass_context
def init_cmd(ctx: click.Context, target: str | None) -> None:
    """Start a new, empty database at TARGET: a file on this computer (making its folders; never
    on a shared network folder: for several counters use a server), or a PostgreSQL server
    database (postgresql://user@host/db; its tables are created, as `csdesk server init` does).
    Without TARGET: the server given with --db.

    Other commands (but demo, import and restore) refuse a --db file that does not exist: a typo
    must not start an empty customer list. Use it afterwards with `csdesk --db TARGET ...` or
    CSDESK_DB=TARGET.
    """
    from csdesk.services.desk import Desk
    from csdesk.store.server.target import is_server

    run = ctx.find_object(RunContext)
    target = target or (run.server if run is not None else None)
    if not target:
        raise UserError("Say where: `csdesk init PATH` for a file, or `csdesk init URL` for a server.")
    if is_server(target):
        from csdesk.services.server import new_server_book

        report = new_server_book(target)
        click.echo(f"Created a new, empty csdesk database on {report.server}.")
        return
    path = FilePath(dir_okay=False, path_type=Path).convert(target, None, ctx).expanduser()
    if path.exists():
        raise UserError(f"There already is a file at {path}; nothing was changed.")
    Desk.open(path, source="cli", create_folder=True).close()
    click.echo(f"Created a new, empty csdesk database at {path}.")
