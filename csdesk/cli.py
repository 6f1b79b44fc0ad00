"""`csdesk`: with no sub-command it opens the window; sub-commands run headless (no Qt)."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from csdesk import __version__
from csdesk.commands.common import RunContext
from csdesk.errors import CsdeskError, NotFound, PermissionDenied, UserError
from csdesk.paths import default_db_path

EXIT_USER_ERROR = 1
EXIT_NOT_FOUND = 3
EXIT_DENIED = 4


# Each sub-command is imported only when it runs: a softphone's `csdesk call` or a cron job's
# export should not pay for importing every other command's services.
LAZY_COMMANDS: dict[str, str] = {
    "search": "csdesk.commands.search:search_cmd",
    "demo": "csdesk.commands.search:demo_cmd",
    "visit": "csdesk.commands.history:visit_cmd",
    "timeline": "csdesk.commands.history:timeline_cmd",
    "import": "csdesk.commands.transfer:import_cmd",
    "undo-import": "csdesk.commands.transfer:undo_import_cmd",
    "resume-import": "csdesk.commands.transfer:resume_import_cmd",
    "imports": "csdesk.commands.transfer:imports_cmd",
    "export": "csdesk.commands.reports:export_group",
    "report": "csdesk.commands.insights:report_group",
    "duplicates": "csdesk.commands.transfer:duplicates_cmd",
    "merge": "csdesk.commands.transfer:merge_cmd",
    "issue": "csdesk.commands.issues:issue_group",
    "issues": "csdesk.commands.issues:issues_cmd",
    "followup": "csdesk.commands.issues:followup_group",
    "followups": "csdesk.commands.issues:followups_cmd",
    "letter": "csdesk.commands.letters:letter_cmd",
    "letters": "csdesk.commands.letters:letters_cmd",
    "handover": "csdesk.commands.reports:handover_cmd",
    "customer": "csdesk.commands.admin:customer_group",
    "staff": "csdesk.commands.admin:staff_group",
    "backup": "csdesk.commands.admin:backup_cmd",
    "restore": "csdesk.commands.admin:restore_cmd",
    "check": "csdesk.commands.admin:check_cmd",
    "audit": "csdesk.commands.admin:audit_cmd",
    "paths": "csdesk.commands.paths:paths_cmd",
    "init": "csdesk.commands.paths:init_cmd",
    "settings": "csdesk.commands.settings:settings_cmd",
    "outbox": "csdesk.commands.outbox:outbox_group",
    "computer": "csdesk.commands.computer:computer_cmd",
    "call": "csdesk.commands.call:call_cmd",
    "server": "csdesk.commands.server:server_group",
    "migrate": "csdesk.commands.server:migrate_cmd",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["csdesk.args"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        """Run the sub-command; a refusal is audited while the database is still open, and the
        database is closed whatever happened."""
        try:
            return super().invoke(ctx)
        except PermissionDenied as exc:
            if isinstance(ctx.obj, RunContext):
                ctx.obj.record_denial(_attempt(ctx), exc)
            raise
        finally:
            if isinstance(ctx.obj, RunContext):
                ctx.obj.close()


def _attempt(ctx: click.Context) -> str:
    """'staff add Mallory' from the command line that was refused (options and values left out:
    they may hold anything, and the audit row only needs to say what was tried)."""
    args: list[str] = ctx.meta.get("csdesk.args", [])
    name = ctx.invoked_subcommand or ""
    words = [name]
    if name in args:
        for arg in args[args.index(name) + 1 :]:
            if arg.startswith("-") or len(words) == 3:
                break
            words.append(arg)
    return " ".join(words)[:200]


class DbTarget(click.ParamType):
    """A database file (a Path) or a PostgreSQL server (the URL as typed: a Path would fold its //)."""

    name = "PATH|URL"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        from csdesk.store.server.target import is_server

        if isinstance(value, Path) or not is_server(value):
            return click.Path(dir_okay=False, path_type=Path).convert(str(value), param, ctx)
        return str(value)


# What works on a PostgreSQL server: every command whose services run on both engines (the store
# and services suites run on both), and backup/restore/check/paths with PostgreSQL's own tools.
# `server` and `migrate` name their server themselves; backup, restore, check and paths read it
# from RunContext.server, `init` too when it is given no TARGET; `call` reaches (or starts) the
# window on the same server. Every command now works on both (test_server.py proves the list).
SERVER_OWN_TARGET = frozenset({"server", "migrate", "backup", "restore", "check", "paths", "init"})
SERVER_READY_COMMANDS = SERVER_OWN_TARGET | frozenset(
    {"audit", "call", "computer", "customer", "demo", "duplicates", "export", "followup",
     "followups", "handover", "import", "imports", "issue", "issues", "letter", "letters", "merge",
     "outbox", "report", "resume-import", "search", "settings", "staff", "timeline", "undo-import", "visit"}
)
SERVER_NOT_YET = (
    "`csdesk {command}` does not work on a PostgreSQL server yet; it still needs a database file "
    "(--db FILE). On the server: the window, search, visits, issues, follow-ups, letters, reports, "
    "exports, imports, demo, staff, settings, customer export/erase, backup/restore/check, `init`, "
    "`server init` and `migrate` work."
)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_path",
    type=DbTarget(),
    envvar="CSDESK_DB",
    help="Database file (default: csdesk.db in your data folder; or set CSDESK_DB), or a PostgreSQL "
    "server URL for `server init`.",
)
@click.option(
    "--staff",
    default=None,
    help="Act as this staff member (default: Front desk); their PIN is asked when they have one.",
)
@click.option(
    "--pin-stdin",
    is_flag=True,
    help="Read the --staff member's PIN from the first line of stdin (for scripts).",
)
@click.option(
    "--pin-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the --staff member's PIN from this file; only you may read it (chmod 600).",
)
@click.option("--call", "call_number", default=None, hidden=True)  # `csdesk call` starts the window
@click.version_option(__version__, prog_name="csdesk")
@click.pass_context
def cli(
    ctx: click.Context,
    db_path: Path | str | None,
    staff: str | None,
    pin_stdin: bool,
    pin_file: Path | None,
    call_number: str | None,
) -> None:
    """csdesk: find any customer in a keystroke and greet them by name."""
    chosen = False
    if db_path is None:  # neither --db nor CSDESK_DB: what Settings ▸ Database chose here
        from csdesk.services.database_choice import startup_target

        db_path = startup_target()
        chosen = db_path is not None
    server: str | None = None
    if isinstance(db_path, str):  # a server URL (typed or chosen): say plainly what works there
        command = ctx.invoked_subcommand
        if command is not None and command not in SERVER_READY_COMMANDS:
            raise UserError(SERVER_NOT_YET.format(command=command))
        server = db_path
        if command in SERVER_OWN_TARGET:
            db_path = None  # those commands name their server themselves (or read run.server)
    run = RunContext(
        db_path=db_path or default_db_path(),
        staff=staff,
        default_db=db_path is None,
        pin_stdin=pin_stdin,
        pin_file=pin_file,
        server=server,
        chosen=chosen,
    )
    ctx.obj = run
    ctx.call_on_close(run.close)
    if ctx.invoked_subcommand is None:
        from csdesk.ui.app import main as ui_main  # Qt only when the window is wanted

        ctx.exit(
            ui_main(run.db_path, staff=staff, call=call_number, create_folder=run.default_db,
                    chosen=run.chosen)
        )


