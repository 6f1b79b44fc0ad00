"""What Help → About and `csdesk paths` show: the version and where this install keeps its data.

Qt-free and side-effect free: it reports paths without creating them, so asking "where is my data?"
never makes an empty database appear.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from csdesk import __version__, paths

# The desktop entry / AppStream id (packaging/linux/<DESKTOP_ID>.desktop). The window should call
# QGuiApplication.setDesktopFileName(DESKTOP_ID) so Wayland docks match it to the menu icon.
DESKTOP_ID = "app.csdesk.csdesk"


@dataclass(frozen=True)
class AboutInfo:
    version: str
    database: Path  # the database this run uses (--db, CSDESK_DB or the default)
    data: Path  # the user data folder (platformdirs, or CSDESK_DATA_DIR)
    backups: Path
    templates: Path  # user letter templates, which override bundled ones by name
    resources: Path  # bundled templates and icons (read-only)
    frozen: bool  # True inside the self-contained bundle (PyInstaller)

    def as_dict(self) -> dict[str, str | bool]:
        """The `csdesk paths --json` shape: these keys, paths as absolute strings."""
        return {
            "version": self.version,
            "database": str(self.database),
            "data": str(self.data),
            "backups": str(self.backups),
            "templates": str(self.templates),
            "resources": str(self.resources),
            "frozen": self.frozen,
        }

    def folders(self) -> list[tuple[str, Path]]:
        """(label, folder) pairs an About dialog offers an "Open" button for."""
        return [
            ("Database folder", self.database.parent),
            ("Backups", self.backups),
            ("Your letter templates", self.templates),
        ]


def about(db_path: Path | None = None) -> AboutInfo:
    database = (db_path or paths.default_db_path()).expanduser()
    return AboutInfo(
        version=__version__,
        database=database.resolve(),
        data=paths.data_dir().resolve(),
        backups=paths.backups_dir(database).resolve(),
        templates=paths.user_letters_dir().resolve(),
        resources=paths.resources_dir(),
        frozen=bool(getattr(sys, "frozen", False)),
    )
