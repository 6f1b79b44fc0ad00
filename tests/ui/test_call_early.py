"""A ring while csdesk is still starting (a first-run question open) starts no second csdesk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from csdesk.services.desk import Desk
from csdesk.ui.single_instance import send, server_name

ROOT = Path(__file__).resolve().parents[2]


def test_a_call_during_the_first_run_questions_is_held_not_a_second_window(
    qtbot: QtBot, desk: Desk, db_path: Path
) -> None:
    assert desk.customers.count() == 0  # a first run: csdesk asks about an admin and demo data
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    first = subprocess.Popen(
        [sys.executable, "-m", "csdesk", "--db", str(db_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    name = server_name(db_path)
    try:
        # it listens while its question waits for a person
        qtbot.waitUntil(lambda: send(name, {"action": "ping"}, timeout_ms=500) is not None, timeout=90000)
        result = subprocess.run(
            [sys.executable, "-m", "csdesk", "--db", str(db_path), "call", "+15550104477", "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, (result.stdout, result.stderr)
        out = json.loads(result.stdout)
        assert out["started"] is False and out["shown"] == "starting"
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(timeout=30)
