"""The Qt face: windows, widgets, dialogs and printing. Only this floor imports PySide6."""

from __future__ import annotations

import ctypes
import sys


def _protect_none() -> None:
    """Keep None alive under PySide6 6.12.0 on Python 3.11.

    That release drops a reference to None on every call of a method that returns nothing
    (setHtml, save, translate, ...): after a few thousand calls CPython frees None and aborts
    ("deallocating None"). 6.11.3 does not; Python 3.12+ makes None immortal. Raising None's
    count once does what 3.12 does, so an affected install cannot crash mid-batch.
    """
    if sys.version_info >= (3, 12):
        return
    count = ctypes.c_ssize_t.from_address(id(None))
    if count.value < 1 << 40:
        count.value += 1 << 40


_protect_none()
