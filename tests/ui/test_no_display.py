"""No display (an ssh prompt, a cron job): one true line and exit 1, never Qt's abort (issue 13.13)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def headless_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("args", [[], ["call", "+15550104477"]])
def test_no_display_says_so_in_one_line(db_path: Path, args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        env=headless_env(),
        timeout=60,
    )
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no display" in lines[0] and "command line" in lines[0], lines[0]
    assert "xcb" not in result.stderr and "exit code" not in result.stderr


def test_the_command_line_works_without_a_display(db_path: Path) -> None:
    from csdesk.services.desk import Desk

    Desk.open(db_path).close()  # the shop's book exists, as `csdesk init` leaves it
    result = subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db_path), "search", "x", "--json"],
        capture_output=True,
        text=True,
        env=headless_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
