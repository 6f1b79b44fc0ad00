"""Errors a person understands, each caused for real on the throwaway server: one line, the
password never in it."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from csdesk.errors import UserError
from csdesk.store.server import connect
from csdesk.store.server.connect import MIN_SERVER_VERSION_NUM, check_server_version, version_text
from tests.pg_cluster import PgCluster


def one_line(exc: pytest.ExceptionInfo[UserError]) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_a_server_that_is_off(pg_cluster: PgCluster) -> None:
    url = f"postgresql://nobody@/csdesk?host={pg_cluster.root}/no-socket-here&port=1"
    with pytest.raises(UserError) as exc:
        connect.connect(url)
    assert "Cannot reach the PostgreSQL server" in one_line(exc)


def test_a_server_stopped_under_us() -> None:
    cluster = PgCluster().start()
    try:
        url = cluster.url("postgres")
        connect.connect(url).close()
        cluster.stop()
        with pytest.raises(UserError) as exc:
            connect.connect(url)
        assert "Cannot reach the PostgreSQL server" in one_line(exc)
        tcp = cluster.tcp_url("postgres")
        with pytest.raises(UserError) as exc:
            connect.connect(tcp)
        assert "Cannot reach" in one_line(exc) and f"127.0.0.1:{cluster.port}" in str(exc.value)
    finally:
        cluster.destroy()


def test_wrong_password_with_scram(pg_cluster: PgCluster) -> None:
    role = "pw_" + uuid.uuid4().hex[:8]
    pg_cluster.psql(f"CREATE ROLE {role} LOGIN PASSWORD 'right-horse'")
    pg_cluster.add_hba(f"local all {role} scram-sha-256")
    url = pg_cluster.url("postgres", user=role, password="wrong-battery")
    with pytest.raises(UserError) as exc:
        connect.connect(url)
    text = one_line(exc)
    assert "refused the password" in text
    assert "wrong-battery" not in text and "right-horse" not in text
    connect.connect(pg_cluster.url("postgres", user=role, password="right-horse")).close()
    with pytest.raises(UserError) as exc:  # no password anywhere (no ~/.pgpass entry)
        connect.connect(pg_cluster.url("postgres", user=role))
    assert "wants a password" in one_line(exc)


def test_the_password_from_a_pgpass_file(pg_cluster: PgCluster, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    role = "pp_" + uuid.uuid4().hex[:8]
    pg_cluster.psql(f"CREATE ROLE {role} LOGIN PASSWORD 'from-the-file'")
    pg_cluster.add_hba(f"local all {role} scram-sha-256")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:{pg_cluster.port}:*:{role}:from-the-file\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    conn = connect.connect(pg_cluster.url("postgres", user=role))
    assert connect.info(conn).user == role
    conn.close()


def test_a_service_file(pg_cluster: PgCluster, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[shop]\nhost={pg_cluster.socket_dir}\nport={pg_cluster.port}\n"
        f"dbname=postgres\nuser={pg_cluster.superuser}\n"
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    conn = connect.connect("service=shop")
    info = connect.info(conn)
    assert (info.database, info.port) == ("postgres", pg_cluster.port)
    conn.close()
    with pytest.raises(UserError) as exc:
        connect.connect("service=nosuch")
    assert "service" in one_line(exc).lower()


def test_no_such_database(pg_cluster: PgCluster) -> None:
    with pytest.raises(UserError) as exc:
        connect.connect(pg_cluster.url("no_such_db_here"))
    assert "no such database" in one_line(exc)


def test_no_such_user(pg_cluster: PgCluster) -> None:
    with pytest.raises(UserError) as exc:
        connect.connect(pg_cluster.url("postgres", user="nobody_by_that_name"))
    assert "no such user" in one_line(exc)


def test_disk_full_as_the_server_reports_it(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    with pytest.raises(UserError) as exc, connect.transaction(conn, pg_url):
        # The server's own error (SQLSTATE 53100, psycopg's DiskFull) as a full disk raises it:
        # filling a real disk would take the machine's other work down with it.
        conn.execute(
            "DO $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$"
        )
    assert "disk is full" in one_line(exc)
    conn.close()


def test_connection_dropped_in_the_middle_of_a_write(pg_url: str, pg_cluster: PgCluster) -> None:
    conn = connect.connect(pg_url)
    conn.execute("CREATE TABLE t (x int)")
    conn.commit()
    pid = conn.info.backend_pid
    with pytest.raises(UserError) as exc, connect.transaction(conn, pg_url):
        conn.execute("INSERT INTO t VALUES (1)")
        killer = threading.Thread(target=pg_cluster.psql, args=(f"SELECT pg_terminate_backend({pid})",))
        killer.start()
        killer.join()
        conn.execute("INSERT INTO t VALUES (2)")
    assert "connection to the PostgreSQL server was lost" in one_line(exc)
    again = connect.connect(pg_url)
    assert again.execute("SELECT count(*) FROM t").fetchone() == (0,)  # nothing half-saved
    again.close()


def test_version_check_with_the_real_server(pg_url: str) -> None:
    conn = connect.connect(pg_url)
    real = int(conn.execute("SELECT current_setting('server_version_num')").fetchone()[0])  # type: ignore[index]
    assert real == conn.info.server_version
    check_server_version(real)  # the test server (15) is new enough
    older = (real // 10000 - 2) * 10000 + 7  # two majors before it: 13.7 for a 15 server
    with pytest.raises(UserError, match=rf"PostgreSQL {version_text(older)}, which is too old"):
        check_server_version(older)
    conn.close()


@pytest.mark.parametrize(
    ("num", "ok", "text"),
    [(130014, False, "13.14"), (139999, False, "13.9999"), (140000, True, "14.0"), (170002, True, "17.2"),
     (90624, False, "9.624")],
)
def test_version_check_function(num: int, ok: bool, text: str) -> None:
    assert version_text(num) == text
    assert (num >= MIN_SERVER_VERSION_NUM) == ok
    if ok:
        check_server_version(num)
    else:
        with pytest.raises(UserError, match="too old"):
            check_server_version(num)


def test_engine_errors_reach_the_cli_as_one_line(pg_url: str) -> None:
    from csdesk.store.db import engine_error_message

    conn = psycopg.connect(pg_url)
    try:
        conn.execute("SELECT * FROM no_such_table")
    except psycopg.Error as exc:
        message = engine_error_message(exc)
        assert message is not None and "no_such_table" in str(message)
    conn.close()
