"""Flood the call socket as the issue's tester did (issue 14.8) and print what the window keeps.

    .venv/bin/python tests/benchmarks/bench_call_socket.py [CONNECTIONS]

Opens CONNECTIONS idle connections to a real InstanceServer (3 s idle timeout, cap 8), then
prints the server's open descriptors and resident memory during and after the flood, and how
long a real request takes while the flood is on.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import sys
import tempfile
import time

from PySide6.QtCore import QCoreApplication

from csdesk.ui.single_instance import InstanceServer


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def spin(app: QCoreApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1000), hard))
    app = QCoreApplication([])
    folder = tempfile.mkdtemp(prefix="csdesk-bench-")
    server = InstanceServer(os.path.join(folder, "s.sock"), lambda r: {"ok": True, "shown": "x"})
    assert server.listen()
    spin(app, 0.2)
    print(f"before: fds={fds()} rss={rss_mb():.1f} MB")
    clients = []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(server.name)
        except BlockingIOError:
            s.close()
            spin(app, 0.01)
            continue
        clients.append(s)
        if len(clients) % 100 == 0:
            spin(app, 0.001)
    spin(app, 0.5)
    own = fds() - len(clients)  # the flood's client ends are ours too: take them off
    print(f"flood of {len(clients)} idle connections: server fds={own} open={server.connections}"
          f" rss={rss_mb():.1f} MB")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    started = time.perf_counter()
    probe.connect(server.name)
    probe.sendall(json.dumps({"v": 1, "action": "ping"}).encode() + b"\n")
    probe.setblocking(False)
    data = b""
    while b"\n" not in data:
        spin(app, 0.001)
        with contextlib.suppress(BlockingIOError):
            data += probe.recv(4096)
    print(f"a request during the flood: {json.loads(data)} in "
          f"{(time.perf_counter() - started) * 1000:.1f} ms")
    for s in clients:
        s.close()
    spin(app, 4)
    print(f"after: fds={fds() - 1} open={server.connections} rss={rss_mb():.1f} MB")
    server.close()


if __name__ == "__main__":
    main()
