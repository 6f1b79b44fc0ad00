"""QApplication, theme and main(): open the desk, offer demo data on a first run, show it."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from csdesk.errors import CsdeskError
from csdesk.paths import default_db_path
from csdesk.services import database_choice
from csdesk.services.about import DESKTOP_ID
from csdesk.services.desk import Desk
from csdesk.ui import error_net
from csdesk.ui.caller import EarlyCalls
from csdesk.ui.change_bus import ChangeBus
from csdesk.ui.dialogs.about_dialog import app_icon
from csdesk.ui.dialogs.server_unreachable import Answer, ServerUnreachableDialog
from csdesk.ui.display import missing_display
from csdesk.ui.features.backups import Backups
from csdesk.ui.features.security import Security
from csdesk.ui.fonts import font_hint, missing_scripts
from csdesk.ui.main_window import MainWindow
from csdesk.ui.single_instance import InstanceServer, UnsafeSocket, send, server_name
from csdesk.ui.theme import apply_theme

PROBE_ENV = "CSDESK_STARTUP_PROBE"
CALL_PROBE_ENV = "CSDESK_CALL_PROBE"  # tests/benchmarks/bench_call.py: when a caller is painted


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


def open_desk(db_path: Path | str, staff: str | None, *, create_folder: bool = False) -> Desk:
    desk = Desk.open(db_path, create_folder=create_folder)
    try:
        if staff:
            desk.act_as(staff)
    except CsdeskError:
        desk.close()
        raise
    return desk


def main(
    db_path: Path | str,
    staff: str | None = None,
    call: str | None = None,
    *,
    create_folder: bool = False,
    chosen: bool = False,
) -> int:
    """Open the window; with `call`, show that caller. If a window for this user and database
    is already open, hand it the call (or just raise it) instead of opening a second one.
    `create_folder`: the default database, whose data folder is made on first run. `chosen`: the
    database is this computer's choice (Settings), so a server that does not answer offers the
    file instead of only an error."""
    started = time.perf_counter()
    probe = os.environ.get(PROBE_ENV) == "1"
    reason = missing_display()
    if reason:  # before Qt, which would abort (exit 134) blaming a library
        print(f"csdesk: {reason}", file=sys.stderr)
        return 1
    app = application()
    request = {"action": "call", "number": call} if call else {"action": "raise"}
    handed = _hand_over(db_path, request, probe)
    if handed is not None:
        return handed
    apply_theme(app)
    try:
        desk, opened = open_chosen(
            db_path, staff, create_folder=create_folder, chosen=chosen and not probe
        )
    except CsdeskError as exc:
        if probe:
            print(f"csdesk: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "csdesk cannot open its database", str(exc))
        return 1
    if opened != db_path:  # the server did not answer: this computer's file instead
        handed = _hand_over(opened, request, probe)
        if handed is not None:
            desk.close()
            return handed
    name = server_name(opened)
    window: MainWindow | None = None
    # Listening before the first-run questions: a ring while they wait starts no second csdesk.
    reception = EarlyCalls([call] if call else [])
    server = InstanceServer(name, reception)
    try:
        server.listen()  # without it csdesk still works, only `csdesk call` cannot reach it
    except UnsafeSocket as exc:
        desk.close()
        _refuse(str(exc), probe)
        return 1
    try:
        # The admin comes first: a first run with demo data still has someone to manage staff.
        # Not while the phone rings (`call`): the caller comes first, setup waits for next start.
        setup = not probe and not call and desk.auth.needs_setup()
        admin = None
        if setup:
            from csdesk.ui.dialogs.admin_setup import AdminSetupDialog

            admin = AdminSetupDialog.ask(None, desk)
        if not probe and desk.customers.count() == 0:
            from csdesk.ui.dialogs.first_run import FirstRunDialog  # with the demo generator

            FirstRunDialog.ask(None, desk)
        bus = ChangeBus()
        bus.attach(desk)
        window = MainWindow(desk, bus)
        error_net.install(window)  # a slot's uncaught error: a line in the status bar, not stderr
        window.guard_close = not probe  # Ctrl+Q during a call asks first
        window.show()
        window.raise_()
        window.activateWindow()
        # held calls (and `call`) go through the same door as a running window's (a locked one
        # waits for the sign-in)
        reception.ready(window)
        if probe:
            _probe(window, started)
            return app.exec()
        if os.environ.get(CALL_PROBE_ENV) == "1":
            _call_probe(app, window, server)
        start_session(window, signed_in=admin is not None)
        hint = font_hint(missing_scripts())
        if hint:  # once, at start: names in those scripts would be empty boxes
            window.statusBar().showMessage(hint, 20000)
        code = app.exec()
        end_session(window)
        return code
    finally:
        server.close()
        # The window owns its desk's lifetime: its features tear down (timers stop) and it is
        # deleted before the desk closes, so nothing fires on a closed database.
        if window is not None:
            window.teardown()
            window.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        desk.close()


def _hand_over(db_path: Path | str, request: dict[str, str], probe: bool) -> int | None:
    """A window already open on this database takes the request (exit code 0); 1 when csdesk
    must not start (someone else's socket); None: this process opens the window."""
    try:
        name = server_name(db_path)
        answer = None if probe else send(name, request)
        if answer is not None and answer.get("ok"):
            return 0
        if answer is not None and answer.get("busy"):
            # A live window that does not answer: a second one would take its socket over.
            raise UnsafeSocket(str(answer["error"]))
        InstanceServer.check(name)  # refuse to start behind someone else's socket or folder
    except UnsafeSocket as exc:
        _refuse(str(exc), probe)
        return 1
    return None


def open_chosen(
    db_path: Path | str,
    staff: str | None,
    *,
    create_folder: bool = False,
    chosen: bool = False,
    ask: Callable[[QWidget | None, str, str], Answer] = ServerUnreachableDialog.ask,
) -> tuple[Desk, Path | str]:
    """The Desk and what it was opened on. A chosen server that does not answer is no lock-out:
    the counter tries again, or works on this computer's file (this once, or from now on)."""
    while True:
        try:
            return open_desk(db_path, staff, create_folder=create_folder), db_path
        except CsdeskError as exc:
            if not (chosen and isinstance(db_path, str)):
                raise
            answer = ask(None, str(exc), database_choice.of(db_path).where)
            if answer is Answer.RETRY:
                continue
            if answer is Answer.QUIT:
                raise
            if answer is Answer.FILE_ALWAYS:
                database_choice.forget()
            file = default_db_path()
            return open_desk(file, staff, create_folder=True), file


def _refuse(message: str, probe: bool) -> None:
    print(f"csdesk: {message}", file=sys.stderr)
    if not probe:
        QMessageBox.critical(None, "csdesk cannot start", message)


def start_session(window: MainWindow, *, signed_in: bool) -> None:
    """The real app's start (tests of other features build windows without it): lock the door
    unless someone just signed in, then the startup backup and the daily ones."""
    if not signed_in:
        window.feature(Security).gate()
    window.feature(Backups).start()


def end_session(window: MainWindow) -> None:
    """After the window closed: the exit backup (the app waits for it, briefly)."""
    window.feature(Backups).on_exit()


class _PaintProbe(QObject):
    """After each call, print the moment the customer view (or a part of it) is next painted."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.view = window.customer_view
        self.waiting = False

    def called(self, request: dict[str, object], answer: dict[str, object]) -> None:
        if request.get("action") == "call" and answer.get("shown") == "customer":
            self.waiting = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.waiting
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and (watched is self.view or self.view.isAncestorOf(watched))
        ):
            self.waiting = False
            # after this paint has run: the caller's pixels are in the window
            QTimer.singleShot(0, lambda: print(f"call-probe painted_at={time.time():.6f}", flush=True))
        return False


def _call_probe(app: QApplication, window: MainWindow, server: InstanceServer) -> None:
    probe = _PaintProbe(window)
    server.handled.connect(probe.called)
    app.installEventFilter(probe)


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
