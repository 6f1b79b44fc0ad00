"""`csdesk --db URL backup | restore | check`: the admin commands' server side, with the same
words and exit codes as on a file (commands/admin.py calls these when --db is a server).

Who may: on a server, whoever the server lets in with the URL's role may read (and so back up)
every row; the PIN sign-in of these commands comes with csdesk's services on the server.
"""

from __future__ import annotations

from pathlib import Path

import click

from csdesk.commands.common import RunContext, echo_json
from csdesk.commands.hints import pasteable

EXIT_CHECK_FAILED = 2
PG_BIN_HELP = (
    "Folder of PostgreSQL's pg_dump, pg_restore and psql (default: PATH, then "
    "/usr/lib/postgresql/<version>/bin; or set CSDESK_PG_BIN)."
)


def pg_bin_option(f):  # type: ignore[no-untyped-def]
    return click.option("--pg-bin", default=None, envvar="CSDESK_PG_BIN", help=PG_BIN_HELP)(f)


def server_backup(run: RunContext, output: Path | None, force: bool, pg_bin: str | None,
                  as_json: bool = False) -> None:
    from csdesk.services.server_backup import ServerBackups

    assert run.server is not None
    with ServerBackups(run.server, pg_bin=pg_bin) as backups:
        result = backups.backup(output.expanduser() if output else None, overwrite=force)
    if as_json:  # a server's backup is read back before it counts (ServerBackups.backup)
        echo_json({"path": str(result.path), "bytes": result.size,
                   "seconds": round(result.seconds, 3), "verified": True,
                   "server": result.server, "warnings": []})
        return
    click.echo(f"Backed up {result.server} to {result.path} ({result.size / 1e6:.1f} MB, "
               f"{result.seconds:.1f} s).")


def server_restore(run: RunContext, source: Path, other_database: bool, pg_bin: str | None) -> None:
    from csdesk.services.server_backup import ServerBackups

    assert run.server is not None
    with ServerBackups(run.server, pg_bin=pg_bin) as backups:
        result = backups.restore(source.expanduser(), other_database=other_database)
    migrated = (f" It was brought up to date ({', '.join(result.migrated)})." if result.migrated else "")
    click.echo(
        f"Restored {source}: the server now holds {result.customers_now:,} customers.{migrated} "
        f"The data it replaced ({result.customers_replaced:,} customers) is saved as "
        f"{result.previous_saved_as}; `{pasteable(run, 'restore', result.previous_saved_as)}` puts it back."
    )


def server_check(run: RunContext, as_json: bool, *, repair: bool = False) -> None:
    from csdesk.services.server_backup import ServerBackups

    assert run.server is not None
    repaired: list[str] = []
    warnings: list[str] = []
    with ServerBackups(run.server) as backups:
        report = backups.check()
        if repair and not report.ok:
            repaired, report = backups.repair()
        if repair:  # and what an erase may have left in the files when tables were busy
            rewritten, busy = backups.rewrite_erased()
            repaired.append(f"{len(rewritten)} tables rewritten, so no erased customer's text "
                            "stays in their files")
            if busy:
                warnings.append(f"other counters kept {', '.join(busy)} busy, so they were not "
                                "rewritten: run --repair again when the counters are quiet")
        where = backups.server
    if as_json:
        echo_json({"ok": report.ok, "busy": report.busy, "checked": report.checked,
                   "problems": report.problems, "warnings": warnings, "repaired": repaired})
    else:
        for item in report.checked:
            click.echo(f"checked: {item}")
        for item in repaired:
            click.echo(f"repaired: {item}")
        for item in warnings:
            click.echo(f"Warning: {item}", err=True)
        if report.ok:
            click.echo(f"The csdesk database on {where} is healthy.")
        else:
            for problem in report.problems:
                click.echo(f"problem: {problem}", err=True)
            if report.wrong_database:  # nothing is damaged: restoring over it would be wrong
                click.echo(f"There is no csdesk database on {where}: check the database name in "
                           "--db (nothing needs restoring).", err=True)
            else:
                advice = (
                    "Only indexes and search columns are affected: `csdesk --db URL check "
                    "--repair` rebuilds them." if report.repairable
                    else "Restore the newest good backup with `csdesk --db URL restore FILE`."
                )
                click.echo(f"The csdesk database on {where} has problems. {advice}", err=True)
    if not report.ok:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)
