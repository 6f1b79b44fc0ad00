"""QApplication, theme and main(): open the desk, offer demo data on a first run, show it."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from csdesk.errors import CsdeskError
from csdesk.services.about import DESKTOP_ID
from csdesk.services.desk import Desk
from csdesk.ui.change_bus import ChangeBus
from csdesk.ui.dialogs.about_dialog import app_icon
from csdesk.ui.dialogs.admin_setup import AdminSetupDialog
from csdesk.ui.dialogs.first_run import FirstRunDialog
from csdesk.ui.features.security import end_session, start_session
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme

PROBE_ENV = "CSDESK_STARTUP_PROBE"


def application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("csdesk")
    app.setApplicationDisplayName("csdesk")
    app.setOrganizationName("csdesk")
    app.setDesktopFileName(DESKTOP_ID)  # Wayland docks match the window to the menu entry
    app.setWindowIcon(app_icon())
    return app


def open_desk(db_path: Path, staff: str | None) -> Desk:
    desk = Desk.open(db_path)
    try:
        if staff:
            desk.act_as(staff)
    except CsdeskError:
        desk.close()
        raise
    return desk


def main(db_path: Path, staff: str | None = None) -> int:
    started = time.perf_counter()
    probe = os.environ.get(PROBE_ENV) == "1"
    app = application()
    apply_theme(app)
    try:
        desk = open_desk(db_path, staff)
    except CsdeskError as exc:
        if probe:
            print(f"csdesk: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "csdesk cannot open its database", str(exc))
        return 1
    try:
        # The admin comes first: a first run with demo data still has someone to manage staff.
        admin = None if probe or not desk.auth.needs_setup() else AdminSetupDialog.ask(None, desk)
        if not probe and desk.customers.count() == 0:
            FirstRunDialog.ask(None, db_path)
        bus = ChangeBus()
        bus.attach(desk)
        window = MainWindow(desk, bus)
        window.show()
        window.raise_()
        window.activateWindow()
        if probe:
            _probe(window, started)
            return app.exec()
        start_session(window, signed_in=admin is not None)
        code = app.exec()
        end_session(window)
        return code
    finally:
        desk.close()


def _probe(window: MainWindow, started: float) -> None:
    """Print when the search field is usable (window shown, first results in), then quit."""

    def ready(_query: str) -> None:
        field = window.search.field
        usable = field.isVisible() and field.isEnabled()
        elapsed = (time.perf_counter() - started) * 1000
        print(
            f"startup-probe ready_at={time.time():.6f} main_ms={elapsed:.1f} usable={usable}",
            flush=True,
        )
        QTimer.singleShot(0, window.close)

    window.search.results_shown.connect(ready)