URI_SCHEMES = ("tel:", "callto:")
_VALUE_OPTIONS = ("--db", "--staff", "--pin-file", "--call")


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


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors become one clear line on stderr and a non-zero exit, no traceback."""
    args = route_uri(sys.argv[1:] if argv is None else list(argv), LAZY_COMMANDS)
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
    except (UserError, CsdeskError) as exc:
        click.echo(f"csdesk: {exc}", err=True)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except OSError as exc:
        # A file or folder the command was pointed at (a missing folder, a read-only or full disk)
        # that a service did not turn into its own message yet: still one line, never a traceback.
        where = f" {exc.filename}" if exc.filename else ""
        click.echo(f"csdesk: cannot use{where}: {exc.strerror or exc}.", err=True)
        sys.exit(EXIT_USER_ERROR)
    except Exception as exc:  # the last line of the promise "no traceback, ever"
        # Anything the database raises outside a write (a read of a corrupt or locked file) still
        # becomes its clear line; the store knows its engine's errors, the CLI does not.
        from csdesk.store.db import engine_error_message

        engine = engine_error_message(exc)
        if engine is not None:
            click.echo(f"csdesk: {engine}", err=True)
            sys.exit(EXIT_USER_ERROR)
        if os.environ.get("CSDESK_DEBUG"):
            raise
        click.echo(
            f"csdesk: something went wrong inside csdesk ({type(exc).__name__}: {exc}). Nothing "
            "more was done. Please report it; CSDESK_DEBUG=1 shows the details.",
            err=True,
        )
        sys.exit(EXIT_USER_ERROR)
