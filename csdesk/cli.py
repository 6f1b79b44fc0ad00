"""`csdesk`: with no sub-command it opens the window; sub-commands run headless (no Qt)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from csdesk import __version__
from csdesk.commands.admin import (
    audit_cmd,
    backup_cmd,
    check_cmd,
    customer_group,
    restore_cmd,
    staff_group,
)
from csdesk.commands.call import call_cmd
from csdesk.commands.common import RunContext
from csdesk.commands.history import timeline_cmd, visit_cmd
from csdesk.commands.issues import followup_group, followups_cmd, issue_group, issues_cmd
from csdesk.commands.letters import letter_cmd, letters_cmd
from csdesk.commands.paths import paths_cmd
from csdesk.commands.reports import export_daily_cmd, handover_cmd
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
from csdesk.store.db import translate_error

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
@click.option("--call", "call_number", default=None, hidden=True)  # `csdesk call` starts the window
@click.version_option(__version__, prog_name="csdesk")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, staff: str | None, call_number: str | None) -> None:
    """csdesk: find any customer in a keystroke and greet them by name."""
    run = RunContext(db_path=db_path or default_db_path(), staff=staff)
    ctx.obj = run
    ctx.call_on_close(run.close)
    if ctx.invoked_subcommand is None:
        from csdesk.ui.app import main as ui_main  # Qt only when the window is wanted

        ctx.exit(ui_main(run.db_path, staff=staff, call=call_number))


cli.add_command(search_cmd)
cli.add_command(demo_cmd)
cli.add_command(visit_cmd)
cli.add_command(timeline_cmd)
cli.add_command(import_cmd)
cli.add_command(undo_import_cmd)
cli.add_command(imports_cmd)
cli.add_command(export_group)
cli.add_command(duplicates_cmd)
cli.add_command(merge_cmd)
cli.add_command(issue_group)
cli.add_command(issues_cmd)
cli.add_command(followup_group)
cli.add_command(followups_cmd)
cli.add_command(customer_group)
cli.add_command(staff_group)
cli.add_command(backup_cmd)
cli.add_command(restore_cmd)
cli.add_command(check_cmd)
cli.add_command(audit_cmd)
cli.add_command(paths_cmd)
cli.add_command(call_cmd)


URI_SCHEMES = ("tel:", "callto:")
_VALUE_OPTIONS = ("--db", "--staff", "--call")


def route_uri(argv: list[str], commands: Iterable[str]) -> list[str]:
    """A desktop hands a clicked phone link over as `csdesk tel:+15550104477` (Exec=csdesk %u).

    Route it to `csdesk call`, keeping global options such as --db in front; if this build has
    no `call` command yet, open the window rather than fail with "No such command".
    """
    known = set(commands)
    for i, arg in enumerate(argv):
        if arg in known or arg == "--":
            return argv  # an explicit sub-command: leave everything to click
        if i > 0 and argv[i - 1] in _VALUE_OPTIONS:
            continue  # the value of --db or --staff, not a link
        if arg.lower().startswith(URI_SCHEMES):
            if "call" in known:
                return [*argv[:i], "call", *argv[i:]]
            return [*argv[:i], *argv[i + 1 :]]
    return argv
cli.add_command(letter_cmd)
cli.add_command(letters_cmd)
export_group.add_command(export_daily_cmd)
cli.add_command(handover_cmd)


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors become one clear line on stderr and a non-zero exit, no traceback."""
    args = route_uri(sys.argv[1:] if argv is None else list(argv), cli.commands)
    try:
        result = cli.main(args=args, prog_name="csdesk", standalone_mode=False)
        # Without standalone mode click returns a command's ctx.exit(N) code instead of exiting.
        if isinstance(result, int) and not isinstance(result, bool) and result:
            sys.exit(result)
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
    except sqlite3.Error as exc:
        # Anything SQLite raises outside a write (a read of a corrupt or locked file) still
        # becomes one clear line, never a traceback.
        click.echo(f"csdesk: {translate_error(exc)}", err=True)
        sys.exit(EXIT_USER_ERROR)
    except (UserError, CsdeskError) as exc:
        click.echo(f"csdesk: {exc}", err=True)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
