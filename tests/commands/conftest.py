"""Fixtures the command tests share."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from csdesk.ui import socket_guard


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A shop's book that exists, as `csdesk init` leaves it: a command other than demo, import
    and restore refuses a --db where there is none (a typo must not start an empty book)."""
    from csdesk.services.desk import Desk

    path = tmp_path / "csdesk.db"
    Desk.open(path).close()
    return path


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
    listener.listen(4)
    heard: list[bytes] = []

    def answer() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # closed: the test is over
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
