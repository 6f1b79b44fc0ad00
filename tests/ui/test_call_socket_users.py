"""The call socket against another local OS user (issue 14.7).

As root the attacker really is another user (`nobody`, via subprocess's user=, i.e. setuid in the
forked child); as anyone else it is the same user working through a world-writable folder, which
csdesk must refuse just the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer
from csdesk.ui.caller import handle_request
from csdesk.ui.main_window import MainWindow
from csdesk.ui.single_instance import InstanceServer, server_name

ROOT = Path(__file__).resolve().parents[2]
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# The attacker runs the system's python: ours may live in a folder other users cannot enter.
ATTACKER_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
OTHER_USER: dict[str, object] = {"user": "nobody"} if AS_ROOT else {}

# Binds the socket csdesk would use, world-writable, answers every request "caller on screen"
# and writes down what it was told.
SQUATTER = r"""
import json, os, socket, sys
path, log = sys.argv[1], sys.argv[2]
folder = os.path.dirname(path)
if not os.path.isdir(folder):
    os.makedirs(folder)
    os.chmod(folder, 0o777)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
os.chmod(path, 0o777)
server.listen(8)
print("listening", flush=True)
while True:
    conn, _ = server.accept()
    data = conn.recv(4096)
    with open(log, "ab") as out:
        out.write(data)
    answer = {"ok": True, "shown": "customer", "pid": os.getpid(), "v": 1}
    conn.sendall(json.dumps(answer).encode() + b"\n")
    conn.close()
"""

# Connects to a socket path as another user and prints the answer (or what went wrong).
INTRUDER = r"""
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
try:
    s.connect(sys.argv[1])
    s.sendall(json.dumps({"v": 1, "action": "call", "number": "+15550104477"}).encode() + b"\n")
    data = b""
    while b"\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    print("answer:" + data.decode(errors="replace").strip())
except OSError as exc:
    print("error:" + type(exc).__name__)
"""


@pytest.fixture
def shared_tmp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A /tmp of our own (mode 1777, like /tmp) that both users reach; csdesk's TMPDIR."""
    base = Path("/tmp") / f"csdesk-shared-{uuid.uuid4().hex[:8]}"
    base.mkdir()
    base.chmod(0o1777)
    monkeypatch.setenv("TMPDIR", str(base))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile caches the folder it found
    yield base
    shutil.rmtree(base, ignore_errors=True)


def socket_path(name: str, tmp: Path) -> Path:
    """Where Qt puts a local server of this name (a bare name goes into the temp folder)."""
    return Path(name) if os.path.isabs(name) else tmp / name


def csdesk(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "csdesk", *args], capture_output=True, text=True, env=env, timeout=90
    )


def test_a_socket_planted_by_another_user_is_refused(shared_tmp: Path, db_path: Path) -> None:
    db_path.parent.chmod(0o755)  # pytest's folders are private; the squatter only needs the socket
    target = socket_path(server_name(db_path), shared_tmp)
    log = shared_tmp / f"squatter-{uuid.uuid4().hex[:6]}.log"
    squatter = subprocess.Popen(
        [ATTACKER_PYTHON, "-c", SQUATTER, str(target), str(log)],
        stdout=subprocess.PIPE,
        text=True,
        **OTHER_USER,  # type: ignore[call-overload]
    )
    try:
        assert squatter.stdout is not None and squatter.stdout.readline().strip() == "listening"
        env = {"TMPDIR": str(shared_tmp), "CSDESK_STARTUP_PROBE": "1"}
        env_call = {"TMPDIR": str(shared_tmp)}
        call = csdesk(["--db", str(db_path), "call", "+15550104477", "--json"], env_call)
        assert call.returncode == 1, (call.stdout, call.stderr)
        assert "belongs to" in call.stderr or "others can write" in call.stderr, call.stderr
        assert "Traceback" not in call.stderr
        assert call.stdout == ""  # the error is said once, on stderr
        # The window refuses to start behind it (and so never hands it a call either).
        window = csdesk(["--db", str(db_path)], env)
        assert window.returncode == 1, (window.stdout, window.stderr)
        assert "call socket" in window.stderr, window.stderr
        told = log.read_bytes() if log.exists() else b""
        assert b"5550104477" not in told and b"raise" not in told, told
    finally:
        squatter.kill()
        squatter.wait()


def test_a_connection_from_another_user_is_refused(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer], shared_tmp: Path
) -> None:
    """Even if the socket were reachable (here on purpose: mode 0777 in a shared folder), the
    window answers only its own user: the peer's user id is checked on every connection."""
    folder = shared_tmp / "open"
    folder.mkdir()
    folder.chmod(0o777)
    path = folder / "csdesk-test.sock"
    server = InstanceServer(str(path), lambda request: handle_request(window, request), window)
    try:
        server._server.listen(str(path))  # straight to Qt: skip csdesk's folder checks
        assert server.listening
        path.chmod(0o777)
        intruder = subprocess.Popen(
            [ATTACKER_PYTHON, "-c", INTRUDER, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **OTHER_USER,  # type: ignore[call-overload]
        )
        qtbot.waitUntil(lambda: intruder.poll() is not None, timeout=10000)
        out, err = intruder.communicate()
        assert intruder.returncode == 0, err
        if AS_ROOT:
            assert "\"ok\": true" not in out, out
            assert window.customer_view.customer is None
            assert server.refused >= 1
        else:
            # the same user may connect: it is their window
            assert '"ok": true' in out
    finally:
        server.close()
