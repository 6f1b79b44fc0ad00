"""The call socket against the same user's programs misbehaving (issue 14.8): real sockets."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer
from csdesk.ui.caller import handle_request
from csdesk.ui.main_window import MainWindow
from csdesk.ui.single_instance import InstanceServer, send, server_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR for csdesk here and in its subprocesses, so the test's sockets are its own."""
    folder = tmp_path / "t"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)
    return folder


@pytest.fixture
def server(
    window: MainWindow, known: dict[str, Customer], private_tmp: Path, db_path: Path
) -> Iterator[InstanceServer]:
    srv = InstanceServer(
        server_name(db_path),
        lambda request: handle_request(window, request),
        window,
        idle_ms=60_000,  # idleness is not what most tests here are about (a loaded machine is slow)
        max_connections=4,
    )
    assert srv.listen()
    yield srv
    srv.close()


def raw(server: InstanceServer) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(server.name)
    s.setblocking(False)
    return s


def answer_of(qtbot: QtBot, s: socket.socket) -> dict[str, object]:
    """Wait (serving the Qt loop) until the window's one answer line has arrived."""
    data = bytearray()

    def arrived() -> bool:
        try:
            chunk = s.recv(4096)
        except BlockingIOError:
            return False
        data.extend(chunk)
        return b"\n" in data or not chunk

    qtbot.waitUntil(arrived, timeout=5000)
    assert b"\n" in data, bytes(data)
    return dict(json.loads(bytes(data).split(b"\n")[0]))


def open_sockets() -> int:
    """This process's socket descriptors (database files and threads come and go as they like)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the descriptor listdir itself used is gone
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


def test_idle_connections_are_answered_and_closed(qtbot: QtBot, server: InstanceServer) -> None:
    server.idle_ms = 300  # for connections accepted from now on
    before = open_sockets()
    idle = [raw(server) for _ in range(4)]
    for s in idle:
        assert answer_of(qtbot, s)["error"] == "no request arrived in time"
    qtbot.waitUntil(lambda: server.connections == 0, timeout=5000)
    for s in idle:
        s.close()
    # the window's ends are gone too: no descriptor stays behind for a connection that went quiet
    qtbot.waitUntil(lambda: open_sockets() <= before, timeout=5000)


def test_a_flood_of_idle_connections_cannot_keep_a_call_out(
    qtbot: QtBot, server: InstanceServer, window: MainWindow, known: dict[str, Customer]
) -> None:
    held = [raw(server) for _ in range(4)]
    qtbot.waitUntil(lambda: server.connections == 4, timeout=5000)
    extra = [raw(server) for _ in range(20)]
    for s in [*held, *extra[:16]]:  # each newcomer pushes the oldest out: told busy, closed
        assert "busy" in str(answer_of(qtbot, s)["error"])
    assert server.connections <= 4
    # a real call during the flood (it writes at once) gets in and is answered
    s = raw(server)
    s.sendall(json.dumps({"v": 1, "action": "call", "number": "+15550104477"}).encode() + b"\n")
    assert answer_of(qtbot, s) == {"v": 1, "ok": True, "shown": "customer"}
    shown = window.customer_view.customer
    assert shown is not None and shown.id == known["jose"].id
    for c in [*held, *extra]:
        c.close()
    qtbot.waitUntil(lambda: server.connections == 0, timeout=5000)


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"[" * 1000 + b"\n", "nested too deep"),  # within the size bound, beyond Python's parser
        (b"[" * 3000 + b"\n", "request too long"),
        (b'{"v": 2, "action": "ping"}\n', "version 1 of the call protocol"),
        (b'{"v": "1", "action": "ping"}\n', "version 1 of the call protocol"),
        (b'{"action": "call", "number": "' + b"5" * 500 + b'"}\n', "too long"),
    ],
)
def test_malformed_requests_get_an_error_answer(
    qtbot: QtBot, server: InstanceServer, payload: bytes, error: str
) -> None:
    s = raw(server)
    s.sendall(payload)
    answer = answer_of(qtbot, s)
    assert answer["ok"] is False and error in str(answer["error"]), answer
    assert answer["v"] == 1


def test_a_request_without_a_version_is_read_as_version_1(
    qtbot: QtBot, server: InstanceServer
) -> None:
    s = raw(server)
    s.sendall(b'{"action": "ping"}\n')
    answer = answer_of(qtbot, s)
    assert answer["ok"] is True and answer["pid"] == os.getpid()


def full_listener(path: str) -> tuple[socket.socket, list[socket.socket]]:
    """A live socket that takes no connections any more: a window at its descriptor limit."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(0)
    queued = []
    while True:  # fill the kernel's backlog
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(path)
        except BlockingIOError:
            s.close()
            break
        queued.append(s)
    return listener, queued


def test_a_live_but_full_socket_is_never_taken_over(
    private_tmp: Path, db_path: Path, qtbot: QtBot
) -> None:
    name = server_name(db_path)
    InstanceServer.check(name)  # makes the private folder
    listener, queued = full_listener(name)
    inode = os.stat(name).st_ino
    try:
        answer = send(name, {"action": "ping"}, timeout_ms=500)
        assert answer is not None and answer["busy"] is True  # busy, not "nobody is running"
        second = InstanceServer(name, lambda r: {"ok": True})
        assert second.listen() is False
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
        result = subprocess.run(
            [sys.executable, "-m", "csdesk", "--db", str(db_path), "call", "+15550104477", "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 1, result
        assert "did not answer in time" in result.stderr
        assert result.stdout == ""  # the error is said once, on stderr
        # no second window started and took the name: the socket is still the live one
        assert os.stat(name).st_ino == inode
    finally:
        for s in queued:
            s.close()
        listener.close()
        os.unlink(name)
