"""The window's last net for an error that no code path caught (a slot, a timer, a view's refresh).

Qt calls Python slots from its event loop; an exception there never reaches csdesk's own
handlers: PySide prints it to stderr, which nobody at a counter sees, and the person is left
with a view that silently stopped updating. This net, installed by ui.app.main only (tests keep
pytest-qt's own hook, which fails the test), turns it into what the person can act on:
- a lost server: nothing more (the outage line already says it and the view catches up when
  the server is back);
- one of csdesk's errors (a UserError says what to do): that sentence in the status bar;
- anything else: a calm line in the status bar, and the traceback appended to errors.log in the
  data folder (kept to its last ~1 MB), for whoever looks after the shop's computers;
- raised on a worker thread (threading.excepthook is not this hook; a QThread's slot is): only
  the log, since widgets belong to the UI thread.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QMainWindow

from csdesk.errors import CsdeskError, ServerUnavailable
from csdesk.paths import data_dir

LOG_NAME = "errors.log"
MAX_LOG_BYTES = 1_000_000
SHOWN_MS = 15_000

Hook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def log_path() -> Path:
    return data_dir() / LOG_NAME


def _append(text: str) -> Path | None:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            kept = path.read_bytes()[-MAX_LOG_BYTES // 2 :]
            path.write_bytes(kept)
        with path.open("a", encoding="utf-8") as out:
            out.write(text)
    except OSError:
        return None  # a full disk must not turn one error into two
    return path


def install(window: QMainWindow) -> Callable[[], None]:
    """Route uncaught exceptions to `window`'s status bar; returns what puts the old hook back."""
    previous: Hook = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: as before
            previous(kind, exc, tb)
            return
        if isinstance(exc, ServerUnavailable):
            return
        on_ui_thread = threading.current_thread() is threading.main_thread()
        if isinstance(exc, CsdeskError) and on_ui_thread:
            window.statusBar().showMessage(str(exc), SHOWN_MS)
            return
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        written = _append(f"--- {stamp}\n{''.join(traceback.format_exception(kind, exc, tb))}")
        if not on_ui_thread:  # a worker thread's: widgets are the UI thread's alone
            previous(kind, exc, tb)
            return
        where = f" The details are in {written}." if written else ""
        window.statusBar().showMessage(
            f"Something went wrong ({kind.__name__}); csdesk carries on.{where}",
            SHOWN_MS,
        )
        previous(kind, exc, tb)  # and on stderr, for a terminal that started csdesk

    sys.excepthook = hook

    def uninstall() -> None:
        sys.excepthook = previous

    return uninstall
