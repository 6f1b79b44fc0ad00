"""A loopback TCP proxy between csdesk and a test's PostgreSQL server, to pull the cable on
command: `hold()` stops forwarding in both directions WITHOUT closing a socket (as a cable
pulled, a VPN that stopped, a machine frozen: no error reaches either side, the bytes just stop),
`resume()` forwards again (bytes held meanwhile then flow). New connections made while held are
accepted and also held: their start-up waits like everything else.

`hold_at(marker)` holds from the moment a client sends `marker` (say, a COMMIT), that chunk
included. `lose_commit_reply(marker)` and `lose_commit(marker)` cut one connection exactly around its
COMMIT: the connection that sent `marker` (e.g. b"INSERT INTO notes") has its next COMMIT
forwarded and the server's answer thrown away (the write committed, the client never hears it),
or the COMMIT itself thrown away (the server sees the client vanish mid-transaction). Both close
the client's side at once, so the client meets "server closed the connection".

Loopback only; a thread per direction per connection; for tests, not for speed.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.pg_cluster import PgCluster

TICK_S = 0.05


class _Cut:
    def __init__(self, marker: bytes, *, forward: bool) -> None:
        self.marker = marker
        self.forward = forward
        self.done = threading.Event()


class _Pair:
    def __init__(self, proxy: NetProxy, client: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = socket.create_connection(("127.0.0.1", proxy.upstream_port))
        self.closed = threading.Event()
        self.marked = False  # sent the armed cut's marker: its next COMMIT is cut
        self.cutting = False  # the client is gone: the server's answer is read and dropped
        self.answered = threading.Event()  # ... and it came (ReadyForQuery)
        for src, dst, up in ((client, self.server, True), (self.server, client, False)):
            threading.Thread(target=self._pump, args=(src, dst, up), daemon=True).start()

    def close(self) -> None:
        self.closed.set()
        for s in (self.client, self.server):
            with contextlib.suppress(OSError):
                s.close()

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        try:
            while not self.closed.is_set():
                if self.proxy.holding.is_set():
                    time.sleep(TICK_S)  # not reading: the kernel's buffers fill, nobody is told
                    continue
                ready, _, _ = select.select([src], [], [], TICK_S)
                if not ready:
                    continue
                data = src.recv(65536)
                if not data:
                    break
                if up and self.proxy.hold_marker and self.proxy.hold_marker in data:
                    self.proxy.hold_marker = None
                    self.proxy.holding.set()  # this chunk too: held before it is forwarded
                while self.proxy.holding.is_set() and not self.closed.is_set():
                    time.sleep(TICK_S)  # read just as the hold began: held like the rest
                if up and self._cut_here(data):
                    return
                if not up and self.cutting:
                    if b"Z" in data:
                        self.answered.set()
                    continue
                dst.sendall(data)
        except OSError:
            pass
        self.close()

    def _cut_here(self, data: bytes) -> bool:
        cut = self.proxy.cut
        if cut is None or cut.done.is_set():
            return False
        if cut.marker in data:
            self.marked = True
            return False
        if not (self.marked and b"COMMIT" in data):
            return False
        # The client's side goes first: whatever the server answers now is never heard.
        self.cutting = True
        with contextlib.suppress(OSError):
            self.client.shutdown(socket.SHUT_RDWR)
        self.client.close()
        if cut.forward:
            self.server.sendall(data)
            # The server's answer is read (and dropped, by the other pump) before the server's
            # side closes, so the server surely read the COMMIT: a close with unread data
            # would be a reset, which may reach it first.
            self.answered.wait(5)
        self.closed.set()
        with contextlib.suppress(OSError):
            self.server.close()
        cut.done.set()
        return True


class NetProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.holding = threading.Event()
        self.cut: _Cut | None = None
        self.hold_marker: bytes | None = None
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._pairs: list[_Pair] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, server_url: str) -> str:
        """The same database through this proxy (a tcp URL of PgCluster's, host 127.0.0.1)."""
        return server_url.replace(f"127.0.0.1:{self.upstream_port}", f"127.0.0.1:{self.port}")

    def _accept(self) -> None:
        self._listener.settimeout(TICK_S)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._pairs.append(_Pair(self, client))

    def hold(self) -> None:
        self.holding.set()
        time.sleep(3 * TICK_S)  # every pump has seen it: nothing sent from now on gets through

    def hold_at(self, marker: bytes) -> None:
        """Hold everything from the moment a client sends `marker` (that chunk not forwarded)."""
        self.hold_marker = marker

    def resume(self) -> None:
        self.holding.clear()

    def lose_commit_reply(self, marker: bytes) -> threading.Event:
        """The next COMMIT of the connection that sends `marker` reaches the server; its answer
        does not reach the client. Returns an Event set once it happened."""
        self.cut = _Cut(marker, forward=True)
        return self.cut.done

    def lose_commit(self, marker: bytes) -> threading.Event:
        """The next COMMIT of the connection that sends `marker` never reaches the server."""
        self.cut = _Cut(marker, forward=False)
        return self.cut.done

    def close(self) -> None:
        self._stop.set()
        self.holding.clear()
        with contextlib.suppress(OSError):
            self._listener.close()
        for pair in self._pairs:
            pair.close()


@contextlib.contextmanager
def proxied_database(cluster: PgCluster) -> Iterator[tuple[str, str, NetProxy]]:
    """A fresh csdesk database on `cluster`: (its URL over the socket, its URL through a new
    proxy, the proxy); the proxy closed at the end."""
    from csdesk.services.server import init_server

    database = cluster.new_database()
    direct = cluster.url(database)
    init_server(direct)
    proxy = NetProxy(cluster.port)
    try:
        yield direct, proxy.url(cluster.tcp_url(database)), proxy
    finally:
        proxy.close()
