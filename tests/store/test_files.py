"""The one way csdesk writes a file: refused targets, atomic replace, short writes are errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from csdesk.errors import UserError
from csdesk.store.files import AtomicFile, check_target, write_text


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_writes_the_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = write_text(tmp_path / "a.csv", "x,y\n1,2\n")
    assert target.read_text(encoding="utf-8") == "x,y\n1,2\n"
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_refused_unless_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "customers.csv"
    target.write_text("precious", encoding="utf-8")
    with pytest.raises(UserError, match=r"already exists.*--force"):
        write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "precious"
    write_text(target, "new", overwrite=True)
    assert target.read_text(encoding="utf-8") == "new"


def test_a_missing_folder_is_refused_by_name_and_not_created(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "a.csv"
    with pytest.raises(UserError, match=r"folder .*such does not exist"):
        write_text(target, "x")
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_a_device_is_not_a_file(device: str) -> None:
    with pytest.raises(UserError, match="not a regular file"):
        write_text(device, "x", overwrite=True)
    assert not Path(device).is_file()  # still the device, never replaced by a file
    assert not [p for p in Path("/dev").glob(".full.*.part")]


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="is a folder"):
        check_target(tmp_path, overwrite=True)


def test_an_unwritable_place_says_so(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"Cannot write /proc/x\.pdf"):
        write_text("/proc/x.pdf", "x")


def test_an_error_inside_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), AtomicFile(target, overwrite=True) as out:
        out.open("w").write("half")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_cancel_writes_nothing(tmp_path: Path) -> None:
    with AtomicFile(tmp_path / "a.txt") as out:
        with out.open("w") as handle:
            handle.write("x")
        out.cancel()
    assert list(tmp_path.iterdir()) == []


def test_a_target_that_appears_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    with pytest.raises(UserError, match="already exists"), AtomicFile(target) as out:
        out.open("w").write("mine")
        target.write_text("theirs", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "theirs"
    assert leftovers(tmp_path) == []


SHORT_WRITE = """
import resource, signal, sys
from csdesk.errors import UserError
from csdesk.store.files import write_text
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full file system says EFBIG/ENOSPC, not a signal
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
try:
    write_text(sys.argv[1], "x" * 1_000_000, overwrite=True)
except UserError as exc:
    print(exc)
    sys.exit(1)
"""


def test_a_short_write_is_an_error_and_keeps_the_old_file(tmp_path: Path) -> None:
    # A real short write: the kernel stops the file at 4 KiB, as a full disk would.
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", SHORT_WRITE, str(target)],
        capture_output=True, text=True, check=False, env={**os.environ},
    )
    assert result.returncode == 1, result.stderr
    assert "Could not write" in result.stdout and "nothing was written" in result.stdout
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []
