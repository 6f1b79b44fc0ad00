"""Errors a person understands, for every command that works on a server today (issue 15,
item 8): server down, wrong password, no such database, a database that is not csdesk's, a full
disk, a connection dropped in the middle of a write: one line on stderr, exit code 1, no
traceback, and nothing changed. (A server too old is refused by version in
tests/store/server/test_connect.py: this machine has no PostgreSQL 13 to start.)"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from csdesk.store.server import connect, schema
from tests.pg_cluster import PgCluster


def csdesk(
    *args: str, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "csdesk", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300, **kwargs)  # type: ignore[call-overload]


def one_clear_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("csdesk: "), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    return done.stderr


def commands(url: str, folder: Path) -> list[list[str]]:
    """Every command that works on a server today, as a person would type it."""
    return [
        ["server", "init", url],
        ["migrate", "--from", str(folder / "shop.db"), "--to", url],
        ["--db", url, "backup", "-o", str(folder / "b.dump")],
        ["--db", url, "check"],
        ["--db", url, "restore", str(folder / "b.dump")],
    ]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, pg_cluster: PgCluster) -> Path:
    """A small shop file and a real server backup to offer the commands."""
    here = tmp_path_factory.mktemp("errors")
    made = csdesk("--db", str(here / "shop.db"), "demo", "--customers", "20",
                  env={"CSDESK_DATA_DIR": str(here / "data")})
    assert made.returncode == 0, made.stderr
    url = pg_cluster.url(pg_cluster.new_database())
    assert csdesk("server", "init", url).returncode == 0
    assert csdesk("--db", url, "backup", "-o", str(here / "b.dump")).returncode == 0
    return here


def test_server_down(folder: Path, pg_cluster: PgCluster) -> None:
    url = f"postgresql://nobody@/csdesk?host={pg_cluster.root}/no-socket-here&port=1"
    for args in commands(url, folder):
        assert "Cannot reach the PostgreSQL server" in one_clear_line(csdesk(*args)), args


def test_wrong_password(folder: Path, pg_cluster: PgCluster) -> None:
    pg_cluster.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'errkeeper') THEN "
                    "CREATE ROLE errkeeper LOGIN PASSWORD 'right-Pelican'; END IF; END $$")
    pg_cluster.add_hba("host all errkeeper 127.0.0.1/32 scram-sha-256")
    url = pg_cluster.tcp_url("postgres", user="errkeeper", password="wrong-Pelican")
    for args in commands(url, folder):
        text = one_clear_line(csdesk(*args))
        assert "refused the password" in text and "Pelican" not in text, args


def test_no_such_database(folder: Path, pg_cluster: PgCluster) -> None:
    for args in commands(pg_cluster.url("no_such_shop"), folder):
        assert "no such database" in one_clear_line(csdesk(*args)), args


def test_a_database_that_is_not_csdesks(folder: Path, pg_cluster: PgCluster) -> None:
    name = pg_cluster.new_database()
    pg_cluster.psql("CREATE TABLE payroll (id int)", database=name)
    for args in commands(pg_cluster.url(name), folder):
        if args[-1] == "check":
            continue  # check reports it as its finding, below
        text = one_clear_line(csdesk(*args))
        assert "not csdesk's" in text and "payroll" in text, args
    done = csdesk("--db", pg_cluster.url(name), "check")
    assert done.returncode == 2 and "this database is not csdesk's" in done.stderr
    # Nothing is damaged there: the advice is to check the address, not to restore over it.
    assert "check the database name in --db" in done.stderr and "restore" not in done.stderr.lower()
    assert pg_cluster.psql("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'",
                           database=name).strip() == "payroll"  # nothing was added


def test_a_full_disk_while_writing_the_backup(folder: Path, pg_url: str) -> None:
    assert csdesk("server", "init", pg_url).returncode == 0

    def small_files() -> None:  # the backup's disk "fills" at 64 KB (a real limit, inherited by pg_dump)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    # Fill the database past what fits.
    conn = connect.connect(pg_url)
    conn.execute("INSERT INTO settings (key, value) SELECT 'pad' || g, md5(g::text) || repeat('x', 300) "
                 "FROM generate_series(1, 3000) g")
    conn.close()
    done = csdesk("--db", pg_url, "backup", "-o", str(folder / "full.dump"), preexec_fn=small_files)
    text = one_clear_line(done)
    assert "Could not write the backup" in text and "no backup was kept" in text
    assert not (folder / "full.dump").exists() and not list(folder.glob(".full.dump*"))


def test_a_server_stopped_in_the_middle_of_a_migrate(folder: Path) -> None:
    """pg_ctl stop -m immediate (a power cut on the back-office computer) while migrate copies."""
    made = csdesk("--db", str(folder / "big.db"), "demo", "--customers", "3000",
                  env={"CSDESK_DATA_DIR": str(folder / "data")})
    assert made.returncode == 0, made.stderr
    cluster = PgCluster().start()
    try:
        url = cluster.url(cluster.new_database())
        proc = subprocess.Popen([sys.executable, "-m", "csdesk", "migrate", "--from", str(folder / "big.db"),
                                 "--to", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        first = proc.stderr.readline()  # the first table's progress line: it is copying now
        assert "rows)" in first, first
        cluster._server_cmd([str(cluster.bin / "pg_ctl"), "stop", "-m", "immediate", "-w", "-D",
                             str(cluster.data)])
        cluster.running = False
        _out, err = proc.communicate(timeout=120)
        lines = [ln for ln in err.splitlines() if ln.startswith("csdesk: ")]
        assert proc.returncode == 1 and len(lines) == 1 and "Traceback" not in err, err
        assert "connection to the PostgreSQL server was lost" in lines[0] or "Cannot reach" in lines[0]
    finally:
        cluster.destroy()


def test_a_connection_dropped_in_the_middle_of_a_restore_changes_nothing(
    folder: Path, pg_cluster: PgCluster
) -> None:
    name = pg_cluster.new_database()
    url = pg_cluster.url(name)
    assert csdesk("migrate", "--from", str(folder / "shop.db"), "--to", url).returncode == 0
    assert csdesk("--db", url, "backup", "-o", str(folder / "mid.dump")).returncode == 0
    pg_cluster.psql("UPDATE customers SET company = 'Kept' WHERE id = (SELECT min(id) FROM customers)",
                    database=name)
    stop = threading.Event()
    killed: list[int] = []

    def terminate_the_restore() -> None:
        watcher = psycopg.connect(pg_cluster.url(name), autocommit=True)
        while not stop.is_set() and not killed:
            rows = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'csdesk-restore' "
                "AND datname = current_database()"
            ).fetchall()
            for (pid,) in rows:
                watcher.execute("SELECT pg_terminate_backend(%s)", [pid])
                killed.append(pid)
            time.sleep(0.002)
        watcher.close()

    killer = threading.Thread(target=terminate_the_restore)
    killer.start()
    try:
        done = csdesk("--db", url, "restore", str(folder / "mid.dump"))
    finally:
        stop.set()
        killer.join()
    assert killed, "the restore ended before its session could be cut"
    text = one_clear_line(done)
    assert "failed and was undone, nothing was changed" in text
    kept = pg_cluster.psql("SELECT count(*) FROM customers WHERE company = 'Kept'", database=name)
    assert kept.strip() == "1"
    conn = connect.connect(url)
    assert schema.applied(conn) == schema.pg_migrations()
    conn.close()
