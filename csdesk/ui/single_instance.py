"""One csdesk window per user and database, reachable over a local socket.

`csdesk call NUMBER` (and a second plain `csdesk`) connect to the running window's QLocalServer
and send one JSON line; the window answers with one JSON line. Protocol version 1:

  -> {"v": 1, "action": "call", "number": "+1555…"}  <- {"v": 1, "ok": true, "shown": "customer"}
  -> {"v": 1, "action": "raise"}                      <- {"v": 1, "ok": true, "shown": "window"}
  -> {"v": 1, "action": "ping"}                       <- {"v": 1, "ok": true, "shown": "nothing",
                                                          "pid": 123, "locked": false}

shown: customer (one match opened), picker (several), new (the new-customer form), window,
locked (the window is locked: the caller shows right after sign-in), nothing. A request without
"v" is read as version 1 (the first csdesk with this socket sent none). Anything the window cannot
use gets {"ok": false, "error": "..."}; it never goes unanswered.

Bounds, because any process of this user can connect: a request line is at most MAX_REQUEST
bytes, a connection that sends no full line within IDLE_MS is answered and closed, and at most
MAX_CONNECTIONS are open at once (a new one makes the oldest be answered "busy" and closed), so a
flood of connections can neither use up the window's file descriptors or memory nor keep out a
real request, which writes its line as soon as it connects.

Where the socket lives and who may connect: csdesk/ui/socket_guard.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from csdesk.ui import call_client
from csdesk.ui import socket_guard as guard
from csdesk.ui.call_client import BUSY, MAX_ANSWER, PROTOCOL
from csdesk.ui.socket_guard import UnsafeSocket

__all__ = ["PROTOCOL", "InstanceServer", "UnsafeSocket", "parse_request", "send", "server_name"]

MAX_REQUEST = 1024  # a phone number and an action name; anything longer is not from us
MAX_NUMBER = 64
IDLE_MS = 3000
MAX_CONNECTIONS = 8
ACTIONS = ("call", "raise", "ping")
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def server_name(db_path: Path | str) -> str:
    return guard.server_name(db_path)


def _connect(name: str, timeout_ms: int) -> QLocalSocket | str:
    """A socket connected to a window of this user, or why not: "absent" (nobody listens) or
    "busy" (something listens but does not take the connection). Raises UnsafeSocket."""
    if not guard.prepare(name, create=False):
        return "absent"
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        gone = (
            QLocalSocket.LocalSocketError.ServerNotFoundError,
            QLocalSocket.LocalSocketError.ConnectionRefusedError,
        )
        return "absent" if socket.error() in gone else "busy"
    uid = guard.peer_uid(int(socket.socketDescriptor()))
    if uid is not None and uid != guard.my_uid():
        socket.abort()
        raise UnsafeSocket(
            f"The call socket {name} is answered by another user's program, not your csdesk. "
            "Ask whoever looks after this computer to look into it."
        )
    return socket


def send(name: str, message: dict[str, Any], timeout_ms: int = 3000) -> dict[str, Any] | None:
    """Send one request and wait for the answer. None when no window listens under `name`;
    {"ok": false, "busy": true, ...} when one does but does not answer. Raises UnsafeSocket when
    the socket is not this user's. On Unix the standard library's socket does it (call_client,
    no Qt needed: `csdesk call` uses it directly); Windows' named pipes need QLocalSocket."""
    if guard.UNIX and os.path.isabs(name):  # a bare name is Qt's: a file in Qt's temp folder
        return call_client.send(name, message, timeout_ms)
    socket = _connect(name, min(timeout_ms, 1000))
    if socket == "absent":
        return None
    if isinstance(socket, str):
        return {"ok": False, "busy": True, "error": BUSY}
    socket.write(QByteArray(json.dumps({"v": PROTOCOL, **message}).encode("utf-8") + b"\n"))
    socket.flush()
    data = b""
    while b"\n" not in data and len(data) <= MAX_ANSWER:
        if not socket.waitForReadyRead(timeout_ms):
            break
        data += bytes(socket.readAll().data())
    socket.abort()
    if b"\n" not in data:
        return {"ok": False, "busy": True, "error": BUSY}
    try:
        answer = json.loads(data.split(b"\n", 1)[0])
    except (ValueError, RecursionError):
        return {"ok": False, "error": "csdesk answered something unexpected."}
    if not isinstance(answer, dict):
        return {"ok": False, "error": "csdesk answered something unexpected."}
    return answer


