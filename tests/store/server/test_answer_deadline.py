"""A connection told to expect answers within a few seconds (the window's own, read on the UI
thread: store.server.connect.answer_within), on the real server: a silent server (the proxy
holds every byte, nothing is closed) fails the statement as "lost" within the deadline plus a
cancel's try; a live but slow one has only that statement cancelled, in words, and the
connection goes on working. Without the deadline the first read would wait for as long as the
socket stays half-open (here: for ever)."""

from __future__ import annotations

import time

import pytest

from csdesk.errors import ServerSlow, ServerUnavailable, UserError
from csdesk.store.server import connect
from csdesk.store.server.sql import PgDatabase
from tests.net_proxy import NetProxy
from tests.pg_cluster import PgCluster


def test_a_silent_server_fails_the_read_within_the_deadline(pg_cluster: PgCluster) -> None:
    proxy = NetProxy(pg_cluster.port)
    try:
        url = proxy.url(pg_cluster.tcp_url("postgres"))
        db = PgDatabase(connect.connect(url, answer_within=1.0), url)
        assert db.execute("SELECT 1").fetchone() == (1,)
        lost: list[bool] = []
        db.on_lost(lambda: lost.append(True))
        proxy.hold()
        started = time.monotonic()
        with pytest.raises(ServerUnavailable) as exc:
            db.execute("SELECT 2")
        waited = time.monotonic() - started
        assert "connection to the PostgreSQL server was lost" in str(exc.value)
        assert 1.0 <= waited < 1.0 + 4 * connect.CANCEL_WITHIN_S  # the deadline, then a cancel's try
        assert db.lost and lost == [True]
        proxy.resume()
        db.reconnect()  # the server answers again: a new connection, same object
        assert db.execute("SELECT 3").fetchone() == (3,)
    finally:
        proxy.close()


def test_a_slow_server_has_the_statement_cancelled_not_the_connection(
    pg_cluster: PgCluster,
) -> None:
    db = PgDatabase(connect.connect(pg_cluster.url("postgres"), answer_within=0.5))
    try:
        with pytest.raises(UserError) as exc:
            db.execute("SELECT pg_sleep(5)")
        assert not isinstance(exc.value, ServerUnavailable)
        assert isinstance(exc.value, ServerSlow)  # a face waiting for something looks again
        assert "took too long to answer" in str(exc.value) and "nothing was changed" in str(exc.value)
        assert not db.lost
        assert db.execute("SELECT 4").fetchone() == (4,)  # the same connection works on
    finally:
        db.close()


def test_keepalives_are_set_unless_the_target_says_otherwise(pg_cluster: PgCluster) -> None:
    url = pg_cluster.tcp_url("postgres")
    conn = connect.connect(url)
    try:
        dsn = conn.info.dsn  # what libpq was given (no password in it)
        assert "keepalives_idle=10" in dsn and "tcp_user_timeout=8000" in dsn, dsn
    finally:
        conn.close()
    conn = connect.connect(url + "?keepalives_idle=30")
    try:
        assert "keepalives_idle=30" in conn.info.dsn
    finally:
        conn.close()
