"""Every file csdesk writes for a person goes through here: whole or not at all.

Exports, letters, report PDFs, backups, audit CSVs and privacy exports are all written the same
way, so one set of rules holds for all of them:

- the folder must exist (a mistyped folder is refused with its name, never created behind the
  user's back); the target must be a regular file or not exist yet (writing "into" /dev/full or
  a folder is an error, and renaming over a device node would replace it);
- an existing file is replaced only when the caller says so (`overwrite=True`: the CLI's --force,
  or a save dialog that already asked);
- the data goes to a temporary file in the target's folder (same file system, so the rename is
  atomic), is flushed and fsynced, and only then renamed over the target; the folder is fsynced
  so the rename itself survives a power cut. A short write (ENOSPC, EIO) is an error and leaves
  the old file, if any, untouched.

Qt-free and SQL-free, so store (backups), services (exports, letters) and the faces share it.
Errors are UserErrors that name the file and say that nothing was written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from csdesk.errors import UserError

__all__ = ["AtomicFile", "check_target", "write_bytes", "write_text"]


def check_target(path: Path | str, *, overwrite: bool = False) -> Path:
    """Refuse a target before any work is done; returns it as a Path.

    Callers that do expensive work (a batch of letters) call this first, so a bad name is said
    before the work, not after it.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        if folder.exists():
            raise UserError(f"{folder} is not a folder; nothing was written. Choose another place.")
        raise UserError(
            f"The folder {folder} does not exist; nothing was written. "
            "Create it first, or choose another folder."
        )
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}; nothing was written.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise UserError(f"{path} is a folder; nothing was written. Give a file name.")
    if not stat.S_ISREG(info.st_mode):
        raise UserError(
            f"{path} is not a regular file (a device or a pipe); nothing was written. "
            "Give the name of a file."
        )
    if not overwrite:
        raise UserError(
            f"{path} already exists; nothing was written. Choose another name, "
            "or add --force to replace it."
        )
    return path


class AtomicFile:
    """A file that appears under its name only once it is completely written.

        with AtomicFile(path, overwrite=force) as out:
            with out.open("w", encoding="utf-8") as handle:   # or hand out.tmp to a writer
                handle.write(text)

    `out.tmp` is the temporary path, for writers that want a file name (QPdfWriter, xlsxwriter,
    SQLite's backup API). `out.cancel()` drops the temporary file and leaves the target alone.
    Any exception inside the block does the same; OSErrors become UserErrors naming the file.
    """

    def __init__(self, path: Path | str, *, overwrite: bool = False, mode: int = 0o666) -> None:
        self.path = Path(path)
        self.overwrite = overwrite
        self._mode = mode
        self._cancelled = False
        self.tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.part")

    def __enter__(self) -> AtomicFile:
        check_target(self.path, overwrite=self.overwrite)
        try:
            # O_EXCL: never reuse (or follow a symlink planted at) the temporary name.
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, self._mode)
        except OSError as exc:
            raise UserError(
                f"Cannot write {self.path}: {exc.strerror or exc}; nothing was written. "
                "Check that the folder is writable, or choose another."
            ) from exc
        os.close(fd)
        return self

    def open(self, mode: str = "w", **kwargs: Any) -> IO[Any]:
        """The temporary file, opened for writing (text or binary, as `mode` says)."""
        if "w" not in mode and "a" not in mode:
            raise ValueError("AtomicFile.open is for writing")
        return open(self.tmp, mode, **kwargs)  # the caller's `with` closes it

    def cancel(self) -> None:
        self._cancelled = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None or self._cancelled:
            self._discard()
            if isinstance(exc, OSError):
                raise self._failed(exc) from exc
            return
        try:
            _fsync_file(self.tmp)
            # The target may have appeared while we wrote (another program, a second click).
            check_target(self.path, overwrite=self.overwrite)
            os.replace(self.tmp, self.path)
        except OSError as error:
            self._discard()
            raise self._failed(error) from error
        except BaseException:
            self._discard()
            raise
        _fsync_folder(self.path.parent)

    def _failed(self, exc: OSError) -> UserError:
        return UserError(
            f"Could not write {self.path}: {exc.strerror or exc}; nothing was written. "
            "Free some space or choose another place."
        )

    def _discard(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)


def write_bytes(path: Path | str, data: bytes, *, overwrite: bool = False) -> Path:
    with AtomicFile(path, overwrite=overwrite) as out, out.open("wb") as handle:
        handle.write(data)
    return out.path


def write_text(
    path: Path | str, text: str, *, overwrite: bool = False, encoding: str = "utf-8"
) -> Path:
    with (
        AtomicFile(path, overwrite=overwrite) as out,
        out.open("w", encoding=encoding, newline="") as handle,
    ):
        handle.write(text)
    return out.path


_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation on the raw fd


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | _BINARY)  # Windows needs a writable handle to flush
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network shares) refuse to sync a folder; the data is synced
    finally:
        os.close(fd)
