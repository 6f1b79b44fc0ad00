"""The README's "Your shop's server" section works as written: its commands, followed in order
on a throwaway PostgreSQL cluster, set up a csdesk role and database, let it in with
scram-sha-256, keep the password in ~/.pgpass, and run `csdesk server init`, `csdesk migrate`,
and a backup and a check of the server.

What the test changes, and only that: the shop's server `backoffice:5432` is the throwaway
cluster's loopback port, the shop's network in the pg_hba line is 127.0.0.1/32, `sudo -u postgres`
is the cluster's own superuser, and HOME is a temporary folder holding a demo database file.
Installing PostgreSQL and editing postgresql.conf are the machine's set-up (make test installs
the package; the cluster listens on loopback).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from csdesk.services import demo
from csdesk.services.desk import Desk
from tests.pg_cluster import PgCluster

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def section_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Your shop's server", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^ *```bash\n(.*?)^ *```", section, re.S | re.M)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_section_has_what_a_shop_needs() -> None:
    commands = section_commands()
    assert any("CREATE ROLE csdesk" in c for c in commands)
    assert any(c.startswith("host ") and "scram-sha-256" in c for c in commands)
    assert any(c.startswith("csdesk server init ") for c in commands)
    assert any(c.startswith("csdesk migrate ") for c in commands)
    text = README.read_text(encoding="utf-8")
    assert "listen_addresses" in text and "sslmode" in text and "Windows" in text


def test_following_the_section_on_a_throwaway_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = home / ".local" / "share" / "csdesk"
    data.mkdir(parents=True)
    desk = Desk.open(data / "csdesk.db")
    demo.generate(desk.context, 25, seed=4)
    desk.close()
    cluster = PgCluster().start()
    try:
        # this checkout's csdesk (a worktree's), not whichever one the environment has installed
        env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT)}
        env.pop("CSDESK_DATA_DIR", None)
        env.pop("PGPASSFILE", None)
        followed = []
        said = []
        for line in section_commands():
            line = line.replace("backoffice:5432", f"127.0.0.1:{cluster.port}")
            words = shlex.split(line)
            if words[:3] == ["sudo", "-u", "postgres"]:
                tool, *rest = words[3:]
                assert tool in ("psql", "createdb"), line
                # As the postgres user, psql and createdb start from the `postgres` database.
                start = ["-d", "postgres"] if tool == "psql" else ["--maintenance-db", "postgres"]
                subprocess.run(
                    [str(cluster.bin / tool), "-h", str(cluster.socket_dir), "-p", str(cluster.port),
                     "-U", cluster.superuser, *start, *rest],
                    check=True, capture_output=True, text=True,
                )
            elif words[0] == "host":
                assert words[3] == "192.168.1.0/24" and words[4] == "scram-sha-256", line
                cluster.add_hba(line.replace("192.168.1.0/24", "127.0.0.1/32"))
            elif words[0] == "echo":
                subprocess.run(["sh", "-c", line], check=True, env=env)
            elif words[0] == "csdesk":
                done = subprocess.run([sys.executable, "-m", "csdesk", *words[1:]], env=env, cwd=tmp_path,
                                      capture_output=True, text=True, timeout=300)
                assert done.returncode == 0, (line, done.stderr)
                assert "choose-a-long-password" not in done.stdout + done.stderr
                said.append(done.stdout)
            else:
                pytest.fail(f"a README line this test cannot follow: {line}")
            followed.append(words[0])
        assert followed.count("csdesk") == 4
        # The backup went to the backups folder, as a custom-format dump; the check found it healthy.
        made = re.search(r" to (/\S+-manual\.dump) ", " ".join(said))
        assert made, said  # into the backups folder (the test run's own XDG data folder)
        assert Path(made.group(1)).read_bytes()[:5] == b"PGDMP"
        assert "is healthy" in said[-1]
        url = f"postgresql://csdesk@127.0.0.1:{cluster.port}/csdesk"
        # The password came from ~/.pgpass, and scram-sha-256 really asked for it.
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(url, passfile=os.devnull).close()
        with psycopg.connect(url, passfile=str(home / ".pgpass")) as conn:
            assert conn.execute("SELECT count(*) FROM customers").fetchone() == (25,)
    finally:
        cluster.destroy()


def test_the_server_settings_it_names_are_valid_for_postgresql() -> None:
    """The postgresql.conf lines the section asks for (beyond listening and TLS, which the test
    cluster cannot take) are settings this PostgreSQL knows, with values it accepts."""
    text = README.read_text(encoding="utf-8").split("## Your shop's server", 1)[1].split("\n## ", 1)[0]
    asked = dict(re.findall(r"`(\w+) = ('[^'`]*'|\d+)`", text))
    asked = {k: v for k, v in asked.items() if k not in ("listen_addresses", "ssl")}
    assert {"idle_in_transaction_session_timeout", "tcp_keepalives_idle"} <= set(asked)
    cluster = PgCluster().start()
    try:
        for name, value in asked.items():
            cluster.psql(f"ALTER SYSTEM SET {name} = {value}")
        cluster.reload()
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
            # what the server read from its configuration, and whether it took it (a session on
            # the Unix socket shows tcp_keepalives_idle as 0 whatever is set)
            taken = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
                "SELECT name, setting, applied, error FROM pg_file_settings").fetchall()}
            idle = conn.execute("SHOW idle_in_transaction_session_timeout").fetchone()
    finally:
        cluster.destroy()
    for name, value in asked.items():
        assert taken[name] == (value.strip("'"), True, None), (name, taken.get(name))
    assert idle == ("5min",)
