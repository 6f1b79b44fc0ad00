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
    # A PostgreSQL server instead of a file: host, port, database, user (and service), never
    # the password; `database` is then the file a server-less run would use.
    server: dict[str, str] | None = None
    server_target: str = ""  # the URL as given, its password redacted

    def as_dict(self) -> dict[str, object]:
        """The `csdesk paths --json` shape: these keys, paths as absolute strings."""
        return {
            "version": self.version,
            "database": self.server_target if self.server is not None else str(self.database),
            "server": self.server,
            "data": str(self.data),
            "backups": str(self.backups),
            "templates": str(self.templates),
            "resources": str(self.resources),
            "frozen": self.frozen,
        }

    def folders(self) -> list[tuple[str, Path]]:
        """(label, folder) pairs an About dialog offers an "Open" button for."""
        return [
            *([] if self.server is not None else [("Database folder", self.database.parent)]),
            ("Backups", self.backups),
            ("Your letter templates", self.templates),
        ]


def about(db_path: Path | None = None, server: str | None = None) -> AboutInfo:
    """`server`: a PostgreSQL URL or conninfo (--db); shown without connecting to it."""
    database = (db_path or paths.default_db_path()).expanduser()
    shown: dict[str, str] | None = None
    target = ""
    if server is not None:
        from csdesk.store.server.connect import shown_target
        from csdesk.store.server.target import redact

        shown, target = shown_target(server), redact(server)
    return AboutInfo(
        version=__version__,
        database=database.resolve(),
        data=paths.data_dir().resolve(),
        backups=paths.backups_dir(database).resolve(),
        templates=paths.user_letters_dir().resolve(),
        resources=paths.resources_dir(),
        frozen=bool(getattr(sys, "frozen", False)),
        server=shown,
        server_target=target,
    )
