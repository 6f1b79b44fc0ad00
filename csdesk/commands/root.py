"""The `csdesk` click group: global options, sub-commands loaded lazily from their modules, a
refusal audited while the database is open. With no sub-command it opens the window.

Loaded by csdesk.cli.main for every command line but the softphone's plain `csdesk call NUMBER`,
which csdesk.cli answers without click (issue 17)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import click

from csdesk import __version__
from csdesk.commands.common import RunContext
from csdesk.commands.registry import COMMANDS, LAZY_COMMANDS, resolve_target
from csdesk.errors import PermissionDenied


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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing of the commands and their short help, read from the registry's
        summaries: click's own asks each command for its help, which imported every command
        module (~0.25 s CPU of `csdesk --help`, issue 17). Laid out as click lays it out."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            listed = COMMANDS.get(name)
            command = click.Command(name, help=listed.summary) if listed else self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])

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


_OTHER_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


class DbTarget(click.ParamType):
    """A database file (a Path) or a PostgreSQL server (the URL as typed: a Path would fold its //)."""

    name = "PATH|URL"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        from csdesk.store.server.target import is_server

        other = _OTHER_URL.match(str(value).strip()) if isinstance(value, str) else None
        if other and not is_server(value):
            # Else `mysql://u@host/db` became the path mysql:/u@host/db and the message spoke of a
            # missing folder. The value itself is not echoed: such a URL may carry a password.
            self.fail(
                f"{other.group(1)}:// is not a database csdesk can use: give a database file, or "
                "a PostgreSQL server as postgresql://user@host/database.", param, ctx
            )
        if isinstance(value, Path) or not is_server(value):
            if not str(value).strip():  # Path("") is ".": it said "Cannot open the database (.)"
                self.fail("the database name is empty. Give a file, like --db shop.db, or leave "
                          "--db out for the one in your data folder.", param, ctx)
            path = click.Path(dir_okay=False, path_type=Path).convert(str(value), param, ctx)
            if path.exists() and not path.is_file():
                # /dev/null, a pipe: else "the disk ... reported a read or write error".
                self.fail(f"{path} is not a file (a device or a pipe?). Give a database file, "
                          "like --db shop.db.", param, ctx)
            return path
        return str(value)


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
    help="Database file (default: csdesk.db in your data folder; or set CSDESK_DB), or the shop's "
    "PostgreSQL server: postgresql://user@host/database.",
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
    target = resolve_target(db_path, ctx.invoked_subcommand)
    run = RunContext(
        db_path=target.db_path,
        staff=staff,
        default_db=target.default_db,
        pin_stdin=pin_stdin,
        pin_file=pin_file,
        server=target.server,
        chosen=target.chosen,
    )
    ctx.obj = run
    ctx.call_on_close(run.close)
    if ctx.invoked_subcommand is None:
        from csdesk.ui.app import main as ui_main  # Qt only when the window is wanted

        ctx.exit(
            ui_main(run.db_path, staff=staff, call=call_number, create_folder=run.default_db,
                    chosen=run.chosen)
        )


def run(args: list[str]) -> None:
    """Run the command line `args` through click; its own exits and usage errors become exit
    codes here (csdesk.cli.main turns csdesk's errors into their one line)."""
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
