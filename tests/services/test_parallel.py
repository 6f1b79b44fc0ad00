"""services.parallel: answers in the jobs' order from worker processes, and none in a bundle."""

from __future__ import annotations

import os
import sys

import pytest

from csdesk.services import parallel


def _pid_and(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_answers_come_in_order_from_other_processes() -> None:
    got = list(parallel.ordered_map(_pid_and, [(n,) for n in range(12)], workers=2))
    assert [sq for _pid, sq in got] == [n * n for n in range(12)]
    assert os.getpid() not in {pid for pid, _sq in got}


def test_a_frozen_build_works_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PyInstaller bundle spawned as a worker runs csdesk's command line, not the job."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    got = list(parallel.ordered_map(_pid_and, [(n,) for n in range(5)], workers=2))
    assert got == [(os.getpid(), n * n) for n in range(5)]
