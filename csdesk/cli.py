"""`csdesk`: the entry point. With no sub-command it opens the window; sub-commands run headless
(no Qt) through the click group in commands/root.py, each loaded when it runs (commands/registry).

This module loads no click: a softphone runs `csdesk call NUMBER` as the phone rings, and that
plain command line goes straight to commands/calling.py (issue 17: ~35 ms less CPU than parsing
it with click, of a command that must put the caller on screen < 150 ms after it is started).
Every other command line, --help included, goes through click as before."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from csdesk.commands.registry import (
    LAZY_COMMANDS,
    SERVER_NOT_YET,
    SERVER_OWN_TARGET,
    SERVER_READY_COMMANDS,
    resolve_target,
)
from csdesk.errors import Conflict, CsdeskError, NotFound, PermissionDenied, UserError

__all__ = ["LAZY_COMMANDS", "SERVER_NOT_YET", "SERVER_OWN_TARGET", "SERVER_READY_COMMANDS", "main",
           "route_uri"]

EXIT_USER_ERROR = 1
EXIT_NOT_FOUND = 3
EXIT_DENIED = 4


def __getattr__(name: str) -> Any:
    """`csdesk.cli.cli` (the click group) and its classes, loaded when asked for: they live in
    commands/root.py so that importing this entry point loads no click."""
    if name in {"cli", "LazyGroup", "DbTarget"}:
        from csdesk.commands import root

        return getattr(root, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def fast_call(argv: list[str]) -> tuple[Path | str | None, str | None, str, bool] | None:
    """(--db, --staff, NUMBER, --json) when `argv` is the softphone's plain command line,
    `[--db X] [--staff NAME] call NUMBER [--json]`; None for anything else (more options,
    --help, a value that looks like an option, `--`): click then reads it, as it always did.
    The options mean what commands/root.py's do (--db as DbTarget reads it)."""
    db: str | None = None
    staff: str | None = None
    rest = list(argv)
    while rest and rest[0] != "call":
        option, equals, value = rest.pop(0).partition("=")
        if option not in ("--db", "--staff"):
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if not value or value.startswith("-"):
            return None
        if option == "--db":
            db = value
        else:
            staff = value
    if not rest:
        return None
    words = rest[1:]
    as_json = "--json" in words
    words = [w for w in words if w != "--json"]
    if len(words) != 1 or words[0].startswith("-") or len(rest) - 1 - len(words) > 1:
        return None
    db = db or os.environ.get("CSDESK_DB") or None  # click's envvar: an empty one is unset
    if db is None:
        return None, staff, words[0], as_json
    from csdesk.store.server.target import is_server

    if is_server(db):
        return db, staff, words[0], as_json
    path = Path(db)
    if path.exists() and not path.is_file():
        return None  # click says it is a folder (or a device), not a file
    return path, staff, words[0], as_json


def _run_fast_call(argv: list[str]) -> bool:
    """Run the plain `csdesk call` without click (see fast_call); False: not that command line."""
    found = fast_call(argv)
    if found is None:
        return False
    db, staff, number, as_json = found
    from csdesk.commands.calling import Caller, place_call

    target = resolve_target(db, "call")
    place_call(Caller(target.db_path, staff, target.server, target.chosen), number, as_json)
    return True


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors become one clear line on stderr and a non-zero exit, no traceback."""
    args = route_uri(sys.argv[1:] if argv is None else list(argv), LAZY_COMMANDS)
    try:
        if not _run_fast_call(args):
            from csdesk.commands.root import run

            run(args)  # click's own exits and usage errors end there
    except NotFound as exc:
        _say(f"csdesk: {exc}")
        sys.exit(EXIT_NOT_FOUND)
    except PermissionDenied as exc:
        _say(f"csdesk: {exc}")
        sys.exit(EXIT_DENIED)
    except Conflict as exc:
        # The window's next step ("what you typed is still here ... or cancel") is not this one's.
        if exc.said:
            _say(f"csdesk: {exc.said}, since the version this command went by (--if-version). "
                 "Nothing was saved: look again (--json shows the version now) and run it again.")
        else:
            _say(f"csdesk: {exc}")
        sys.exit(EXIT_USER_ERROR)
    except (UserError, CsdeskError) as exc:
        _say(f"csdesk: {exc}")
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        _say("Interrupted.")
        sys.exit(130)
    except OSError as exc:
        # A file or folder the command was pointed at (a missing folder, a read-only or full disk)
        # that a service did not turn into its own message yet: still one line, never a traceback.
        where = f" {exc.filename}" if exc.filename else ""
        _say(f"csdesk: cannot use{where}: {exc.strerror or exc}.")
        sys.exit(EXIT_USER_ERROR)
    except Exception as exc:  # the last line of the promise "no traceback, ever"
        # Anything the database raises outside a write (a read of a corrupt or locked file) still
        # becomes its clear line; the store knows its engine's errors, the CLI does not.
        from csdesk.store.db import engine_error_message

        engine = engine_error_message(exc)
        if engine is not None:
            _say(f"csdesk: {engine}")
            sys.exit(EXIT_USER_ERROR)
        if os.environ.get("CSDESK_DEBUG"):
            raise
        _say(
            f"csdesk: something went wrong inside csdesk ({type(exc).__name__}: {exc}). Nothing "
            "more was done. Please report it; CSDESK_DEBUG=1 shows the details."
        )
        sys.exit(EXIT_USER_ERROR)


def _say(line: str) -> None:
    """One line on stderr (click.echo(err=True) without loading click)."""
    print(line, file=sys.stderr, flush=True)
