"""Backups of the shop's server with PostgreSQL's own tools: pg_dump and pg_restore in custom
format (-Fc), and psql for an all-or-nothing restore.

Why PostgreSQL's tools and not a copy of our own: pg_dump reads the whole database in one
snapshot (a consistent backup while every counter keeps working), its custom format is
compressed and checked as it is read back, and any PostgreSQL administrator can restore it
without csdesk. The tools must be at least the server's major version (pg_dump refuses an
newer server, and an older pg_restore cannot read a newer archive), so they are looked for in
this order and the first of the server's version or newer is used:
  1. the folder (or the pg_dump) named by --pg-bin or CSDESK_PG_BIN,
  2. PATH,
  3. Debian/Ubuntu's /usr/lib/postgresql/<major>/bin (the packages keep them there),
  4. Windows' C:\\Program Files\\PostgreSQL\\<major>\\bin (the EDB installer).

How a restore is all or nothing (restore_dump): the archive's SQL (pg_restore -f -) is streamed
into one psql session between our own BEGIN and COMMIT. Inside that one transaction csdesk's
objects are dropped, the backup's are created and filled, the migrations the backup lacks are
applied, the database keeps its own identity and the restore is audited. Any error stops psql
(ON_ERROR_STOP) and the server rolls the whole transaction back; if pg_restore fails half-way
the COMMIT is never written, psql reaches the end of its input inside the open transaction and
the server rolls it back too. Why not `pg_restore --clean --single-transaction`: --clean drops
only the objects the backup has, so restoring a backup from before a migration would leave that
migration's tables (with today's rows) beside the old data; and the identity and audit row could
not be in the same transaction. Why not restore into a new database and swap: that needs
CREATEDB, and ALTER DATABASE RENAME waits for every counter to disconnect.

The connection reaches the tools as a libpq connection string without its password (which is
in the process list for every user of the computer to read) and the password, if the URL had
one, in PGPASSWORD, which only this user's processes can read.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import conninfo as libpq_conninfo
from psycopg import sql

from csdesk.errors import NameNotFound, UserError
from csdesk.store.server import connect, schema
from csdesk.store.server.target import redact

TOOL_ENV = "CSDESK_PG_BIN"
DEBIAN_ROOT = Path("/usr/lib/postgresql")
WINDOWS_ROOT = Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "PostgreSQL"
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
LOCK_TIMEOUT = "20s"  # a restore waits this long for counters' open transactions, then gives up
INSTALL_HINT = (
    "install PostgreSQL's client tools of the server's version or newer (Debian/Ubuntu: "
    "apt-get install postgresql-client; Windows: the PostgreSQL installer's Command Line Tools), "
    f"or name their folder with --pg-bin or {TOOL_ENV}"
)


@dataclass(frozen=True)
class Tool:
    name: str
    path: Path
    major: int
    version: str


def parse_version(text: str) -> tuple[int, str] | None:
    """'pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)' -> (15, '15.18')."""
    found = _VERSION.search(text)
    if not found:
        return None
    major = int(found.group(1))
    return major, f"{major}.{found.group(2)}" if found.group(2) else str(major)


def tool_version(path: Path) -> tuple[int, str] | None:
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_version(done.stdout) if done.returncode == 0 else None


def _exe(name: str) -> str:
    return f"{name}.exe" if sys.platform.startswith("win") else name


def _numbered_bins(root: Path) -> list[Path]:
    """root/<major>/bin folders, newest major first."""
    if not root.is_dir():
        return []
    found = [p / "bin" for p in root.iterdir() if p.name.isdigit() and (p / "bin").is_dir()]
    return sorted(found, key=lambda p: int(p.parent.name), reverse=True)


def candidates(name: str, configured: str | None = None) -> list[Path]:
    """Where `name` (pg_dump, pg_restore, psql) may be, in the order it is looked for."""
    configured = configured or os.environ.get(TOOL_ENV) or None
    if configured:
        given = Path(configured).expanduser()
        folder = given if given.is_dir() else given.parent  # a folder, or one of the tools in it
        return [folder / _exe(name)]
    found: list[Path] = []
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    for folder in [*_numbered_bins(DEBIAN_ROOT), *_numbered_bins(WINDOWS_ROOT)]:
        path = folder / _exe(name)
        if path.is_file() and path not in found:
            found.append(path)
    return found


def check_tool(tool: Tool | None, *, name: str, server_major: int, seen: Sequence[Tool] = ()) -> Tool:
    """The refusal when no usable tool was found: missing, or older than the server."""
    if tool is not None and tool.major >= server_major:
        return tool
    if seen:
        best = max(seen, key=lambda t: t.major)
        raise UserError(
            f"{name} on this computer is PostgreSQL {best.version} ({best.path}), older than the "
            f"server's PostgreSQL {server_major}: it cannot back it up or restore to it. "
            f"{INSTALL_HINT[0].upper()}{INSTALL_HINT[1:]}."
        )
    raise UserError(f"{name} (PostgreSQL's backup tool) is not installed on this computer: {INSTALL_HINT}.")


def find_tool(name: str, server_major: int, configured: str | None = None) -> Tool:
    """The first `name` of the server's major version or newer, or a one-line refusal."""
    seen: list[Tool] = []
    for path in candidates(name, configured):
        version = tool_version(path) if path.is_file() else None
        if version is None:
            continue
        tool = Tool(name, path, *version)
        if tool.major >= server_major:
            return tool
        seen.append(tool)
    return check_tool(None, name=name, server_major=server_major, seen=seen)


