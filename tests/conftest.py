"""Shared fixtures: a real temporary database file and a Desk with a controllable clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The mail password goes into a real keychain backend that works headless: keyrings.alt's file
# keyring, chosen through keyring's own environment variable (subprocesses inherit it). Each
# test gets its own file (XDG_DATA_HOME below), so no test sees another's password.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"

from csdesk.services.desk import Desk
from tests.pg_cluster import PgCluster


class FakeClock:
    """A clock tests move by hand: `clock.advance(hours=2)`."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user data folder."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("CSDESK_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(data / "xdg"))
    monkeypatch.delenv("CSDESK_SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("CSDESK_DB", raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "csdesk.db"


@pytest.fixture
def desk(db_path: Path, clock: FakeClock) -> Iterator[Desk]:
    d = Desk.open(db_path, clock=clock)
    yield d
    d.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throwaway PostgreSQL server for the whole run (initdb in a temp folder), stopped at the end."""
    cluster = PgCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """A fresh, empty database of its own on the throwaway server, as a libpq URL over the socket."""
    return pg_cluster.url(pg_cluster.new_database())


@pytest.fixture
def mail_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real SMTP server on loopback (tests/mail_server.py): STARTTLS + AUTH. The client trusts
    its self-signed certificate through SSL_CERT_FILE, the variable OpenSSL itself reads (no
    verification is switched off)."""
    from tests.mail_server import start

    server = start(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
    yield server
    server.controller.stop()
