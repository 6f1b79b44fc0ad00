"""Where things live: the data directory, backups, user templates and bundled resources."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

# platformdirs is imported where a folder is asked for: a command given --db (or CSDESK_DB) never
# needs it, and it costs each start a few ms (issue 17).

APP_NAME = "csdesk"


def data_dir() -> Path:
    override = os.environ.get("CSDESK_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """This computer's own settings (its name at the counter), never in the shared database.

    CSDESK_CONFIG_DIR moves it; with only CSDESK_DATA_DIR set it lives inside that folder, so a
    test or a portable install that moves the data moves this too."""
    override = os.environ.get("CSDESK_CONFIG_DIR")
    if override:
        return Path(override)
    if os.environ.get("CSDESK_DATA_DIR"):
        return data_dir() / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    env = os.environ.get("CSDESK_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / "csdesk.db"


def backups_dir(db_path: Path | None = None) -> Path:
    return data_dir() / "backups"


def user_letters_dir() -> Path:
    return data_dir() / "letters"


@functools.cache  # where the package sits does not move while it runs; resolve() costs stats
def resources_dir() -> Path:
    """Bundled resources: next to the package in a checkout, or inside a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
