"""A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, a Unix socket in it
and a loopback port, stopped (pg_ctl stop -m fast) at the end. It never touches another cluster.

initdb and postgres refuse to run as root. This machine and CI run as root, a developer usually
does not: as root the server runs as the unprivileged `postgres` user (made by Debian's package)
through runuser, with the folder handed to it; as anyone else it runs as that user. Clients
(psql, csdesk, psycopg) run as the caller and connect over the socket or the port.

No skip when the binaries are missing: `make test` installs Debian's `postgresql`, and a test
that silently did not run would hide exactly the breakage it exists for.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "csdesk_test_admin"


def bindir() -> Path:
    """The newest installed server's binaries (Debian keeps them out of PATH)."""
    override = os.environ.get("CSDESK_PG_BINDIR")
    if override:
        return Path(override)
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1]
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError(
        "PostgreSQL's server binaries (initdb) are not installed: run `make test`, which installs "
        "Debian's postgresql package, or `apt-get install postgresql`."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One server: `start()`, then `url(db)` / `psql(...)`, then `stop()`."""

    def __init__(
        self,
        *,
        superuser: str = SUPERUSER,
        root: Path | None = None,
        settings: dict[str, str] | None = None,
    ) -> None:
        """`root`: a folder to keep the cluster in (a benchmark's loaded data survives `stop()`
        and is started again, not made again); `settings`: postgresql.conf values on top of the
        throwaway ones below, given on the server's command line each start."""
        self.bin = bindir()
        self.superuser = superuser
        # Not under pytest's tmp folder: that is 0700 root's, and the server user must reach it.
        # A short path too: a Unix socket path must fit in 107 bytes.
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="csdesk-pg-"))
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.settings = dict(settings or {})
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.port = _free_port()
        self.running = False
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.root.chmod(0o755)  # clients (root, or the test user) reach the socket inside

    def _server_cmd(self, args: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._as_user, *args], check=True, capture_output=True, text=True, **kwargs  # type: ignore[call-overload]
        )

    @property
    def made(self) -> bool:
        """Whether initdb already ran in this folder (a kept cluster)."""
        return (self.data / "PG_VERSION").exists()

    def start(self) -> PgCluster:
        if self.made:
            return self._run()
        self._server_cmd(["mkdir", "-p", str(self.data), str(self.socket_dir)])
        self._server_cmd(
            [
                str(self.bin / "initdb"),
                "-D", str(self.data),
                "-U", self.superuser,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        # Throwaway: no fsync, little memory; a socket in our folder and a loopback port.
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "32MB",
            "max_connections": "40",
            "password_encryption": "'scram-sha-256'",
        }
        conf = "".join(f"{k} = {v}\n" for k, v in settings.items())
        self._server_cmd(["sh", "-c", f"cat >> '{self.data}/postgresql.conf'"], input=conf)
        return self._run()

    def _run(self) -> PgCluster:
        # The port is chosen afresh each start (a kept cluster's old one may be taken now).
        options = {"logging_collector": "off", "port": str(self.port), **self.settings}
        self._server_cmd(
            [
                str(self.bin / "pg_ctl"), "start", "-w", "-D", str(self.data),
                "-l", str(self.root / "server.log"),
                "-o", " ".join(f"-c {k}={v}" for k, v in options.items()),
            ]
        )
        self.running = True
        return self

    def start_again(self) -> None:
        """Start the server on the folder initdb made, on the same port (after stop() or kill())."""
        self._run()

    def kill(self) -> None:
        """`pg_ctl stop -m immediate`: every server process ends at once, as in a power cut
        (crash recovery at the next start)."""
        self._server_cmd([str(self.bin / "pg_ctl"), "stop", "-m", "immediate", "-w", "-D", str(self.data)])
        self.running = False

    def stop(self) -> None:
        if self.running:
            self._server_cmd([str(self.bin / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(self.data)])
            self.running = False

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- what tests use ------------------------------------------------------------------------
    def url(self, database: str, *, user: str | None = None, password: str | None = None) -> str:
        """A libpq URL over the Unix socket: postgresql://user[:password]@/db?host=/sock&port=N."""
        auth = quote(user or self.superuser, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        return f"postgresql://{auth}@/{quote(database)}?host={quote(str(self.socket_dir))}&port={self.port}"

    def tcp_url(self, database: str, *, user: str | None = None, password: str | None = None) -> str:
        auth = quote(user or self.superuser, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{quote(database)}"

    def psql(self, sql: str, *, database: str = "postgres", user: str | None = None) -> str:
        """Run SQL as the superuser (or `user`) with psql; stops at the first error."""
        done = subprocess.run(
            [
                str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", str(self.socket_dir), "-p", str(self.port),
                "-U", user or self.superuser, "-d", database,
            ],
            input=sql, check=True, capture_output=True, text=True,
        )
        return done.stdout

    def new_database(self, *, owner: str | None = None) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql(f'CREATE DATABASE "{name}"' + (f' OWNER "{owner}"' if owner else ""))
        return name

    def database_files(self, oid: int) -> dict[str, bytes]:
        """The bytes of every file of one database's folder, by file name.

        The server makes and removes files there while we read (pg_internal.init after a relcache
        reset, a VACUUM FULL's new relfilenodes): a file gone between the listing and the read is
        skipped, as it holds nothing the server still uses."""
        files: dict[str, bytes] = {}
        for path in sorted(Path(self.data, "base", str(oid)).iterdir()):
            try:
                files[path.name] = path.read_bytes()
            except (FileNotFoundError, IsADirectoryError):
                continue
        return files

    def add_hba(self, line: str) -> None:
        """Put a pg_hba.conf line first (the first matching line wins) and reload."""
        hba = self.data / "pg_hba.conf"
        script = f"{{ echo '{line}'; cat '{hba}'; }} > '{hba}.new' && mv '{hba}.new' '{hba}'"
        self._server_cmd(["sh", "-c", script])
        self.reload()

    def reload(self) -> None:
        self._server_cmd([str(self.bin / "pg_ctl"), "reload", "-D", str(self.data)])
        self.psql("SELECT pg_reload_conf()")  # and wait until this backend sees it
