"""The import helper processes this test process has started right now (Linux /proc)."""

from __future__ import annotations

import os
from pathlib import Path


def import_helpers() -> set[int]:
    """Pids of this process's import helpers (other children, a test server, are not)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:  # the thread ended after the listing (CI saw this race)
            continue
        for pid in children:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            if b"csdesk.services.importing.helper" in command:
                found.add(int(pid))
    return found
