"""Connecting to the shop's PostgreSQL server with psycopg 3, and its errors in words a person
understands: one line each, never the password, never a traceback.

psycopg 3 hands the connection string to libpq untouched, so everything libpq users know works
as documented: URLs, keyword=value strings, PGPASSFILE and ~/.pgpass, service files (service=),
sslmode, the PG* environment variables. csdesk adds a connect timeout (a counter must not hang
on a server that is off), its application name and TCP keepalives with a user timeout (a pulled
cable is noticed by the kernel within seconds, not after TCP's ~15 minutes of retries), each
only when the target does not set it.

A connection may also be told to expect answers within a few seconds (`answer_within`): the
window's own, whose reads run on the UI thread. Keepalives cannot see a server that is silent
while its TCP peer still acknowledges (a hung machine, a proxy or VPN that stopped forwarding),
so the wait itself has a deadline: when it passes, a cancel is tried on a connection of its own
(libpq's cancel request); if that reaches the server, it was only slow and the statement ends
as cancelled, else the connection is closed and the statement fails as "lost". Either way the
caller hears within ~answer_within + CANCEL_WITHIN_S seconds, never minutes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import conninfo as libpq_conninfo
from psycopg import errors as pg_errors

from csdesk.errors import ServerSlow, ServerUnavailable, UserError
from csdesk.store.server.target import redact

log = logging.getLogger(__name__)

# PostgreSQL 14 or newer: 13 reached its end of life in November 2025 (no security fixes), and
# 14 brought what the schema uses (SQL-standard function bodies for the search index).
MIN_SERVER_VERSION_NUM = 140000
CONNECT_TIMEOUT_S = 5
# TCP only (libpq ignores them on a Unix socket): a dead peer is found after ~10 s idle + 3
# probes 2 s apart, and data sent but not acknowledged for 8 s ends the connection.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 2,
              "keepalives_count": 3, "tcp_user_timeout": 8000}
CANCEL_WITHIN_S = 0.5  # a cancel request to a live server takes milliseconds, even on a LAN


class ServerSilent(psycopg.OperationalError):
    """The server sent nothing for `answer_within` seconds and a cancel did not reach it."""


class _Answering(psycopg.Connection[Any]):
    """A connection whose waits for the server end after `answer_within` seconds (None: no
    deadline, libpq's own behaviour). Every statement, COMMIT included, waits through wait()."""

    answer_within: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        limit = self.answer_within
        if limit is None or timeout is not None:  # notifies() brings its own timeout
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, limit)
        except pg_errors._WaitTimeout:  # psycopg's own signal for a wait past its timeout
            pass
        try:
            self.cancel_safe(timeout=CANCEL_WITHIN_S)
        except Exception:  # unreachable too: the server is gone (or the path to it)
            log.info("the server did not answer within %s s nor take a cancel", limit)
        else:
            try:  # it was reached: the statement ends now, cancelled (QueryCanceled)
                return super().wait(gen, interval, CANCEL_WITHIN_S * 4)
            except pg_errors._WaitTimeout:
                pass
        self.pgconn.finish()  # the statement's fate is the server's; this connection is done
        raise ServerSilent(f"the server did not answer within {limit:g} s")


@dataclass(frozen=True)
class ServerInfo:
    """What About and messages may show of a server connection: no password."""

    host: str
    port: int
    database: str
    user: str
    version: str

    def describe(self) -> str:
        return (
            f"database {self.database} as {self.user} on {self.host}:{self.port} "
            f"(PostgreSQL {self.version})"
        )


