"""Where the call socket lives and who may talk to it (no Qt here, so it is easy to test).

A local socket is a door into the window: whoever can connect can put a number on screen, and
whoever can bind the name first receives every number and every "raise". So:

- On Unix the socket lives in a folder only this user can enter: `$XDG_RUNTIME_DIR/csdesk` when
  the session provides a private runtime folder, else `<tmp>/csdesk-<uid>`, created 0700. A
  folder that is not ours, is a symlink, or that others can write to is refused, never "fixed":
  someone else made it, so the socket in it may be theirs.
- Each connection's peer is asked for its user id (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS
  and the BSDs); another user's connection is dropped, on both ends (the window checks who
  called, `csdesk call` checks who answered).
- On Windows the name is a named pipe; Qt's UserAccessOption gives it an ACL for this user's SID
  only. Python cannot ask a pipe for its peer's SID without win32 calls, so there we rely on that
  ACL and on the user name in the pipe's name.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import stat
import struct
import sys
from pathlib import Path

from csdesk.errors import UserError

UNIX = os.name == "posix"
# sockaddr_un holds 108 bytes on Linux, 104 on macOS: stay below both
MAX_SOCKET_PATH = 100


class UnsafeSocket(UserError):
    """The call socket's folder or file belongs to someone else, or others can write to it."""


def my_uid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def _owner(uid: int) -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name}"
    except (ImportError, KeyError):
        return f"user id {uid}"


def _user() -> str:
    try:
        name = getpass.getuser()
    except Exception:  # no user name in the environment (some services): fall back to the uid
        name = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return "".join(ch for ch in name if ch.isalnum() or ch in "-_")[:32] or "user"


def _digest(db_path: Path | str) -> str:
    if isinstance(db_path, str):  # a server: one window per user and server database
        from csdesk.services.server_target import shown

        return hashlib.sha256(("server:" + shown(db_path)).encode()).hexdigest()[:16]
    try:
        resolved = str(Path(db_path).expanduser().resolve())
    except OSError:
        resolved = str(Path(db_path).absolute())
    return hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _private_runtime_dir() -> Path | None:
    """$XDG_RUNTIME_DIR when it is what the spec promises: ours, and nobody else may write."""
    value = os.environ.get("XDG_RUNTIME_DIR", "")
    if not value or not os.path.isabs(value):
        return None
    try:
        info = os.stat(value)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != my_uid() or info.st_mode & 0o022:
        return None  # a shared or someone else's folder is not private: use our own instead
    return Path(value)


def socket_dir() -> Path:
    """The folder for this user's call sockets (Unix), not created yet."""
    runtime = _private_runtime_dir()
    if runtime is not None:
        return runtime / "csdesk"
    import tempfile  # only here: with its shutil and random it is ~4 ms of every `csdesk call`

    return Path(tempfile.gettempdir()) / f"csdesk-{my_uid()}"


def server_name(db_path: Path | str) -> str:
    """Per user and per database. Unix: a socket path in the private folder; Windows: a pipe name."""
    if not UNIX:
        return f"csdesk-{_user()}-{_digest(db_path)}"
    path = str(socket_dir() / f"{_digest(db_path)}.sock")
    if len(path) > MAX_SOCKET_PATH:
        raise UnsafeSocket(
            f"The folder for csdesk's call socket has too long a path ({path}). "
            "Set TMPDIR or XDG_RUNTIME_DIR to a short private folder and start csdesk again."
        )
    return path


def check_folder(folder: Path, *, create: bool) -> bool:
    """True when `folder` is safe to use; False when it does not exist (and create is False).
    Raises UnsafeSocket when it exists but is someone else's or others may write to it."""
    if create:
        try:
            folder.mkdir(mode=0o700, parents=False)
        except FileExistsError:
            pass
        except OSError as exc:
            raise UnsafeSocket(
                f"csdesk cannot make the folder for its call socket ({folder}): {exc.strerror}."
            ) from exc
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeSocket(
            f"csdesk will not use {folder} for its call socket: it is not a plain folder. "
            "Remove it (someone may be trying to catch calls) and start csdesk again."
        )
    if info.st_uid != my_uid():
        raise UnsafeSocket(
            f"csdesk will not use {folder} for its call socket: it belongs to "
            f"{_owner(info.st_uid)}, not you. Another user may be trying to catch your calls: "
            "ask whoever looks after this computer to remove it, then start csdesk again."
        )
    if info.st_mode & 0o077:
        raise UnsafeSocket(
            f"csdesk will not use {folder} for its call socket: others can write to it or look in "
            f"(mode {stat.S_IMODE(info.st_mode):o}). Remove it and start csdesk again."
        )
    return True


def check_socket_file(path: Path) -> bool:
    """True when a socket of ours is at `path`, False when nothing is. Raises UnsafeSocket when
    something else or someone else's is."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISSOCK(info.st_mode):
        raise UnsafeSocket(
            f"csdesk will not use {path} as its call socket: something else is there. Remove it."
        )
    if info.st_uid != my_uid():
        raise UnsafeSocket(
            f"csdesk will not use the call socket {path}: it belongs to {_owner(info.st_uid)}, not "
            "you. Another user may be trying to catch your calls: ask whoever looks after this "
            "computer to remove it, then start csdesk again."
        )
    return True


def prepare(name: str, *, create: bool) -> bool:
    """Check the folder (and an existing socket file) behind `name` before connecting or
    listening. False when there is no folder yet (so no window can be listening)."""
    if not UNIX or not os.path.isabs(name):
        return True
    path = Path(name)
    if not check_folder(path.parent, create=create):
        return False
    check_socket_file(path)
    return True


# Linux: struct ucred {pid_t pid; uid_t uid; gid_t gid;}
_UCRED = struct.Struct("3i")
# macOS / BSD: struct xucred {u_int cr_version; uid_t cr_uid; short cr_ngroups; gid_t cr_groups[16];}
_SOL_LOCAL, _LOCAL_PEERCRED, _XUCRED_SIZE = 0, 0x001, 76


def peer_uid(fd: int) -> int | None:
    """The user id of the process at the other end of a connected Unix socket descriptor, or None
    where the system cannot say (then the private folder is the only door)."""
    if not UNIX or fd < 0:
        return None
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=os.dup(fd))
    except OSError:
        return None
    try:
        if hasattr(socket, "SO_PEERCRED"):
            data = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
            return int(_UCRED.unpack(data)[1])
        if sys.platform == "darwin" or "bsd" in sys.platform:
            data = sock.getsockopt(_SOL_LOCAL, _LOCAL_PEERCRED, _XUCRED_SIZE)
            return int(struct.unpack_from("I", data, 4)[0])
        return None
    except OSError:
        return None
    finally:
        sock.close()  # closes our dup only; the connection stays open on Qt's descriptor
