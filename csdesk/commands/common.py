"""What every sub-command shares: the Desk for this run, who is acting, JSON output, clean errors.

Who acts (the command line's one rule, README "Who is acting"):
- `--staff NAME` acts as NAME; when NAME has a PIN it is asked (on the terminal, the first line of
  stdin with `--pin-stdin`, or a file only its owner can read with `--pin-file`).
- Without `--staff`, front-desk commands (search, visit, timeline, issues, letters, ...) act as
  the shared "Front desk" member, and lead or admin commands as the audited "Command line"
  admin, but only until the shop has an admin with a PIN. From then on lead or admin commands
  refuse without `--staff`, and so do front-desk commands when everyone signs in.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from csdesk.errors import PermissionDenied, UserError

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

PIN_HELP = (
    "their PIN is asked on the terminal; scripts add --pin-stdin (first line of stdin) or "
    "--pin-file FILE (a file only you can read)"
)


class SignInNeeded(PermissionDenied):
    """The command needs to know who is acting (and their PIN) before it does anything."""


# The commands that fill a book, so may start one at a new --db: `demo`, `import` (a shop's first
# customers), `restore` (a backup onto a new file). Every other command needs one that exists.
STARTS_A_BOOK = frozenset({"demo", "import", "restore"})


def _running() -> str:
    """The sub-command this run is (`export daily` is "export"), "" outside one."""
    ctx = click.get_current_context(silent=True)
    return (ctx.find_root().invoked_subcommand or "") if ctx is not None else ""


@dataclass
class RunContext:
    db_path: Path | str  # a file, or a PostgreSQL server's URL (str) for the commands it serves
    staff: str | None = None
    # True when the path is the default database in the data folder (made, folder and all, on
    # first run); False when someone typed it (--db, CSDESK_DB): then the folder must exist.
    default_db: bool = False
    pin_stdin: bool = False
    pin_file: Path | None = None
    server: str | None = None  # --db was a PostgreSQL URL (backup, restore, check use it so far)
    # The database came from Settings ▸ This computer (no --db, no CSDESK_DB): a window this run
    # starts finds it there itself, so a server URL with a password never goes on a command line.
    chosen: bool = False
    _desk: Desk | None = field(default=None, repr=False)
    _identified: bool = field(default=False, repr=False)

    @property
    def file_path(self) -> Path:
        """The database file, for the commands that work on a file only (the CLI's gate,
        cli.SERVER_READY_COMMANDS, keeps a server's URL from reaching them)."""
        if not isinstance(self.db_path, Path):
            raise UserError("This command still needs a database file (--db FILE).")
        return self.db_path

    def open(self) -> Desk:
        """The Desk for this run, opened once; nobody is identified yet (see desk/admin_desk)."""
        if self._desk is None:
            from csdesk.services.desk import Desk  # only commands that touch the database pay

            file = self.db_path if isinstance(self.db_path, Path) else None
            new = file is not None and not file.exists()
            # A mistyped --db or CSDESK_DB, or an unmounted share, quietly started an empty
            # customer list: a search found nobody, and new customers went into that file. (A
            # missing folder is Desk.open's own, more precise, message.)
            if (file is not None and new and not self.default_db
                    and _running() not in STARTS_A_BOOK and file.parent.is_dir()):
                raise UserError(
                    f"There is no database at {self.db_path}. Check the name (--db or CSDESK_DB); "
                    f"to start a new, empty one there: csdesk init {self.db_path}"
                )
            desk = Desk.open(self.db_path, source="cli", create_folder=self.default_db)
            if new:
                click.echo(f"csdesk: no database was at {self.db_path}; created a new, empty one.", err=True)
            if desk.interrupted_imports:  # rare: the import service is loaded only then
                from csdesk.services.importing.service import interrupted_notice

                for batch in desk.interrupted_imports:
                    click.echo(f"csdesk: {interrupted_notice(batch)}", err=True)
            self._desk = desk
        return self._desk

    def desk(self) -> Desk:
        """For front-desk commands: PIN-free as the Front desk member unless everyone signs in."""
        desk = self.open()
        if not self._identified:
            self.identify(desk, lead_work=False)
        return desk

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()
            self._desk = None
            self._identified = False

    # -- who is acting ------------------------------------------------------------------------
    def identify(self, desk: Desk, *, lead_work: bool) -> None:
        if self._identified:
            return
        protected = not desk.auth.needs_setup()  # an active admin with a PIN exists
        if self.staff:
            self._sign_in(desk, self.staff, lead_work=lead_work, protected=protected)
        elif protected and lead_work:
            raise SignInNeeded(
                "This command needs a shift lead or an admin, and the command line no longer acts "
                "as an admin once an admin has a PIN. Name who is acting: "
                f"csdesk --staff NAME ... ({PIN_HELP})."
            )
        elif protected and desk.auth.sign_in_required:
            raise SignInNeeded(
                "Everyone signs in at this shop. Name who is acting: "
                f"csdesk --staff NAME ... ({PIN_HELP})."
            )
        elif lead_work:
            desk.auth.act_as_cli()  # a fresh shop: the audited "Command line" admin sets it up
        elif not desk.actor.active:
            raise PermissionDenied(
                f"{desk.actor.name}'s account is deactivated, so nothing can be logged as "
                "them. Name who is acting with --staff NAME, or ask an admin to reactivate it "
                f"(csdesk staff reactivate \"{desk.actor.name}\")."
            )
        self._identified = True

    def _sign_in(self, desk: Desk, name: str, *, lead_work: bool, protected: bool) -> None:
        from csdesk.domain import Role  # its dataclasses cost `csdesk call` 15 ms at start
        from csdesk.services.auth import CLI_ACTOR

        if name.strip().casefold() == CLI_ACTOR.casefold():
            raise PermissionDenied(f"“{CLI_ACTOR}” cannot be named with --staff. Name a person.")
        staff = desk.act_as(name)  # NotFound, or PermissionDenied for a deactivated member
        if not desk.auth.has_pin(staff.id):
            if lead_work and protected and staff.role is not Role.STAFF:
                # A lead or an admin without a PIN would be a way around the PIN.
                raise SignInNeeded(
                    f"{staff.name} has no PIN yet, so cannot act from the command line. An admin "
                    "gives them one in Staff accounts ▸ New PIN."
                )
            if protected and desk.auth.sign_in_required:
                # The window's sign-in does not offer members without a PIN either: naming the
                # shared Front desk member must not be a way around "everyone signs in".
                raise SignInNeeded(
                    f"Everyone signs in at this shop and {staff.name} has no PIN, so cannot act. "
                    f"Name a member with a PIN: csdesk --staff NAME ... ({PIN_HELP})."
                )
            return  # the shared Front desk member (and members added before PINs) have none
        pin = self._read_pin(staff.name)
        try:
            desk.auth.sign_in(staff.name, pin)  # counts and audits wrong PINs, backs off
        except UserError as exc:
            desk.act_as(name)  # still who tried, so the refusal's audit row names them
            denied = PermissionDenied(exc.message)
            denied.audited = True  # type: ignore[attr-defined]  # sign_in wrote it
            raise denied from None

    def _read_pin(self, name: str) -> str:
        if self.pin_file is not None:
            return read_pin_file(self.pin_file)
        if self.pin_stdin:
            return sys.stdin.readline().strip()
        try:
            return ask_pin(
                f"PIN for {name}", why=f"{name}'s PIN", flag="--pin-stdin or --pin-file FILE"
            )
        except UserError as exc:
            raise SignInNeeded(exc.message) from None

    def record_denial(self, command: str, exc: PermissionDenied) -> None:
        """Every refusal leaves an audit row (who tried what, and why it was refused)."""
        if self._desk is None or getattr(exc, "audited", False):
            return
        named = self.staff if self.staff else (None if self._identified else "")
        # A read-only or damaged file must not hide the refusal itself.
        with contextlib.suppress(Exception):
            self._desk.auth.record_denial(command, str(exc), named=named)


pass_run = click.make_pass_decorator(RunContext)
FC = TypeVar("FC", bound=Callable[..., Any])


class DateText(click.ParamType):
    """A date or time option, read by services.dates (the one place csdesk reads dates).

    Checked when the command line is read, so a date that cannot be read is a usage error (exit 2)
    that lists the formats, before anything runs; handed on as text, because the service reads
    words like "today" in the shop's time zone, which only the database knows.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "day", "moment" or "due"
        self.name = {"day": "DATE", "moment": "DATE[THH:MM]", "due": "WHEN"}[kind]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from datetime import UTC, date, datetime

        from csdesk.errors import UserError
        from csdesk.services import dates

        text = str(value)
        try:
            if self.kind == "day":
                dates.parse_day(text, date.today())
            elif self.kind == "moment":
                dates.parse_moment(text, date.today())
            else:
                dates.parse_due(text, datetime.now(UTC), UTC)
        except UserError as exc:
            formats = {"day": dates.DAY_FORMATS, "moment": dates.MOMENT_FORMATS}.get(
                self.kind, "2026-12-04, 2026-12-04 15:00, tomorrow, friday or in 3 days"
            )
            said = exc.message if formats in exc.message else f"{exc.message} Write {formats}."
            self.fail(said, param, ctx)
        return text


class FilePath(click.Path):
    """click.Path that refuses an empty name: Path("") is ".", the current folder, never what a
    person meant by a file."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("the file name is empty. Name a file, like out.csv.", param, ctx)
        return super().convert(value, param, ctx)


def file_to_read(path: Path) -> Path:
    """The file a command reads (a backup to restore, a CSV to import) must be there before
    anything is opened: else a missing one is not found (exit 3), and no new book is started
    at a new --db for it."""
    from csdesk.errors import NameNotFound

    if not path.expanduser().is_file():
        raise NameNotFound(f"There is no file {path}. Check the name and try again.")
    return path


class RecordId(click.IntRange):
    """Record numbers: positive and within SQLite's 64-bit integers, so 99999999999999999999 is a
    usage error here rather than an OverflowError deep in a query. Said in a shop's words: click's
    own were "'abc' is not a valid integer range" and, in every --help, [1<=x<=9223372036854775807]."""

    name = "number"

    def __init__(self) -> None:
        super().__init__(1, 2**63 - 1)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"“{value}” is not a number. Give the number csdesk shows, like 12.", param, ctx)
        if not 1 <= number <= 2**63 - 1:
            self.fail(f"{number} cannot be a number csdesk gave out: they start at 1 and have at most "
                      "19 digits.", param, ctx)
        return number

    def _describe_range(self) -> str:
        return "1 or more"