def shown_target(target: str) -> dict[str, str]:
    """Host, port, database and user of a target as libpq would read it, without connecting
    (About, `csdesk paths`): the URL or conninfo first, then the PG* variables, then libpq's
    defaults. Never the password; a service file's entries show as "service NAME"."""
    import getpass
    import os

    try:
        params = libpq_conninfo.conninfo_to_dict(target)
    except psycopg.ProgrammingError:
        return {"host": "", "port": "", "database": "", "user": "", "service": ""}
    service = str(params.get("service") or os.environ.get("PGSERVICE") or "")
    host = str(params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") or "")
    user = str(params.get("user") or os.environ.get("PGUSER") or ("" if service else getpass.getuser()))
    return {
        "host": host or ("" if service else "the local socket"),
        "port": str(params.get("port") or os.environ.get("PGPORT") or ("" if service else "5432")),
        "database": str(params.get("dbname") or os.environ.get("PGDATABASE") or ("" if service else user)),
        "user": user,
        "service": service,
    }


def version_text(version_num: int) -> str:
    """150004 -> '15.4' (PostgreSQL 10 and newer number their releases major.minor)."""
    return f"{version_num // 10000}.{version_num % 10000}"


def check_server_version(version_num: int) -> None:
    """Refuse a server older than PostgreSQL 14, naming its version."""
    if version_num < MIN_SERVER_VERSION_NUM:
        raise UserError(
            f"The server runs PostgreSQL {version_text(version_num)}, which is too old for csdesk: "
            f"it needs PostgreSQL {MIN_SERVER_VERSION_NUM // 10000} or newer. Upgrade the server "
            "(the Debian/Ubuntu or Windows packages of a current release)."
        )


def _where(target: str) -> str:
    """host:port and database of a target as libpq reads it, for messages (never the password)."""
    try:
        params = libpq_conninfo.conninfo_to_dict(target)
    except psycopg.ProgrammingError:
        return redact(target)
    host = str(params.get("host") or params.get("hostaddr") or "the local socket")
    port = params.get("port")
    database = params.get("dbname") or params.get("service")
    where = f"{host}:{port}" if port else host
    return f"{where}, database {database}" if database else where


def translate(exc: BaseException, target: str = "") -> UserError:
    """psycopg's and the server's errors as one clear line that says what to do."""
    text = str(exc).strip()
    lower = text.lower()
    where = f" ({_where(target)})" if target else ""
    state = getattr(exc, "sqlstate", None) or ""
    if isinstance(exc, pg_errors.DiskFull) or state == "53100" or "no space left" in lower:
        return UserError(
            f"The PostgreSQL server's disk is full{where}: this change was not saved. Free space "
            "on the server computer and try again; what you typed is still here."
        )
    if state == "28P01" or "password authentication failed" in lower:
        return UserError(
            f"The PostgreSQL server refused the password{where}. Check the password in "
            "~/.pgpass (or PGPASSFILE) or in the connection URL."
        )
    if "no password supplied" in lower:
        return UserError(
            f"The PostgreSQL server wants a password{where}: put it in ~/.pgpass "
            "(host:port:database:user:password, chmod 600) or in PGPASSFILE."
        )
    if state == "3D000" or ("database" in lower and "does not exist" in lower):
        return UserError(
            f"There is no such database on the PostgreSQL server{where}. Create it "
            "(see README, Your shop's server) or check its name in the URL."
        )
    if "role" in lower and "does not exist" in lower:
        return UserError(
            f"The PostgreSQL server has no such user{where}. Create the role "
            "(see README, Your shop's server) or check the user name in the URL."
        )
    if "no pg_hba.conf entry" in lower or state == "28000":
        return UserError(
            f"The PostgreSQL server does not let this computer in{where}: add a line for it to "
            "the server's pg_hba.conf (see README, Your shop's server) and reload the server."
        )
    if "definition of service" in lower or "service file" in lower:
        return UserError(f"The PostgreSQL service is not defined{where}: check pg_service.conf.")
    if isinstance(exc, pg_errors.AdminShutdown | pg_errors.CrashShutdown) or any(
        sign in lower
        for sign in ("server closed the connection", "connection is closed", "terminating connection",
                     "consuming input failed", "connection is lost", "ssl syscall error",
                     "did not answer within")
    ):
        return ServerUnavailable(
            f"The connection to the PostgreSQL server was lost{where}: what was being saved was "
            "not saved (the server undoes an unfinished change). Check the network and try again."
        )
    if isinstance(exc, pg_errors.QueryCanceled) or state == "57014":
        return ServerSlow(
            f"The PostgreSQL server took too long to answer{where}, so csdesk stopped waiting: "
            "nothing was changed. Try again; if it keeps happening, the server is overloaded."
        )
    if isinstance(exc, psycopg.OperationalError) and any(
        sign in lower
        for sign in ("connection refused", "no such file or directory", "could not translate host",
                     "timeout expired", "could not connect", "network is unreachable", "no route to host",
                     "name or service not known")
    ):
        return ServerUnavailable(
            f"Cannot reach the PostgreSQL server{where}: is it running, and may this computer "
            "reach it (network, firewall, listen_addresses)? Check the address in --db."
        )
    if isinstance(exc, psycopg.OperationalError):
        first = text.splitlines()[0] if text else type(exc).__name__
        return UserError(f"Cannot use the PostgreSQL server{where}: {redact(first)}")
    first = text.splitlines()[0] if text else type(exc).__name__
    return UserError(f"The PostgreSQL server reported an error{where}: {redact(first)}")


def uncertain_message(target: str = "") -> str:
    """The one line for a write whose COMMIT went out and whose answer never came back, for every
    face; the window's note and visit dialogs wait for the answer instead (ui/dialogs/drafting)."""
    where = f" ({_where(target)})" if target else ""
    return (
        f"The connection to the PostgreSQL server was lost just as this was being saved{where}: "
        "it may or may not have been saved. Look at the customer's timeline (in the window, or "
        "csdesk timeline CUSTOMER_ID) before saving it again."
    )


def connect(target: str, *, answer_within: float | None = None) -> psycopg.Connection:
    """A connection to a PostgreSQL 14+ server; UserError (one line) when that cannot be had.
    `answer_within`: the deadline for every later wait on it (see the module's docstring).

    In autocommit mode: every write is one explicit `transaction(conn)`, as on the file
    (isolation_level=None there). Without it psycopg opens a transaction at the first SELECT
    and a later `with conn.transaction()` would be only a savepoint inside it, lost at close.
    """
    try:
        given = libpq_conninfo.conninfo_to_dict(target)
    except psycopg.ProgrammingError as exc:
        raise UserError(
            f"This is not a PostgreSQL connection URL csdesk can read: {redact(target)} "
            "(expected postgresql://user@host:5432/database)."
        ) from exc
    extra: dict[str, object] = {}
    if "connect_timeout" not in given:
        extra["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in given:
        extra["application_name"] = "csdesk"
    for key, value in KEEPALIVES.items():
        if key not in given:
            extra[key] = value
    try:
        conn = _Answering.connect(target, autocommit=True, **extra)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        raise translate(exc, target) from None  # from None: libpq's text may echo the URL
    try:
        check_server_version(conn.info.server_version)
    except UserError:
        conn.close()
        raise
    conn.answer_within = answer_within
    return conn


def answer_within(conn: psycopg.Connection, seconds: float | None) -> None:
    """Set (or lift, None) the deadline for the server's answers on a connection connect() made."""
    if isinstance(conn, _Answering):
        conn.answer_within = seconds


def info(conn: psycopg.Connection) -> ServerInfo:
    """Host, port, database and user of an open connection (what About shows)."""
    i = conn.info
    return ServerInfo(
        host=i.host if not i.host.startswith("/") else f"socket {i.host}",
        port=int(i.port),
        database=i.dbname,
        user=i.user,
        version=version_text(i.server_version),
    )


@contextmanager
def transaction(conn: psycopg.Connection, target: str = "") -> Iterator[psycopg.Connection]:
    """One transaction; psycopg's errors come out as UserError (the server rolled back)."""
    try:
        with conn.transaction():
            yield conn
    except psycopg.IntegrityError:
        raise  # a broken constraint is a bug in csdesk, not something the user can fix
    except psycopg.Error as exc:
        raise translate(exc, target) from None


IntegrityError = psycopg.IntegrityError
EngineError = psycopg.Error  # under the store's name: services catch this, never psycopg's


def is_engine_error(exc: BaseException) -> bool:
    return isinstance(exc, psycopg.Error)
