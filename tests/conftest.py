"""Shared fixtures: a real temporary database file and a Desk with a controllable clock."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
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


# Issue 15: the store and services suites run on both engines, through this one fixture. A test
# under these folders that opens a Desk (the `desk`, `db_target` or `engine` fixture) runs once
# per engine, unless it is marked `sqlite_only` with the reason (a test of the file itself: WAL,
# crash recovery, the backup API; or a service whose server side is not built yet, see
# /work/notes or the issue). One copy of each test, not a second suite.
ENGINES = ("sqlite", "postgresql")
BOTH_ENGINE_FOLDERS = ("tests/services/", "tests/store/")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): runs on the SQLite file only (say why), not also on PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "own_database: on PostgreSQL, a csdesk database of its own (made by server init), not the "
        "session's shared one, whose earlier tests' deleted rows stay in its files (a test that "
        "reads the database's files for traces needs a clean one)",
    )


# Tests under BOTH_ENGINE_FOLDERS that run on the file only, and why: the one list (beside the
# `sqlite_only` marker) of what does not run on PostgreSQL yet. "module" or "module::test".
_FILE = (
    "the file's own machinery (SQLite backup API, WAL, page damage, PRAGMA checks); the server's "
    'backup/restore/check with pg_dump: tests/services/test_server_backup.py, tests/store/server'
)
_TEST_SQL = (
    "the test itself writes SQLite-only SQL (a trigger, a table, sqlite3's connection) to make a "
    'failure or a source'
)
_PLAN_CHOICE = (
    "asserts which of several fitting indexes the plan takes; on a few rows PostgreSQL's choice "
    "follows the shared test database's statistics (CI once saw the timeline walk visits_at "
    "backwards), so on the server only plans with one fitting index are asserted "
    "(tests/store/test_plans.py, the daily log's and the insight lists')"
)
SQLITE_ONLY: dict[str, str] = {
    'tests/services/test_timeline.py::test_every_arm_walks_an_index': _PLAN_CHOICE,
    'tests/store/test_issues_store.py::test_list_first_page_walks_an_index': _PLAN_CHOICE,
    'tests/store/test_issues_store.py::test_followup_queue_walks_an_index': _PLAN_CHOICE,
    'tests/services/test_backup.py': _FILE,
    'tests/services/test_backup_damage.py': _FILE,
    'tests/services/test_restore.py': _FILE,
    'tests/store/test_faults.py': _FILE,
    'tests/services/test_duplicates.py::test_merge_keeps_everything': _TEST_SQL,
    'tests/services/test_timeline.py::test_registered_source_joins_the_timeline': _TEST_SQL,
    'tests/services/test_timeline.py::test_letters_join_the_timeline': _TEST_SQL,
    'tests/services/test_letter_output.py::test_a_full_disk_during_a_batch_records_nothing': _TEST_SQL,
    'tests/services/test_letter_output.py::test_cli_letter_that_cannot_be_written_is_not_recorded': (
        "runs the CLI on the test's database file (the CLI on both engines: "
        'tests/commands/test_both_engines_cli.py)'
    ),
    'tests/services/test_import_streaming.py::test_namesakes_are_looked_up_once_per_name':
        "counts statements with sqlite3's trace callback",
    'tests/services/test_import_streaming.py::test_a_short_file_into_a_big_database_asks_for_its_few_names':
        "watches the statements with sqlite3's trace callback",
    "tests/services/test_import_streaming.py::"
    "test_a_big_file_into_a_big_database_finds_namesakes_in_one_pass":
        "watches the statements with sqlite3's trace callback (the one-pass scan replaces FTS5 "
        "MATCH queries, which only the file has)",
    'tests/services/test_import_interrupted.py::test_a_busy_database_stops_the_import_and_says_what_was_saved':
        "SQLite's file lock (a second sqlite3 connection holds the write lock)",
    'tests/services/test_import_interrupted.py::test_no_lock_file_means_no_import_and_a_clear_message':
        "the import's lock file beside the database file",
    'tests/services/test_search_paths.py::test_middle_digits_follow_edits_and_deletes':
        "reads SQLite's phones_fts index directly (the server's trigram index: test_server_migrate)",
    'tests/services/test_demo.py::test_bulk_load_keeps_search_and_integrity':
        'PRAGMA integrity_check of the file after its bulk load',
    'tests/services/test_visits.py::test_background_checkpoints_keep_the_wal_short':
        "the file's WAL checkpoints",
    'tests/store/test_issues_store.py::test_migration_is_registered_in_order_and_applied':
        "the file's migrations and sqlite_master (the server's schema: tests/store/server)",
    'tests/store/test_issues_store.py::test_constraints_guard_bad_rows': "sqlite3's IntegrityError",
    'tests/store/test_bulk.py':
        "the file's bulk loading: FTS5 triggers, WAL/rollback journal (on a server: one transaction)",
    'tests/services/test_import_search_index.py':
        "runs FTS5's integrity-check on the file's indexes (the server's are generated columns)",
    'tests/store/test_migration_0004.py':
        "the file's migrations (the server's: tests/store/server/test_schema.py)",
    'tests/store/test_migrations.py':
        "the file's migrations (the server's: tests/store/server/test_schema.py)",
}


def _sqlite_only_reason(metafunc: pytest.Metafunc) -> str | None:
    marker = metafunc.definition.get_closest_marker("sqlite_only")
    if marker is not None:
        return str(marker.args[0] if marker.args else "marked sqlite_only")
    where = Path(str(metafunc.definition.path)).as_posix()
    name = metafunc.definition.originalname
    for key, reason in SQLITE_ONLY.items():
        module, _, test = key.partition("::")
        if where.endswith(module) and (not test or test == name):
            return reason
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" not in metafunc.fixturenames:
        return
    where = Path(str(metafunc.definition.path)).as_posix()
    both = any(f"/{folder}" in where for folder in BOTH_ENGINE_FOLDERS)
    if both and _sqlite_only_reason(metafunc) is None:
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """Which engine this run of the test uses ("sqlite" unless parametrised above)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_target(engine: str, db_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """What `Desk.open` is given: the file, or a fresh csdesk database on the test server."""
    if engine == "sqlite":
        return db_path
    if request.node.get_closest_marker("own_database") is not None:
        from csdesk.services.server import init_server

        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        url = cluster.url(cluster.new_database())
        init_server(url)
        return url
    return str(request.getfixturevalue("pg_csdesk_url"))


@pytest.fixture
def stored_bytes(db_target: Path | str, request: pytest.FixtureRequest) -> Callable[[], bytes]:
    """What the database keeps on disk, as one byte string, for tests that look for traces of
    erased data: the file and its WAL; on the server every file of the database's folder
    (base/<oid>: tables, indexes, TOAST, its catalogs and statistics) after a CHECKPOINT wrote
    every page out. (The server's WAL is not included: the README says what stays there.)"""
    if isinstance(db_target, Path):
        path = db_target

        def file_bytes() -> bytes:
            wal = Path(str(path) + "-wal")
            return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

        return file_bytes
    import psycopg

    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    url = db_target

    def server_bytes() -> bytes:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            row = conn.execute(
                "SELECT oid FROM pg_database WHERE datname = current_database()"
            ).fetchone()
        assert row is not None
        return b"".join(cluster.database_files(row[0]).values())

    return server_bytes


@pytest.fixture
def desk(db_target: Path | str, clock: FakeClock) -> Iterator[Desk]:
    d = Desk.open(db_target, clock=clock)
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


class PgShopDatabase:
    """One csdesk database on the test server, set up once by `csdesk server init`, and emptied
    back to that state before each test that uses it: every table's rows deleted (triggers off
    for this session only, so the audit log's guard does not refuse), identities restarted, the
    rows init seeds put back. ~10 ms a test, where CREATE DATABASE ... TEMPLATE takes ~600 ms on
    this machine (measured under load 7 on 2 cores; see the pgcore note)."""

    def __init__(self, cluster: PgCluster) -> None:
        import psycopg

        from csdesk.services.server import init_server

        self.url = cluster.url(cluster.new_database())
        init_server(self.url)
        self.conn = psycopg.connect(self.url, autocommit=True)
        tables = [
            r[0]
            for r in self.conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'csdesk_migrations' ORDER BY tablename"
            ).fetchall()
        ]
        seeds = []
        for table in ("settings", "issue_categories"):
            cur = self.conn.execute(f"SELECT * FROM {table}")
            names = [d.name for d in cur.description or []]
            seeds.append((f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                          f"({', '.join('%s' for _ in names)})", cur.fetchall()))
        self.seeds = seeds
        identities = [
            r[0]
            for r in self.conn.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND column_name = 'id' AND is_identity = 'YES' AND table_name <> 'csdesk_migrations'"
            ).fetchall()
        ]
        self.empty = (
            "SET LOCAL session_replication_role = replica;"
            + "".join(f"DELETE FROM {t};" for t in tables)
        )
        self.restart = "".join(
            f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), coalesce(max(id), 0) + 1, false) "
            f"FROM {t};"
            for t in identities
        )

    def reset(self) -> str:
        with self.conn.transaction():
            self.conn.execute(self.empty)
            with self.conn.cursor() as cur:
                for sql, rows in self.seeds:
                    cur.executemany(sql, rows)
            self.conn.execute(self.restart)
        return self.url


@pytest.fixture(scope="session")
def pg_shop_database(pg_cluster: PgCluster) -> Iterator[PgShopDatabase]:
    shop = PgShopDatabase(pg_cluster)
    yield shop
    shop.conn.close()


@pytest.fixture
def pg_csdesk_url(pg_shop_database: PgShopDatabase) -> str:
    """The URL of the session's csdesk database on the test server, emptied for this test."""
    return pg_shop_database.reset()


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
