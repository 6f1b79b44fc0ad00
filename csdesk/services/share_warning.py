"""The warning for a database file on a network share, where SQLite's locking and WAL do not
work and a file gets corrupted: shown by the check, the window and `csdesk check`.
"""

from __future__ import annotations

import sys
from pathlib import Path

NETWORK_FS = (
    "nfs",
    "nfs4",
    "cifs",
    "smb",
    "smb2",
    "smb3",
    "smbfs",
    "afs",
    "9p",
    "fuse.sshfs",
    "ncpfs",
)

def network_share_warning(
    path: Path, *, mounts: str | None = None, platform: str = sys.platform
) -> str | None:
    """A sentence to show when the database sits on a network share (SQLite can lose data there)."""
    text = str(path)
    message = (
        f"The database {text} is on a network share. SQLite can lose data there: "
        "keep it on this computer's own disk."
    )
    if platform.startswith("win"):
        return message if text.startswith(("\\\\", "//")) else None
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    resolved = str(Path(path).resolve().parent if not path.exists() else Path(path).resolve())
    best, fstype = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, fstype = point, parts[2]
    return message if fstype.lower() in NETWORK_FS else None
