"""This computer's name at the counter ("Counter 2"): who is where, in the audit and daily logs.

Kept per computer in the user's config folder (paths.config_dir), not in the shared database: two
counters on one file each have their own. Until someone names it, it is the host name.
"""

from __future__ import annotations

import json
import socket

from csdesk.errors import UserError
from csdesk.paths import config_dir
from csdesk.services.text import clean_line
from csdesk.store.files import write_text

MAX_NAME = 40
FILE_NAME = "computer.json"


def host_name() -> str:
    name = socket.gethostname().split(".")[0].strip()
    return name[:MAX_NAME] or "This computer"


def computer_name() -> str:
    """The name this computer was given, else its host name. A damaged file reads as unnamed."""
    try:
        data = json.loads((config_dir() / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return host_name()
    name = data.get("name") if isinstance(data, dict) else None
    return name.strip()[:MAX_NAME] if isinstance(name, str) and name.strip() else host_name()


def clean_name(typed: str) -> str:
    name = " ".join(clean_line(typed).split())  # no controls or bidi overrides
    if not name:
        raise UserError("Give this computer a name people recognise, like “Counter 2”.")
    if len(name) > MAX_NAME:
        raise UserError(f"Keep the computer's name under {MAX_NAME} characters.")
    return name


def set_computer_name(typed: str) -> str:
    """Name this computer (written atomically; an empty name is refused). Returns the name."""
    name = clean_name(typed)
    folder = config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text(folder / FILE_NAME, json.dumps({"name": name}), overwrite=True)
    except OSError as exc:
        raise UserError(
            f"Cannot save this computer's name in {folder}: {exc.strerror or exc}. "
            "Check that the folder is yours and writable."
        ) from exc
    return name
