"""The Qt face of csdesk. Only this package imports PySide6; it calls services, never store."""

from __future__ import annotations

import sys


def _shield_none_refcount() -> None:
    """Work around PySide6 6.12 on Python 3.11: every call of a Qt method returning void hands
    back None without taking a reference, so None's refcount falls by one per call (measured:
    QLabel.setText x1000 -> -1000, from a base of about 5,000) until the interpreter aborts with
    "none_dealloc". Python 3.12 made None immortal, which is why few notice. Giving None a huge
    head start is harmless (None is never freed) and keeps a long day at the counter safe.
    """
    if sys.version_info >= (3, 12):
        return
    import ctypes

    refcount = ctypes.c_ssize_t.from_address(id(None))
    if refcount.value < 1 << 40:
        refcount.value += 1 << 40


_shield_none_refcount()
