"""Which database this computer works on (Settings ▸ Database): its engine and where it is, a
"Test connection" for a server before anyone switches, and the choice itself.

The choice is this computer's, not the shop's: it lives in the user's config folder
(paths.config_dir, beside the computer's name), written atomically with mode 0600 because a
server URL may carry a password. What is shown of a server is never its password
(store.server.target.redact). A running Desk keeps the database it opened: a switch takes effect
when csdesk starts again, and --db or CSDESK_DB still win over the choice.

`SERVER_WINDOW_READY` says whether this csdesk opens its window and commands on a server (True
since the Desk and its services run on PostgreSQL, issue 15); an older csdesk had it False and
ignored a server choice, so a counter downgraded never locks itself out.

A chosen server that does not answer at start is not a lock-out: the window offers to try again
or to work on this computer's file this once (ui.app), and `forget()` goes back to the file for
good (Settings ▸ This computer ▸ "Use this computer's file").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from csdesk.errors import UserError
from csdesk.paths import config_dir
from csdesk.store.files import AtomicFile
from csdesk.store.server.target import is_server, redact

FILE_NAME = "database.json"
FILE_MODE = 0o600  # only this user may read it: a server URL may hold a password
SERVER_WINDOW_READY = True  # issue 15 landed: the window and commands work on PostgreSQL


@dataclass(frozen=True)
class DatabaseChoice:
    engine: str  # "sqlite" or "postgresql"
    target: str  # a file path, or a server URL / conninfo (may hold a password: never shown)

    @property
    def engine_label(self) -> str:
        return "PostgreSQL server" if self.engine == "postgresql" else "SQLite file on this computer"

    @property
    def where(self) -> str:
        """Where it is, fit to show: a path, or the server without its password."""
        return redact(self.target) if self.engine == "postgresql" else self.target


@dataclass(frozen=True)
class ConnectionCheck:
    """What Test connection found: always a sentence; `usable` when csdesk could switch to it."""

    said: str
    usable: bool


def of(target: Path | str) -> DatabaseChoice:
    text = str(target)
    return DatabaseChoice("postgresql" if is_server(text) else "sqlite", text)


def path() -> Path:
    return config_dir() / FILE_NAME


def chosen() -> DatabaseChoice | None:
    """This computer's choice, or None (never chosen, or a damaged file: the default file)."""
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    target = data.get("target") if isinstance(data, dict) else None
    if not isinstance(target, str) or not target.strip():
        return None
    return of(target.strip())


def startup_target() -> Path | str | None:
    """What csdesk opens when neither --db nor CSDESK_DB says: the choice, when this csdesk
    can work on it (a server only once SERVER_WINDOW_READY); None: the default file."""
    choice = chosen()
    if choice is None:
        return None
    if choice.engine == "postgresql":
        return choice.target if SERVER_WINDOW_READY else None
    return Path(choice.target)


def choose(target: Path | str) -> DatabaseChoice:
    """Keep `target` as this computer's database from the next start (mode 0600, atomic)."""
    choice = of(target)
    if not choice.target.strip():
        raise UserError("Say which database: a file, or the server's URL.")
    if choice.engine == "postgresql" and not SERVER_WINDOW_READY:
        raise UserError(
            "This csdesk opens its window on a database file only; working on the server comes "
            "with the next update. Test connection already tells you the server is ready."
        )
    folder = config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with AtomicFile(path(), overwrite=True, mode=FILE_MODE) as out, out.open(
            "w", encoding="utf-8"
        ) as handle:
            handle.write(json.dumps({"engine": choice.engine, "target": choice.target}))
        path().chmod(FILE_MODE)  # an older file keeps its mode through a replace on some systems
    except OSError as exc:
        raise UserError(
            f"Cannot keep this computer's database choice in {folder}: {exc.strerror or exc}. "
            "Check that the folder is yours and writable."
        ) from exc
    return choice


def forget() -> bool:
    """Back to the default file from the next start; True when there was a choice to forget."""
    try:
        path().unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise UserError(
            f"Cannot remove this computer's database choice {path()}: {exc.strerror or exc}."
        ) from exc
    return True


def test_connection(target: str) -> ConnectionCheck:
    """Connect to a server as csdesk would and say what is there, in one sentence. Errors come
    out as UserError in words (store.server.connect.translate), never with the password."""
    if not is_server(target):
        raise UserError(
            "That is not a server address. Type it like postgresql://anna@till:5432/csdesk "
            "(the password belongs in ~/.pgpass, not here)."
        )
    from csdesk.store.server import connect, schema  # psycopg loads only when asked

    conn = connect.connect(target)
    try:
        where = connect.info(conn).describe()
        try:
            if not schema.is_csdesk(conn):
                return ConnectionCheck(
                    f"Connected to {where}. It is not set up for csdesk yet: run "
                    "`csdesk server init URL` once (or `csdesk migrate`) before switching.",
                    usable=False,
                )
            missing = [n for n in schema.pg_migrations() if n not in schema.applied(conn)]
        except connect.EngineError as exc:
            raise connect.translate(exc, target) from None
    finally:
        conn.close()
    if missing:
        return ConnectionCheck(
            f"Connected to {where}. Its csdesk schema is older than this csdesk: run "
            "`csdesk server init URL` to bring it up to date.",
            usable=False,
        )
    return ConnectionCheck(f"Connected to {where}: csdesk's customer book is there.", usable=True)
