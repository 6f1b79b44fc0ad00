"""Can a window open here? Asked before Qt is started, so no Qt in this module.

Without a display Qt's xcb plugin aborts the process (exit 134) with a message about missing
libraries that are in fact installed; a person at an ssh prompt or a cron job deserves one true line.
"""

from __future__ import annotations

import os
import sys

NO_DISPLAY = (
    "csdesk cannot open its window: there is no display here (neither DISPLAY nor "
    "WAYLAND_DISPLAY is set). Start it from the desktop, or use the command line, which works "
    "without one: csdesk --help."
)


def missing_display() -> str | None:
    """The reason the window cannot open, or None when it can (or this system has no such
    variables: Windows and macOS always have their display)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if any(os.environ.get(name) for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")):
        return None  # QT_QPA_PLATFORM: the user chose a platform (offscreen, vnc, eglfs, ...)
    return NO_DISPLAY
