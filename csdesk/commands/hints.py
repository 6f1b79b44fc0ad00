"""The command lines csdesk tells a person to paste ("`csdesk restore …` puts it back").

A hint that leaves out the --db this run was given works, pasted, on the default database
instead: `restore` then replaces the wrong book. Every hint that names a command is written here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csdesk.commands.common import RunContext


def shell_word(text: str) -> str:
    """One word of a command line, quoted only when it needs it (a backup path with a space)."""
    if os.name == "nt":
        import subprocess

        return subprocess.list2cmdline([text])
    import shlex

    return shlex.quote(text)


def pasteable(run: RunContext, *words: str | Path) -> str:
    """`csdesk WORDS...` as a person can paste it to act on this same database.

    --db for a file someone named (--db, CSDESK_DB) and for any server, its URL without the
    password (store.server.target.redact). None for the default file or this computer's choice
    (Settings ▸ This computer): a pasted line finds them itself.
    """
    parts = ["csdesk"]
    if run.chosen:
        pass
    elif run.server:  # (default_db is True for the commands that name their server themselves)
        from csdesk.store.server.target import redact

        parts += ["--db", shell_word(redact(run.server))]
    elif not run.default_db:
        parts += ["--db", shell_word(str(run.db_path))]
    parts += [shell_word(str(word)) for word in words]
    return " ".join(parts)