@dataclass(frozen=True)
class Tools:
    """The three tools a server's backups use, checked against one server's version."""

    dump: Tool
    restore: Tool
    psql: Tool

    @classmethod
    def find(cls, server_major: int, configured: str | None = None) -> Tools:
        return cls(
            find_tool("pg_dump", server_major, configured),
            find_tool("pg_restore", server_major, configured),
            find_tool("psql", server_major, configured),
        )


# -- the connection as the tools get it --------------------------------------------------------
def tool_connection(target: str, app: str = "csdesk-backup") -> tuple[str, dict[str, str]]:
    """(conninfo without the password, environment for the tool's process); `app` names the
    session in pg_stat_activity (csdesk-backup, csdesk-restore)."""
    params = libpq_conninfo.conninfo_to_dict(target)
    password = params.pop("password", None)
    params.setdefault("connect_timeout", str(connect.CONNECT_TIMEOUT_S))
    params["application_name"] = app
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = str(password)
    env.setdefault("PGCONNECT_TIMEOUT", str(connect.CONNECT_TIMEOUT_S))
    return libpq_conninfo.make_conninfo(**params), env  # type: ignore[arg-type]


def _first_error(text: str) -> str:
    """The line of a tool's stderr that says what went wrong (pg_dump: error: ...)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in lines:
        if "error:" in line.lower() or line.startswith(("FATAL", "ERROR", "psql:")):
            return line.split("error:", 1)[-1].strip() if "error:" in line else line
    return lines[0] if lines else "it stopped without saying why"


def tool_failed(tool: Tool, stderr: str, target: str) -> UserError:
    """A tool's failure as the same one line a csdesk connection's would be."""
    text = _first_error(stderr)
    return connect.translate(psycopg.OperationalError(redact(text)), target)


# -- backup ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DumpResult:
    path: Path
    size: int
    seconds: float


def dump(target: str, dest: Path, tools: Tools) -> DumpResult:
    """pg_dump -Fc of the whole database into `dest`, read back in full before it counts.

    Written under a temporary name beside `dest` and renamed only after pg_restore has read
    every byte of it, so a half-written or unreadable backup never carries a backup's name.
    """
    started = time.perf_counter()
    conninfo, env = tool_connection(target)
    part = dest.with_name(f".{dest.name}.part")
    try:
        done = subprocess.run(
            [str(tools.dump.path), "--format=custom", "--no-password", "--file", str(part),
             "--dbname", conninfo],
            capture_output=True, text=True, env=env,
            # Python ignores SIGXFSZ; keep it so for pg_dump, so a file-size limit is an error
            # it reports ("File too large"), as a full disk is, not a silent kill.
            restore_signals=False,
        )
        if done.returncode != 0:
            if "could not write" in done.stderr or "could not open output file" in done.stderr:
                reason = done.stderr.strip().splitlines()[-1].rsplit(":", 1)[-1].strip()
                raise UserError(
                    f"Could not write the backup {dest}: {reason or 'the disk refused it'}. Free some "
                    "space on this computer's disk (or choose another folder) and try again; no "
                    "backup was kept."
                )
            if done.returncode < 0:
                raise UserError(f"pg_dump was stopped (signal {-done.returncode}); no backup was kept.")
            raise tool_failed(tools.dump, done.stderr, target)
        verify_dump(part, tools)
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)
    return DumpResult(dest, dest.stat().st_size, time.perf_counter() - started)


# -- reading a dump ----------------------------------------------------------------------------
@dataclass
class DumpInfo:
    path: Path
    migrations: list[str] = field(default_factory=list)
    database_id: str | None = None
    tables: list[str] = field(default_factory=list)


def _toc(path: Path, tools: Tools) -> list[str]:
    done = subprocess.run([str(tools.restore.path), "--list", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        with path.open("rb") as f:
            head = f.read(16)
        if head.startswith(b"SQLite format 3"):
            raise UserError(
                f"{path} is a csdesk database file, not a backup of a server. To move a file to "
                "the server use `csdesk migrate --from FILE --to URL`; nothing was changed."
            )
        newer = "unsupported version" in done.stderr
        raise UserError(
            f"{path} cannot be restored: it is not a PostgreSQL backup in custom format "
            "(pg_dump -Fc)"
            + (", or it was made by a newer pg_dump than this computer's" if newer else "")
            + ". Nothing was changed."
        )
    return done.stdout.splitlines()


def _copy_rows(path: Path, table: str, tools: Tools) -> list[dict[str, str | None]]:
    """The rows of one table in a dump, as pg_restore writes its COPY block."""
    done = subprocess.run(
        [str(tools.restore.path), "--data-only", "--table", table, "--file", "-", str(path)],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise UserError(f"{path} cannot be read ({_first_error(done.stderr)}). Nothing was changed.")
    rows: list[dict[str, str | None]] = []
    columns: list[str] = []
    inside = False
    for line in done.stdout.splitlines():
        if line.startswith("COPY "):
            columns = [c.strip().strip('"') for c in line[line.index("(") + 1 : line.index(")")].split(",")]
            inside = True
        elif inside and line == "\\.":
            break
        elif inside:
            values = [None if v == "\\N" else _unescape(v) for v in line.split("\t")]
            rows.append(dict(zip(columns, values, strict=False)))
    return rows


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), value)


def inspect_dump(path: Path, tools: Tools) -> DumpInfo:
    """What a file offered for restore is, read without touching any database: a csdesk
    server's backup (its migrations and identity), or a refusal saying what it is instead."""
    if not path.is_file():
        raise NameNotFound(f"There is no file {path}. Check the name and try again.")
    toc = _toc(path, tools)
    tables = sorted({ln.split()[5] for ln in toc if " TABLE public " in ln and not ln.startswith(";")
                     and " TABLE DATA " not in ln and len(ln.split()) > 5})
    if schema.MIGRATIONS_TABLE not in tables:
        raise UserError(
            f"{path} cannot be restored: it is a PostgreSQL backup, but not of a csdesk database "
            f"(it has no {schema.MIGRATIONS_TABLE} table). Nothing was changed."
        )
    info = DumpInfo(path, tables=tables)
    info.migrations = [str(r["name"]) for r in _copy_rows(path, schema.MIGRATIONS_TABLE, tools)]
    for row in _copy_rows(path, "settings", tools):
        if row.get("key") == "database_id" and row.get("value"):
            info.database_id = str(row["value"]).strip('"')
    return info


