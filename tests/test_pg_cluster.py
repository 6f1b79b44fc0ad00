"""The throwaway server itself: it runs, as the unprivileged user when we are root, and goes away."""

from __future__ import annotations

import os
from pathlib import Path

from tests.pg_cluster import PgCluster


def test_cluster_answers_and_runs_unprivileged(pg_cluster: PgCluster) -> None:
    out = pg_cluster.psql("SELECT current_setting('server_version_num'), current_setting('data_directory')")
    version, data = out.strip().split("|")
    assert int(version) >= 140000
    assert data == str(pg_cluster.data)  # ours, not the machine's own cluster
    owner = os.stat(pg_cluster.data).st_uid
    assert owner != 0  # initdb and postgres never run as root


def test_a_database_per_test(pg_cluster: PgCluster, pg_url: str) -> None:
    name = pg_url.split("@/")[1].split("?")[0]
    assert name in pg_cluster.psql("SELECT datname FROM pg_database")


def test_stop_leaves_nothing_running() -> None:
    cluster = PgCluster().start()
    pid_file = cluster.data / "postmaster.pid"
    pid = int(pid_file.read_text().split()[0])
    cluster.destroy()
    assert not cluster.root.exists()
    assert not _running(pid)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphaned server may wait for a reaper that never comes)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status
