"""Busy is not damaged: with a real second process holding the database, restore refuses within
a bounded wait and moves nothing; check says busy (exit 1), never "damaged" (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk

ROOT = Path(__file__).resolve().parents[2]

HOLDER = textwrap.dedent(
    """
    import sys, sqlite3
    from csdesk.services.desk import Desk
    from csdesk.domain import CustomerDraft
    desk = Desk.open(sys.argv[1])
    mode = sys.argv[2]
    if mode == "lock":  # a long write: an import half way through
        desk.db.execute("BEGIN IMMEDIATE")
        desk.db.execute("UPDATE settings SET value = value")
    print("ready", flush=True)
    for line in sys.stdin:  # each line: log one more customer into the file it has open
        if mode == "lock":
            desk.db.execute("COMMIT")
            mode = "open"
        desk.customers.create(CustomerDraft(first_name=line.strip()))
        print("done", flush=True)
    """
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db), *args],
        capture_output=True, text=True, env=_env(), timeout=120,
    )


@pytest.fixture
def holder(db_path: Path, request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), request.param],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(),
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


def _names(db: Path) -> list[str]:
    desk = Desk.open(db)
    try:
        return [c.display_name for c in desk.search.search("late")]
    finally:
        desk.close()


@pytest.fixture
def saved(db_path: Path, tmp_path: Path) -> Path:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Kept"))
    desk.close()
    target = tmp_path / "saved.db"
    assert cli(db_path, "backup", "-o", str(target)).returncode == 0
    return target


@pytest.mark.parametrize("holder", ["open", "lock"], indirect=True)
def test_restore_refuses_while_another_process_has_the_database(
    db_path: Path, saved: Path, holder: subprocess.Popen[str]
) -> None:
    inode = db_path.stat().st_ino
    done = cli(db_path, "restore", str(saved))
    assert done.returncode == 1, done.stderr
    assert "another command is running" in done.stderr and f"process {holder.pid}" in done.stderr
    assert "Traceback" not in done.stderr
    assert db_path.stat().st_ino == inode  # not renamed, not replaced
    assert not list(db_path.parent.rglob("*-damaged.db"))
    # the other process goes on writing into the live file, which keeps what it wrote
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("Late1\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "done"
    assert _names(db_path) == ["Late1"]


@pytest.mark.parametrize("holder", ["lock"], indirect=True)
def test_check_on_a_busy_database_says_busy_not_damaged(
    db_path: Path, saved: Path, holder: subprocess.Popen[str]
) -> None:
    done = cli(db_path, "check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "another command is running" in done.stderr and "damaged" not in done.stderr
    # what was read before the lock is no verdict: no "checked: ..." above "could not finish"
    assert "checked:" not in done.stdout and "healthy" not in done.stdout
    assert done.stderr.startswith("csdesk: ") and "the check could not finish" in done.stderr


def test_restore_without_other_processes_still_works(db_path: Path, saved: Path) -> None:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Later"))
    desk.close()
    done = cli(db_path, "restore", str(saved))
    assert done.returncode == 0, done.stderr
    assert "now holds 1 customers" in done.stdout and "(2 customers) is saved as" in done.stdout
