"""`csdesk server init URL` and `csdesk migrate --from FILE --to URL`: the shop's PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

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


@click.command("migrate")
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The csdesk database file to copy (it is only read, never changed).")
@click.option("--to", "url", required=True, help="The PostgreSQL server database (empty, or just set up).")
@click.option("--replace-partial", is_flag=True,
              help="Empty the partial copy an earlier migrate left when it was cut off, and copy again.")
@json_flag("{server, ok, rows, copy_seconds, verify_seconds, tables, search_sample}")
def migrate_cmd(source: Path, url: str, as_json: bool, replace_partial: bool) -> None:
    """Move a shop's database file to its PostgreSQL server, then verify the copy.

    Copies every table (customers, visits, notes, issues, staff and their PIN hashes, settings,
    the audit log, ...) in batches of one transaction each, keeping ids; then compares the row
    counts and a checksum of every table on both sides, and a sample of searches. The file is
    opened read-only. A server database that already holds csdesk data is refused; one holding
    the partial copy of a migrate that was cut off is refused with the command that starts
    again (--replace-partial).
    """
    from csdesk.services.server import migrate_file

    target = _server_url(url)
    shown = {"table": ""}

    def progress(done: int, total: int, table: str) -> bool:
        if not as_json and table != shown["table"]:
            shown["table"] = table
            click.echo(f"  {table}… ({done:,} of {total:,} rows)", err=True)
        return True

    report = migrate_file(source.expanduser(), target, progress, replace_partial=replace_partial)
    if as_json:
        echo_json(report.as_dict())
    else:
        copy = report.copy
        rate = copy.rows / copy.copy_s if copy.copy_s else 0.0
        click.echo(
            f"Copied {copy.rows:,} rows in {len(copy.tables)} tables to {report.server} "
            f"in {copy.copy_s:.1f} s ({rate:,.0f} rows/s); verified in {copy.verify_s:.1f} s."
        )
        for check in copy.tables:
            if not check.ok:
                click.echo(f"  {check.table}: file {check.file_rows} rows, server {check.server_rows}, "
                           "contents differ", err=True)
        for sample in report.sample:
            if not sample.ok:
                click.echo(f"  search {sample.query!r} finds other customers on the server", err=True)
    if not report.ok:
        raise UserError(
            "The copy on the server does not match the file (see above). The file is unchanged; "
            "keep using it and report this."
        )
    if not as_json:
        click.echo(
            f"Counts, checksums and {len(report.sample)} sample searches match. The file is unchanged."
        )
