"""The command line imports only what a command uses (issue 17): a softphone runs `csdesk call`
as the phone rings, and `--version` or a search should not pay for Qt or the whole house.

Each case runs the real CLI in a fresh interpreter and reads back which modules it loaded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from csdesk.ui import socket_guard

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("PySide6", "shiboken6", "sqlite_utils", "sqlite3", "phonenumbers", "jinja2")

# Runs the CLI, then (at exit, whatever the exit code) prints the top-level packages it loaded.
PROBE = """
import atexit, json, sys
atexit.register(lambda: print("modules=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules}
    | {m for m in sys.modules if m.startswith("csdesk.")})), file=sys.stderr))
from csdesk.cli import main
main(sys.argv[1:])
"""


def loaded(args: list[str], env_extra: dict[str, str] | None = None) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", **(env_extra or {})}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120
    )
    lines = [x for x in result.stderr.splitlines() if x.startswith("modules=")]
    assert lines, result.stderr
    line = lines[0]
    return set(json.loads(line.removeprefix("modules=")))


def test_version_imports_no_qt_and_no_database(tmp_path: Path) -> None:
    modules = loaded(["--db", str(tmp_path / "x.db"), "--version"])
    assert "click" in modules  # the probe really saw the CLI's imports
    assert not modules & set(HEAVY), modules & set(HEAVY)
    assert "csdesk.services.desk" not in modules


def test_search_imports_no_qt(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", db, "demo", "--customers", "5"],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    modules = loaded(["--db", db, "search", "a"])
    assert "sqlite_utils" in modules  # it did search the database
    assert "PySide6" not in modules and "shiboken6" not in modules
    # Only the services a search uses are built (the Desk builds each on first use).
    assert "csdesk.services.search" in modules
    unused = {"csdesk.services.importing", "csdesk.services.demo", "csdesk.services.letters",
              "csdesk.services.outbox", "csdesk.services.insights", "jinja2"}  # fmt: skip
    assert not modules & unused, modules & unused


def test_opening_a_database_looks_for_no_sqlite_utils_plugins(tmp_path: Path) -> None:
    # pluggy scans every installed package for them (~100 ms of each start), and a plugin
    # installed for something else must not change csdesk's connections.
    probe = (
        "import sys; from pathlib import Path; import sqlite_utils.plugins as p;"
        "from csdesk.services.desk import Desk; d = Desk.open(Path(sys.argv[1]));"
        "d.search.search('a'); print('loaded', p._plugins_loaded)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "x.db")], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert out.strip() == "loaded False"


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "t"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile caches the folder it found
    return folder


@pytest.fixture
def window_socket(private_tmp: Path, tmp_path: Path) -> Iterator[tuple[Path, list[bytes]]]:
    """A listener where the window's socket would be, answering like a window that showed the
    caller (the window's own side is tested in tests/ui/test_caller.py)."""
    db = tmp_path / "shop.db"
    name = socket_guard.server_name(db)
    socket_guard.prepare(name, create=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(name)
    listener.listen(1)
    heard: list[bytes] = []

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            heard.append(conn.recv(4096))
            conn.sendall(b'{"v": 1, "ok": true, "shown": "customer"}\n')

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield db, heard
    finally:
        listener.close()
        os.unlink(name)


def test_call_to_a_running_window_imports_no_qt_and_no_database(
    window_socket: tuple[Path, list[bytes]], private_tmp: Path
) -> None:
    db, heard = window_socket
    modules = loaded(["--db", str(db), "call", "tel:+15550104477", "--json"], {"TMPDIR": str(private_tmp)})
    assert heard and json.loads(heard[0]) == {"v": 1, "action": "call", "number": "+15550104477"}
    assert not modules & set(HEAVY), modules & set(HEAVY)
    assert "csdesk.services.desk" not in modules and "csdesk.domain" not in modules
