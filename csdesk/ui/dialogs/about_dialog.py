"""Help → About: the version and where this install keeps its data, each folder one click away."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.services.about import AboutInfo, about
from csdesk.ui.dialogs.notice import Notice


def app_icon() -> QIcon:
    """The window icon from the bundled sizes, so every desktop picks a sharp one."""
    from csdesk.paths import resources_dir

    icon = QIcon()
    folder = resources_dir() / "icons"
    for png in sorted(folder.glob("csdesk-*.png")):
        icon.addFile(str(png))
    if icon.isNull() and (folder / "csdesk.svg").is_file():
        icon.addFile(str(folder / "csdesk.svg"))
    return icon


def open_folder(folder: Path) -> bool:
    """Open a folder in the file manager, creating it first (an empty folder beats an error)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class AboutDialog(QDialog):
    def __init__(self, info: AboutInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setAccessibleName("About csdesk")
        self.setWindowTitle("About csdesk")
        self.info = info
        self.opened: list[Path] = []

        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        title = QLabel(f"csdesk {info.version}")
        title.setObjectName("aboutTitle")
        title.setProperty("tone", "sectionTitle")
        tagline = QLabel("Find any customer in a keystroke and greet them by name.")
        tagline.setProperty("tone", "muted")
        head_text = QVBoxLayout()
        head_text.addWidget(title)
        head_text.addWidget(tagline)
        head = QHBoxLayout()
        head.addWidget(icon)
        head.addSpacing(12)
        head.addLayout(head_text, 1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        rows: list[tuple[str, object, Path | None, str]] = []
        if info.server is not None:  # host, port, database, user of the server: never a password
            server = info.server
            rows += [
                ("Server", "PostgreSQL", None, "Server"),
                *((label, server[key], None, f"Server{label}")
                  for label, key in (("Host", "host"), ("Port", "port"), ("Database", "database"),
                                     ("User", "user"), ("Service", "service")) if server.get(key)),
            ]
        else:
            rows.append(("Database", info.database, info.database.parent, "Database"))
        rows += [
            ("Backups", info.backups, info.backups, "Backups"),
            ("Your letter templates", info.templates, info.templates, "Templates"),
        ]
        self.path_labels: dict[str, QLabel] = {}
        self.open_buttons: dict[str, QPushButton] = {}
        for row, (label, shown, folder, key) in enumerate(rows):
            name = QLabel(label)
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            path = QLabel(str(shown))
            path.setObjectName(f"about{key}Path")
            path.setAccessibleName(f"{label}: {shown}")
            path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            path.setWordWrap(True)
            grid.addWidget(name, row, 0)
            grid.addWidget(path, row, 1)
            self.path_labels[key] = path
            if folder is None:
                continue  # a server's detail: nothing on this computer to open
            button = QPushButton("Open")
            button.setAutoDefault(False)  # Enter closes the dialog, it does not open a folder
            button.setObjectName(f"open{key}Button")
            button.setAccessibleName(f"Open the {label.lower()} folder")
            button.clicked.connect(lambda _=False, f=folder: self.open_path(f))
            grid.addWidget(button, row, 2)
            self.open_buttons[key] = button
        grid.setColumnStretch(1, 1)

        close = QPushButton("Close")
        close.setObjectName("closeAboutButton")
        close.setAccessibleName("Close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bundle = QLabel("Self-contained build" if info.frozen else "Running from Python")
        bundle.setProperty("tone", "muted")
        bottom.addWidget(bundle)
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 18)
        layout.setSpacing(18)
        layout.addLayout(head)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addLayout(bottom)
        self.resize(720, 330)

    def open_path(self, folder: Path) -> None:
        self.opened.append(folder)
        if not open_folder(folder):
            Notice.ask(
                self,
                "Open folder",
                f"Could not open {folder}. Copy the path and open it in your file manager.",
                kind="warning",
            )

    @classmethod
    def ask(cls, parent: QWidget | None, target: Path | str | None) -> None:
        """`target`: the Desk's file or server (Desk.target); a server is shown, not connected to."""
        if isinstance(target, str):
            cls(about(server=target), parent).exec()
        else:
            cls(about(target), parent).exec()
