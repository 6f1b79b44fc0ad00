"""Every command that writes a file the user names: the same rules (store/files.py), real processes.

A device is not a file (`-o /dev/full` said "Wrote 40 events", exit 0); an existing file is kept
unless --force; a missing folder is refused by name, never created. (A short write is an error:
tests/store/test_files.py makes a real one with RLIMIT_FSIZE.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from csdesk.services.desk import Desk
from tests.conftest import FakeClock
from tests.services.reports_helpers import seed_dst_day

# Each command that writes a file, as `csdesk ARGS... PATH`.
WRITERS = {
    "export daily csv": ["export", "daily", "--date", "2026-10-25", "-o"],
    "export daily xlsx": ["export", "daily", "--date", "2026-10-25", "--format", "xlsx", "-o"],
    "export customers": ["export", "customers", "-o"],
    "export customers vcard": ["export", "customers", "--format", "vcard", "-o"],
    "audit csv": ["audit", "--csv"],
    "customer export": ["customer", "export", "1", "-o"],
    "letter html": ["letter", "thank_you", "--customer", "1", "--html", "-o"],
    "backup": ["backup", "-o"],
}

# customer export writes .json or .html only; export daily refuses a name that promises a format
# it does not write (csdesk's own file_names.format_for)
SUFFIX = {"customer export": ".json", "export daily csv": ".csv"}


@pytest.fixture
def db(desk: Desk, clock: FakeClock, db_path: Path) -> Path:
    seed_dst_day(desk, clock)
    return db_path


def csdesk(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db), *args],
        capture_output=True, text=True, timeout=120, env={**os.environ}, check=False,
    )


def no_part_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("name", list(WRITERS))
def test_dev_full_is_not_a_file(db: Path, name: str) -> None:
    done = csdesk(db, *WRITERS[name], "/dev/full")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
    assert "Wrote" not in done.stdout
    assert Path("/dev/full").is_char_device()


@pytest.mark.parametrize("name", list(WRITERS))
def test_an_existing_file_is_kept_unless_force(db: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / f"precious{SUFFIX.get(name, '.out')}"
    target.write_text("do not lose me", encoding="utf-8")
    done = csdesk(db, *WRITERS[name], str(target))
    assert done.returncode == 1, done.stderr
    assert "already exists" in done.stderr and "--force" in done.stderr
    assert target.read_text(encoding="utf-8") == "do not lose me"
    forced = csdesk(db, *WRITERS[name][:-1], "--force", WRITERS[name][-1], str(target))
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8", errors="replace") != "do not lose me"
    assert no_part_files(tmp_path)


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_missing_folder_is_refused_the_same_way(db: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / "typo" / f"out{SUFFIX.get(name, '.out')}"
    done = csdesk(db, *WRITERS[name], str(target))
    assert done.returncode == 1, done.stderr
    assert f"The folder {target.parent} does not exist" in done.stderr
    assert not target.parent.exists()