def verify_dump(path: Path, tools: Tools) -> None:
    """Read the whole archive back (every table's data, decompressed) and see it is csdesk's."""
    toc = _toc(path, tools)
    if not any(f" TABLE public {schema.MIGRATIONS_TABLE} " in ln for ln in toc):
        raise UserError(f"The backup {path} does not hold csdesk's tables; it was not kept.")
    done = subprocess.run(
        [str(tools.restore.path), "--file", os.devnull, str(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise UserError(
            f"The backup could not be read back ({_first_error(done.stderr)}); it was not kept. "
            "Check the disk and try again."
        )


# -- restore -----------------------------------------------------------------------------------
# Inside the restore's transaction, first: drop every csdesk object in the public schema
# (functions first: dropping them CASCADE takes the generated search columns and triggers with
# them; then the tables). Objects an extension owns (pg_trgm's) stay: the backup's
# CREATE EXTENSION IF NOT EXISTS finds them there.
_DROP_CSDESK = """
SET LOCAL client_min_messages = warning;
SET LOCAL lock_timeout = '%(lock)s';
DO $csdesk$
DECLARE
    item text;
BEGIN
    FOREACH item IN ARRAY coalesce((
        SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    ), '{}') LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || item || ' CASCADE';
    END LOOP;
    FOREACH item IN ARRAY coalesce((
        SELECT array_agg(format('%%I', c.relname)) FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    ), '{}') LOOP
        EXECUTE 'DROP TABLE IF EXISTS public.' || item || ' CASCADE';
    END LOOP;
END $csdesk$;
"""


def restore_sql_after(
    conn: psycopg.Connection, info: DumpInfo, *, keep_id: str | None, audit_row: dict[str, object]
) -> str:
    """What runs after the backup's own SQL, in the same transaction: the migrations it lacks,
    the database's own identity kept, the restore audited."""
    parts = ["SELECT pg_catalog.set_config('search_path', 'public', true);"]
    for name, body in schema.LATER.items():
        if name not in info.migrations:
            parts.append(body.strip().rstrip(";") + ";")
            parts.append(
                sql.SQL("INSERT INTO {} (name) VALUES ({});")
                .format(sql.Identifier(schema.MIGRATIONS_TABLE), sql.Literal(name))
                .as_string(conn)
            )
    if keep_id is not None:
        parts.append(
            sql.SQL("UPDATE settings SET value = {} WHERE key = 'database_id';")
            .format(sql.Literal(f'"{keep_id}"')).as_string(conn)
        )
    columns = list(audit_row)
    parts.append(
        sql.SQL("INSERT INTO audit ({}) VALUES ({});").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.SQL(", ").join(sql.Literal(audit_row[c]) for c in columns),
        ).as_string(conn)
    )
    return "\n".join(parts) + "\n"


def restore_dump(target: str, info: DumpInfo, tools: Tools, after_sql: str) -> float:
    """Replace csdesk's data on the server with the backup's, all or nothing (see the module's
    docstring). Returns the seconds it took; a failure leaves the server as it was."""
    started = time.perf_counter()
    conninfo, env = tool_connection(target, "csdesk-restore")
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        psql = subprocess.Popen(
            [str(tools.psql.path), "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1",
             "--dbname", conninfo, "--file", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env,
        )
        reader = subprocess.Popen(
            [str(tools.restore.path), "--no-owner", "--no-acl", "--no-comments", "--file", "-",
             str(info.path)],
            stdout=subprocess.PIPE, stderr=restore_err,
        )
        assert psql.stdin is not None and reader.stdout is not None
        sent_all = cut_off = False
        try:
            psql.stdin.write(b"BEGIN;\n" + (_DROP_CSDESK % {"lock": LOCK_TIMEOUT}).encode())
            shutil.copyfileobj(reader.stdout, psql.stdin, 1 << 20)
            if reader.wait() == 0:
                psql.stdin.write(after_sql.encode() + b"COMMIT;\n")
                sent_all = True
        except BrokenPipeError:
            pass  # psql stopped at an error: its stderr says which; the server rolled back
        finally:
            cut_off = reader.poll() is None  # still writing: psql stopped reading it
            reader.stdout.close()
            if cut_off:
                reader.kill()
            reader.wait()
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()  # without COMMIT: the open transaction ends in a rollback
            psql.wait()
        psql_err.seek(0)
        restore_err.seek(0)
        if reader.returncode != 0 and not cut_off:  # the backup itself failed to read
            text = restore_err.read().decode(errors="replace")
            raise UserError(f"{info.path} could not be read ({_first_error(text)}). Nothing was changed.")
        if psql.returncode != 0 or not sent_all:  # psql stopped at an error (pg_restore cut off)
            text = psql_err.read().decode(errors="replace")
            if "lock timeout" in text:
                raise UserError(
                    "The restore could not start: other counters kept the customer book busy for "
                    f"{LOCK_TIMEOUT}. Close csdesk on the other computers and try again; nothing "
                    "was changed."
                )
            failed = tool_failed(tools.psql, text, target)
            raise UserError(f"The restore failed and was undone, nothing was changed: {failed}")
    return time.perf_counter() - started
