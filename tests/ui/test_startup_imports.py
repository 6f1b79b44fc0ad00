"""The window's first search waits for nothing it does not use (issue 17: start-up < 0.8 s).

The real `csdesk --db FILE` runs in a fresh interpreter with the start-up probe on; the moment
the first results are on screen it prints which modules are loaded. What only a menu or a
dialog needs (letters and their template engine, e-mail, insights and charts, imports, PDF)
is loaded when that menu is first used, and the features' shortcuts still answer their first
press: the UI tests drive every one of them with keys on windows built the same way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from csdesk.ui import app

shown = app._probe


def probe(window, started):
    window.search.results_shown.connect(
        lambda _q: print("modules=" + json.dumps(sorted(sys.modules)), flush=True))
    shown(window, started)


app._probe = probe
from csdesk.cli import main
main(sys.argv[1:])
"""

NOT_AT_START = (
    "jinja2",
    "csdesk.services.letters",
    "csdesk.services.mail_build",
    "csdesk.services.mail_transport",
    "smtplib",
    "csdesk.services.insights",
    "csdesk.services.insight_data",
    "csdesk.ui.widgets.insights_view",
    "csdesk.render.qt",
    "csdesk.render.charts",
    "csdesk.services.importing",
    "csdesk.ui.dialogs.import_dialog",
    "csdesk.services.demo",
    "csdesk.ui.dialogs.first_run",
    "csdesk.ui.dialogs.customer_form",
    "csdesk.services.privacy",
    "csdesk.services.backup",
)


def test_the_first_results_load_no_menu_only_module(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    db = tmp_path / "shop.db"
    subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db), "demo", "--customers", "30"],
        check=True, capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", str(db)],
        capture_output=True, text=True, timeout=120,
        env={**env, "CSDESK_STARTUP_PROBE": "1"},
    )  # fmt: skip
    lines = [x for x in result.stdout.splitlines() if x.startswith("modules=")]
    assert lines, result.stdout + result.stderr
    modules = set(json.loads(lines[0].removeprefix("modules=")))
    assert "csdesk.ui.main_window" in modules and "csdesk.services.search" in modules
    assert "startup-probe" in result.stdout and "usable=True" in result.stdout
    loaded = sorted(m for m in NOT_AT_START if m in modules)
    assert loaded == [], loaded
