"""The client end of the call socket, without Qt (Unix), so `csdesk call` starts fast.

A softphone runs `csdesk call NUMBER` as the phone rings; importing PySide6 alone took longer than
the window needs to show the caller. On Unix the window's QLocalServer is a plain Unix socket, so
the standard library speaks to it directly, with the same checks as before (socket_guard: the
private folder, the socket file's owner, the peer's user id). Windows' named pipes still go
through Qt (csdesk.ui.single_instance.send, which uses this module on Unix).

The protocol and its answers are the ones described in csdesk.ui.single_instance.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

from csdesk.ui import socket_guard as guard
from csdesk.ui.socket_guard import UnsafeSocket

PROTOCOL = 1
MAX_ANSWER = 64 * 1024
BUSY = "csdesk is running but did not answer in time (it may be busy). Try again in a moment."


def send(name: str, message: dict[str, Any], timeout_ms: int = 3000) -> dict[str, Any] | None:
    """Send one request and wait for the answer. None when no window listens under `name`;
    {"ok": false, "busy": true, ...} when one does but does not answer. Raises UnsafeSocket when
    the socket is not this user's."""
    if not guard.UNIX or not os.path.isabs(name):
        raise ValueError(f"not a Unix socket path: {name} (Windows: single_instance.send)")
    connected = _connect(name, min(timeout_ms, 1000) / 1000)
    if connected is None:
        return None
    if isinstance(connected, str):
        return {"ok": False, "busy": True, "error": BUSY}
    with connected:
        try:
            connected.settimeout(timeout_ms / 1000)
            connected.sendall(json.dumps({"v": PROTOCOL, **message}).encode("utf-8") + b"\n")
            data = _read_line(connected)
        except OSError:
            data = b""
    if b"\n" not in data:
        return {"ok": False, "busy": True, "error": BUSY}
    try:
        answer = json.loads(data.split(b"\n", 1)[0])
    except (ValueError, RecursionError):
        return {"ok": False, "error": "csdesk answered something unexpected."}
    if not isinstance(answer, dict):
        return {"ok": False, "error": "csdesk answered something unexpected."}
    return answer


def _connect(name: str, timeout_s: float) -> socket.socket | str | None:
    """A socket connected to a window of this user; None when nobody listens; "busy" when
    something listens but does not take the connection in time. Raises UnsafeSocket."""
    if not guard.prepare(name, create=False):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout_s)
    try:
        sock.connect(name)
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None  # no socket file, or one left behind by a csdesk that is gone
    except OSError:
        sock.close()  # a full backlog (timeout, EAGAIN): someone is there but not taking calls
        return "busy"
    uid = guard.peer_uid(sock.fileno())
    if uid is not None and uid != guard.my_uid():
        sock.close()
        raise UnsafeSocket(
            f"The call socket {name} is answered by another user's program, not your csdesk. "
            "Ask whoever looks after this computer to look into it."
        )
    return sock


def _read_line(sock: socket.socket) -> bytes:
    """Bytes up to the first newline (or MAX_ANSWER); each wait for more lasts up to the socket's
    timeout, like QLocalSocket.waitForReadyRead, so a slow but live answer is still read."""
    data = b""
    while b"\n" not in data and len(data) <= MAX_ANSWER:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            break
        if not chunk:
            break
        data += chunk
    return data