def parse_request(data: bytes) -> dict[str, Any]:
    """A request line as a dict, or an {"error": ...} the server sends straight back."""
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"error": "not a JSON line"}
    except RecursionError:  # "[[[[…": nesting deeper than Python's parser goes
        return {"error": "not a request csdesk understands (nested too deep)"}
    if not isinstance(message, dict):
        return {"error": "unknown action"}
    version = message.get("v", 1)
    if version != PROTOCOL:
        return {
            "error": f"this csdesk speaks version {PROTOCOL} of the call protocol, not "
            f"{str(version)[:20]}: use the same csdesk for the window and the command"
        }
    if message.get("action") not in ACTIONS:
        return {"error": "unknown action"}
    if message["action"] == "call":
        number = message.get("number")
        if not isinstance(number, str):
            return {"error": "a call needs a number"}
        if len(number) > MAX_NUMBER:
            return {"error": "that number is too long"}
    return message


class InstanceServer(QObject):
    """Listens under `name` and answers each request line with handler(request)."""

    handled = Signal(dict, dict)  # request, answer: for tests and the log

    def __init__(
        self,
        name: str,
        handler: Handler,
        parent: QObject | None = None,
        *,
        idle_ms: int = IDLE_MS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("instanceServer")
        self.name = name
        self.idle_ms = idle_ms
        self.max_connections = max_connections
        self.refused = 0  # connections from another user, dropped unanswered
        self._handler = handler
        self._server = QLocalServer(self)
        # Only this user may connect (Unix: socket file mode 0700; Windows: the user's SID).
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    @staticmethod
    def check(name: str) -> None:
        """Raise UnsafeSocket when `name`'s folder or socket file is not this user's alone."""
        guard.prepare(name, create=True)

    def listen(self) -> bool:
        """Start listening. False when a window already owns the name (answering or busy: a
        live socket is never taken over). Raises UnsafeSocket when the folder or the socket
        file is someone else's."""
        guard.prepare(self.name, create=True)
        if send(self.name, {"action": "ping"}, timeout_ms=500) is not None:
            return False
        # A socket file left behind by a csdesk that crashed: nobody listens, so take it over.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()
        for socket in list(self._buffers):
            socket.abort()

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    @property
    def connections(self) -> int:
        """Connections open now (waiting for their request line)."""
        return len(self._buffers)

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is None:
                return
            uid = guard.peer_uid(int(socket.socketDescriptor()))
            if uid is not None and uid != guard.my_uid():
                self.refused += 1  # another user: not a word back
                socket.abort()
                socket.deleteLater()
                continue
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            if len(self._buffers) >= self.max_connections:
                # The oldest has had longest to say something: it goes, so that a flood of idle
                # connections cannot keep a real call (which writes at once) out.
                oldest = next(iter(self._buffers))
                self._answer(oldest, {}, {"ok": False, "error": "csdesk is busy: try again in a moment"})
            self._buffers[socket] = b""
            idle = QTimer(socket)
            idle.setSingleShot(True)
            idle.timeout.connect(lambda s=socket: self._idle(s))
            idle.start(self.idle_ms)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _idle(self, socket: QLocalSocket) -> None:
        if socket in self._buffers:
            self._answer(socket, {}, {"ok": False, "error": "no request arrived in time"})

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.read(MAX_REQUEST + 1).data())
        if b"\n" not in data:
            if len(data) > MAX_REQUEST:
                self._answer(socket, {}, {"ok": False, "error": "request too long"})
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        request = parse_request(line) if len(line) <= MAX_REQUEST else {"error": "request too long"}
        if "error" in request:
            self._answer(socket, request, {"ok": False, "error": request["error"]})
            return
        try:
            answer = self._handler(request)
        except Exception as exc:  # the caller must always get an answer, never a hang
            answer = {"ok": False, "error": f"csdesk could not show the caller: {exc}"}
        self._answer(socket, request, answer)

    def _answer(self, socket: QLocalSocket, request: dict[str, Any], answer: dict[str, Any]) -> None:
        self._buffers.pop(socket, None)
        self._reply(socket, answer)
        self.handled.emit(request, answer)

    def _reply(self, socket: QLocalSocket, answer: dict[str, Any]) -> None:
        socket.write(QByteArray(json.dumps({"v": PROTOCOL, **answer}).encode("utf-8") + b"\n"))
        socket.flush()
        socket.disconnectFromServer()  # emits disconnected (then _drop) once the answer is out
