"""The Qt face of csdesk. Only this package imports PySide6; it calls services, never store."""

from __future__ import annotations

import sys


def _shield_singletons() -> None:
    """Work around PySide6 6.12 on Python 3.11: a call of a Qt method returning void hands back
    None without taking a reference, and Signal.emit() does the same with True, so their
    refcounts fall by one per call (measured: QLabel.setText x1000 -> None -1000, from a base of
    about 5,000) until the interpreter aborts with "none_dealloc" / "bool_dealloc", at the latest
    when it exits. Python 3.12 made these objects immortal, which is why few notice. Giving them
    a huge head start is harmless (they are never freed) and keeps a long day at the counter safe.
    """
    if sys.version_info >= (3, 12):
        return
    import ctypes

    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        if refcount.value < 1 << 40:
            refcount.value += 1 << 40


_shield_singletons()
