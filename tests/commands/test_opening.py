"""Opening a database from the command line: typed paths, empty files, newer csdesk, read-only.

Real processes on real files. Read-only media is a read-only bind mount in a private mount
namespace when we are root (root ignores chmod); a user without write permission is `nobody`
when we are root, else the file's own mode.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.store.db import read_only_reason

ROOT = os.geteuid() == 0
NOBODY = 65534


def run(*args: str, env: dict[str, str] | None = None, prefix: list[str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*(prefix or []), sys.executable, "-m", "csdesk", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder other users can reach (pytest's tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="csdesk-ro-"))
    folder.chmod(0o755)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


@pytest.fixture
def filled(shared_dir: Path) -> Path:
    path = shared_dir / "shop.db"
    desk = Desk.open(path)
    ada = desk.customers.create(CustomerDraft(first_name="Ada", last_name="Lovelace",
                                              phones=(("mobile", "+15550104477"),)))
    desk.visits.log(ada.id, purpose="boots")
    desk.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    desk.close()
    path.chmod(0o644)
    return path


# -- a path someone typed ----------------------------------------------------------------------
def test_a_typed_path_in_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "x.db"
    done = run("--db", str(target), "search", "x")
    assert done.returncode == 1
    assert f"There is no folder {target.parent}" in done.stderr
    assert f"csdesk init {target}" in done.stderr
    assert not (tmp_path / "no").exists()
    done = run("--db", str(target), "visit", "--phone", "+15550104477", "--create")
    assert done.returncode == 1 and not (tmp_path / "no").exists()


def test_the_environment_variable_is_a_typed_path_too(tmp_path: Path) -> None:
    target = tmp_path / "typo" / "x.db"
    done = run("search", "x", env={"CSDESK_DB": str(target)})
    assert done.returncode == 1 and "There is no folder" in done.stderr
    assert not target.parent.exists()


def test_init_makes_the_folders_and_the_database(tmp_path: Path) -> None:
    target = tmp_path / "share" / "shop" / "csdesk.db"
    done = run("init", str(target))
    assert done.returncode == 0, done.stderr
    assert target.is_file() and "Created a new, empty csdesk database" in done.stdout
    assert run("--db", str(target), "search", "x").returncode == 0
    again = run("init", str(target))
    assert again.returncode == 1 and "already is a file" in again.stderr


def test_the_default_database_is_still_made_on_first_run(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    done = run("search", "x", env={"CSDESK_DATA_DIR": str(data)})
    assert done.returncode == 0, done.stderr
    assert (data / "csdesk.db").is_file()


def test_a_data_folder_that_cannot_be_made_is_one_clear_line() -> None:
    done = run("search", "x", env={"CSDESK_DATA_DIR": "/proc/nope"})
    assert done.returncode == 1
    assert done.stderr.startswith("csdesk: Cannot make the folder /proc/nope for the database")
    assert len(done.stderr.strip().splitlines()) == 1


# -- empty and foreign files -------------------------------------------------------------------
def test_a_zero_byte_file_is_not_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    path.write_bytes(b"")
    done = run("--db", str(path), "search", "x")
    assert done.returncode == 1
    assert "is empty (0 bytes)" in done.stderr and "csdesk restore" in done.stderr
    assert path.stat().st_size == 0
    check = run("--db", str(path), "check")
    assert check.returncode == 2 and "healthy" not in check.stdout


def test_a_zero_byte_file_names_its_newest_backup(tmp_path: Path) -> None:
    data = Path(os.environ["CSDESK_DATA_DIR"])
    path = tmp_path / "shop.db"
    desk = Desk.open(path)
    desk.customers.create(CustomerDraft(first_name="Ada"))
    desk.auth.act_as_cli()
    older = desk.backups.backup()
    desk.close()
    newest = data / "backups" / "shop-29990101-000000-manual.db"
    newest.write_bytes(older.path.read_bytes())
    path.write_bytes(b"")
    for name in ("shop.db-wal", "shop.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    done = run("--db", str(path), "search", "x")
    assert done.returncode == 1
    assert f"the newest is {newest}" in done.stderr
    assert f"restore {newest}" in done.stderr
    assert path.stat().st_size == 0


@pytest.mark.parametrize("how", ["user_version", "unknown_migration"])
def test_a_file_from_a_newer_csdesk_is_read_but_never_written(filled: Path, how: str) -> None:
    conn = sqlite3.connect(filled, isolation_level=None)
    if how == "user_version":
        conn.execute("PRAGMA user_version = 999")
    else:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('csdesk', '0999_from_the_future', '2030-01-01')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(filled)
    found = run("--db", str(filled), "search", "ada", "--json")
    assert found.returncode == 0 and "Lovelace" in found.stdout
    refused = run("--db", str(filled), "visit", "--customer", "1")
    assert refused.returncode == 1
    assert "made by a newer csdesk: update csdesk" in refused.stderr
    assert digest(filled) == before


# -- read-only -----------------------------------------------------------------------------------
def read_only_media(folder: Path) -> list[str]:
    """A command prefix under which `folder` is a read-only mount (or, not root, read-only files)."""
    if ROOT:
        return ["unshare", "-m", "sh", "-c", f'mount --bind -o ro "{folder}" "{folder}" && exec "$0" "$@"']
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    return []


def no_write_permission(folder: Path) -> list[str]:
    """A command prefix for someone who may read `folder` but not write it."""
    if ROOT:
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    return []


@pytest.mark.parametrize("make_read_only", [read_only_media, no_write_permission])
def test_a_read_only_database_reads_exports_backs_up_and_refuses_writes(
    filled: Path, make_read_only: object
) -> None:
    out = Path(tempfile.mkdtemp(prefix="csdesk-out-"))
    out.chmod(0o777)
    data = Path(tempfile.mkdtemp(prefix="csdesk-data-"))
    data.chmod(0o777)
    env = {"CSDESK_DATA_DIR": str(data), "HOME": str(data)}
    before = digest(filled)
    assert callable(make_read_only)
    prefix = make_read_only(filled.parent)
    try:
        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return run("--db", str(filled), *args, env=env, prefix=prefix)

        found = cli("search", "ada")
        assert found.returncode == 0 and "Ada Lovelace" in found.stdout, found.stderr
        assert cli("timeline", "1").returncode == 0
        assert cli("export", "customers", "-o", str(out / "c.csv")).returncode == 0
        assert "Lovelace" in (out / "c.csv").read_text(encoding="utf-8-sig")
        backed = cli("backup", "-o", str(out / "b.db"))
        assert backed.returncode == 0, backed.stderr
        assert (out / "b.db").stat().st_size > 0
        check = cli("check")
        assert check.returncode == 0, check.stderr
        assert "is healthy" in check.stdout
        refused = cli("visit", "--customer", "1", "--purpose", "laces")
        assert refused.returncode == 1
        assert "is read-only (no write permission, or read-only media)" in refused.stderr
        assert "changes cannot be saved" in refused.stderr
    finally:
        filled.parent.chmod(0o755)
        subprocess.run(["rm", "-rf", str(out), str(data)], check=False)
    assert digest(filled) == before


def test_a_read_only_desk_says_why_and_keeps_the_audit_clean(filled: Path) -> None:
    conn = sqlite3.connect(filled, isolation_level=None)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    desk = Desk.open(filled)
    try:
        assert desk.read_only and "newer csdesk" in desk.read_only
        assert read_only_reason(desk.db) == desk.read_only
        count = desk.db.execute("SELECT count(*) FROM audit").fetchone()[0]
        with pytest.raises(Exception, match="update csdesk"):
            desk.customers.create(CustomerDraft(first_name="Nope"))
        assert desk.db.execute("SELECT count(*) FROM audit").fetchone()[0] == count
    finally:
        desk.close()
