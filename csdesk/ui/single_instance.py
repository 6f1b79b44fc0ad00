"""One csdesk window per user and database, reachable over a local socket.

`csdesk call NUMBER` (and a second plain `csdesk`) connect to the running window's QLocalServer
and send one JSON line; the window answers with one JSON line:

  -> {"action": "call", "number": "+15550104477"}   <- {"ok": true, "shown": "customer"}
  -> {"action": "raise"}                             <- {"ok": true, "shown": "window"}
  -> {"action": "ping"}                              <- {"ok": true, "shown": "nothing", "pid": 123}

shown: customer (one match opened), picker (several), new (the new-customer form), window, nothing.
A request the window cannot use gets {"ok": false, "error": "..."}.

The server name holds the user name and a hash of the database path, so two people on one
computer, or one person with two databases, never reach each other's window.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

MAX_REQUEST = 4096  # a phone number and an action name; anything longer is not from us
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def _user() -> str:
    try:
        name = getpass.getuser()
    except Exception:  # no user name in the environment (some services): fall back to the uid
        name = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return "".join(ch for ch in name if ch.isalnum() or ch in "-_")[:32] or "user"


def server_name(db_path: Path) -> str:
    """Per user and per database; short enough for a Unix socket path."""
    try:
        resolved = str(Path(db_path).expanduser().resolve())
    except OSError:
        resolved = str(Path(db_path).absolute())
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"csdesk-{_user()}-{digest}"


def send(name: str, message: dict[str, Any], timeout_ms: int = 3000) -> dict[str, Any] | None:
    """Send one request and wait for the answer; None when no window listens under `name`."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(min(timeout_ms, 1000)):
        return None
    socket.write(QByteArray(json.dumps(message).encode("utf-8") + b"\n"))
    socket.flush()
    data = b""
    while b"\n" not in data:
        if not socket.waitForReadyRead(timeout_ms):
            break
        data += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    if b"\n" not in data:
        return {"ok": False, "error": "csdesk is running but did not answer in time."}
    try:
        answer = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        return {"ok": False, "error": "csdesk answered something unexpected."}
    return answer if isinstance(answer, dict) else {"ok": False, "error": "unexpected answer"}


def parse_request(data: bytes) -> dict[str, Any]:
    """A request line as a dict, or an {"error": ...} the server sends straight back."""
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"error": "not a JSON line"}
    if not isinstance(message, dict) or message.get("action") not in ("call", "raise", "ping"):
        return {"error": "unknown action"}
    if message["action"] == "call" and not isinstance(message.get("number"), str):
        return {"error": "a call needs a number"}
    return message


class InstanceServer(QObject):
    """Listens under `name` and answers each request line with handler(request)."""

    handled = Signal(dict, dict)  # request, answer: for tests and the log

    def __init__(self, name: str, handler: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("instanceServer")
        self.name = name
        self._handler = handler
        self._server = QLocalServer(self)
        # Only this user may connect (Unix: socket file mode 0700-like; Windows: the user's SID).
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening. False when another live window already owns the name."""
        # Ask first: on Unix, Qt's listen() may quietly take the name from a live server.
        if send(self.name, {"action": "ping"}, timeout_ms=500) is not None:
            return False
        # A socket file left behind by a csdesk that crashed: nobody answers, so take it over.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is None:
                return
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
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
        socket.write(QByteArray(json.dumps(answer).encode("utf-8") + b"\n"))
        socket.flush()
        socket.disconnectFromServer()
        self.handled.emit(request, answer)
