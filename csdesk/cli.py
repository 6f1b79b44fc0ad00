"""`csdesk`: with no sub-command it opens the window; sub-commands run headless (no Qt)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from csdesk import __version__
from csdesk.commands.common import RunContext
from csdesk.commands.search import demo_cmd, search_cmd
from csdesk.commands.transfer import (
    duplicates_cmd,
    export_group,
    import_cmd,
    imports_cmd,
    merge_cmd,
    undo_import_cmd,
)
from csdesk.errors import CsdeskError, NotFound, PermissionDenied, UserError
from csdesk.paths import default_db_path

EXIT_USER_ERROR = 1
EXIT_NOT_FOUND = 3
EXIT_DENIED = 4


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CSDESK_DB",
    help="Database file (default: csdesk.db in your data folder; or set CSDESK_DB).",
)
@click.option("--staff", default=None, help="Act as this staff member (default: Front desk).")
@click.version_option(__version__, prog_name="csdesk")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, staff: str | None) -> None:
    """csdesk: find any customer in a keystroke and greet them by name."""
    run = RunContext(db_path=db_path or default_db_path(), staff=staff)
    ctx.obj = run
    ctx.call_on_close(run.close)
    if ctx.invoked_subcommand is None:
        from csdesk.ui.app import main as ui_main  # Qt only when the window is wanted

        ctx.exit(ui_main(run.db_path, staff=staff))


cli.add_command(search_cmd)
cli.add_command(demo_cmd)
cli.add_command(import_cmd)
cli.add_command(undo_import_cmd)
cli.add_command(imports_cmd)
cli.add_command(export_group)
cli.add_command(duplicates_cmd)
cli.add_command(merge_cmd)


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors become one clear line on stderr and a non-zero exit, no traceback."""
    try:
        cli.main(args=argv, prog_name="csdesk", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except NotFound as exc:
        click.echo(f"csdesk: {exc}", err=True)
        sys.exit(EXIT_NOT_FOUND)
    except PermissionDenied as exc:
        click.echo(f"csdesk: {exc}", err=True)
        sys.exit(EXIT_DENIED)
    except (UserError, CsdeskError) as exc:
        click.echo(f"csdesk: {exc}", err=True)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
