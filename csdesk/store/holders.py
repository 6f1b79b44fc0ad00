"""Which other processes have the database open: a restore must not replace, and nothing may
rename, a file another csdesk is still writing to.

SQLite itself cannot tell: in WAL mode a reader holds no lock a second connection can test
without disturbing it (POSIX locks are per process, and closing any descriptor of a file drops
all of this process's locks on it, SQLite's included). So we look from outside: every process's
open files (/proc/PID/fd) and every lock on the file (/proc/locks, which also shows processes of
other users whose descriptors we may not read). Linux only; elsewhere `None` means "cannot
tell", and callers fall back on SQLite's write lock alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Holder:
    pid: int  # -1: a lock whose owner the kernel does not name (an open-file-description lock)
    command: str  # what it is, for the message: "csdesk import big.csv", or "" if unknown

    def describe(self) -> str:
        if self.pid < 0:
            return "another program"
        return f"process {self.pid}" + (f": {self.command}" if self.command else "")


def _inodes(db_path: Path) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            st = os.stat(str(db_path) + suffix)
        except OSError:
            continue
        found.add((st.st_dev, st.st_ino))
    return found


def _command(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    parts = [p.decode(errors="replace") for p in raw.split(b"\0") if p]
    if not parts:
        return ""
    # "python -m csdesk import x" or ".../bin/csdesk import x": show the program's own name
    words = [Path(parts[0]).name, *parts[1:]]
    if words[0].startswith("python") and len(words) > 1:
        words = words[1:]
        if words[0] == "-m" and len(words) > 1:
            words = words[1:]
        words[0] = Path(words[0]).name
    text = " ".join(words)
    return text if len(text) <= 80 else text[:77] + "..."


def _open_by(pids: set[int], inodes: set[tuple[int, int]]) -> None:
    me = os.getpid()
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue  # gone, or another user's: /proc/locks still shows its locks
        for fd in fds:
            try:
                st = fd.stat()
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in inodes:
                pids.add(int(entry.name))
                break


def _locked_by(pids: set[int], inodes: set[tuple[int, int]]) -> None:
    try:
        text = (PROC / "locks").read_text()
    except OSError:
        return
    wanted = {(os.major(dev), os.minor(dev), ino) for dev, ino in inodes}
    me = os.getpid()
    for line in text.splitlines():
        # "1: POSIX  ADVISORY  READ 1234 08:01:393220 128 128" (blocked waiters start with "->")
        parts = line.split()
        if len(parts) < 6 or "->" in parts[:2]:
            continue
        try:
            pid = int(parts[4])
            major, minor, ino = parts[5].split(":")
            key = (int(major, 16), int(minor, 16), int(ino))
        except ValueError:
            continue
        if key in wanted and pid != me:
            pids.add(pid)


def other_holders(db_path: Path) -> list[Holder] | None:
    """Other processes that have the database (or its -wal/-shm) open or locked.

    [] when none; None when this system cannot tell (no /proc).
    """
    if not (PROC / "self" / "fd").is_dir():
        return None
    inodes = _inodes(db_path)
    if not inodes:
        return []
    pids: set[int] = set()
    _open_by(pids, inodes)
    _locked_by(pids, inodes)
    return [Holder(pid, _command(pid) if pid > 0 else "") for pid in sorted(pids)]