ID = RecordId()


class ChannelChoice(click.Choice):
    """A channel option: click.Choice, so --help lists the channels and a typo is a usage error
    (exit 2), that also takes the spellings the service reads (In-Person, e-mail, call: services
    .visits.parse_channel, the one place channels are read) and hands on the channel's value.
    Made by the command modules that use it (they load csdesk.domain anyway), not here: every
    command loads this module."""

    def __init__(self) -> None:
        from csdesk.domain import Channel

        super().__init__([c.value for c in Channel], case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from csdesk.services.visits import parse_channel

        try:
            return parse_channel(str(value)).value
        except UserError:
            return super().convert(value, param, ctx)  # click's own line, listing the choices

DAY = DateText("day")
MOMENT = DateText("moment")
DUE = DateText("due")


def admin_desk(run: RunContext) -> Desk:
    """For commands that need a shift lead or an admin. Until the shop has an admin with a PIN
    they act as the audited "Command line" admin; from then on they need --staff NAME and that
    person's PIN, and the services check that person's role like anywhere else."""
    desk = run.open()
    run.identify(desk, lead_work=True)
    return desk


def ask_pin(prompt: str, *, why: str, flag: str, confirm: bool = False) -> str:
    """A PIN typed on the terminal, hidden. Without a terminal, say how to pass it instead of
    letting getpass warn and fall over (a cron job or a pipe has no terminal)."""
    if not _stdin_is_a_terminal():
        raise UserError(f"There is no terminal to ask for {why} on. Pass it with {flag}.")
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return value.strip()


def _stdin_is_a_terminal() -> bool:
    try:
        return os.isatty(sys.stdin.fileno())
    except (AttributeError, OSError, ValueError):
        return False


def read_pin_file(path: Path) -> str:
    """The first line of a PIN file that only its owner can read (chmod 600)."""
    try:
        info = path.stat()
    except OSError:
        raise SignInNeeded(f"Cannot read the PIN file {path}: it does not exist.") from None
    if not stat.S_ISREG(info.st_mode):
        raise SignInNeeded(f"The PIN file {path} is not a file.")
    if os.name == "posix":
        if info.st_mode & 0o077:
            raise SignInNeeded(
                f"The PIN file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}). "
                f"Make it yours alone: chmod 600 {path}"
            )
        if info.st_uid != os.getuid():
            raise SignInNeeded(f"The PIN file {path} belongs to someone else. Use your own.")
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline(64).strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SignInNeeded(f"Cannot read the PIN file {path}: {exc}.") from None


def json_flag(shape: str) -> Callable[[FC], FC]:
    """The --json flag, saying in --help what it prints: `shape` is like "a list of {id, name}";
    keys marked `?` appear only sometimes. tests/commands/test_json_keys.py reads this text back
    and checks it against what each command really prints."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print JSON: {shape}.")


def echo_json(value: Any) -> None:
    """Stable JSON: keys in the order we build them, UTF-8 text, one trailing newline."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def if_version_option(what: str) -> Callable[[FC], FC]:
    """--if-version N: change `what` only if nobody changed it since a script read version N
    (its --json shows the version); otherwise a Conflict saying who, when and what, exit 1."""
    return click.option(
        "--if-version", "if_version", type=click.IntRange(0), default=None, metavar="N",
        help=f"Refuse (exit 1, nothing changed) if {what} changed since you read version N.",
    )
