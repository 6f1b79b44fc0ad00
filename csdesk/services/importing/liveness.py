"""Is the process that started an import still running it? An OS lock on a small file says.

A batch row says 'running' from its first commit to its last. If the process is killed, the disk
fills or the power goes, nothing changes the row again, so the row alone cannot tell a running
import from a dead one. The importing process therefore holds an exclusive lock on a file named
after the batch's token for as long as it imports; the kernel drops the lock when the process
ends, however it ends. Another process (the next start of the window or of any command) that
can take the lock knows the import is dead.

flock() on POSIX: it conflicts between two opens of the same file even inside one process (a
worker thread's import and the window's own check), unlike fcntl record locks. msvcrt on Windows.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from types import TracebackType

from csdesk.errors import UserError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def new_token() -> str:
    return secrets.token_hex(8)


def lock_path(db_path: Path, token: str) -> Path:
    # Next to the database (same disk, same permissions), hidden, one per import.
    return db_path.with_name(f".{db_path.name}.import-{token}.lock")


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


class ImportLock:
    """Held by the importing process while it imports (created before the batch row commits)."""

    def __init__(self, db_path: Path | None, token: str) -> None:
        self.path = lock_path(db_path, token) if db_path is not None else None
        self._fd: int | None = None

    def __enter__(self) -> ImportLock:
        if self.path is not None:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise UserError(
                    f"Cannot write next to the database ({self.path.parent}): "
                    f"{exc.strerror or exc}; nothing was imported. Check that the folder is "
                    "writable and has free space, then import again."
                ) from exc
            if not _try_lock(fd):  # a fresh random name: nobody else can hold it
                os.close(fd)
                raise UserError(f"Cannot lock {self.path}; nothing was imported. Try again.")
            self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None and self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def is_alive(db_path: Path | None, token: str) -> bool:
    """True while some process holds the import's lock. A database without a file (tests'
    in-memory ones) has only this process, so its 'running' imports are alive."""
    if db_path is None:
        return True
    if not token:
        return False  # started by a csdesk without locks: nothing can still be running it
    path = lock_path(db_path, token)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell (permissions): do not declare someone else's import dead
    try:
        if not _try_lock(fd):
            return True
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        path.unlink()  # its owner is gone; the file is litter now
    return False
