"""Run a user's action and turn what the services refuse into a clear, kind message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from csdesk.domain import Staff
from csdesk.errors import CsdeskError, PermissionDenied
from csdesk.services.auth import Permission, require
from csdesk.ui.dialogs.notice import Notice

T = TypeVar("T")

SWITCH_HINT = "Press Ctrl+Shift+U to switch user."


def guarded(parent: QWidget | None, title: str, fn: Callable[[], T]) -> T | None:
    """fn(), or None after showing why it could not be done (nothing was written then)."""
    try:
        return fn()
    except PermissionDenied as exc:
        Notice.ask(parent, "Not allowed", f"{exc}\n\n{SWITCH_HINT}", kind="warning")
    except CsdeskError as exc:
        Notice.ask(parent, title, str(exc), kind="warning")
    return None


def permitted(parent: QWidget | None, actor: Staff, permission: Permission) -> bool:
    """True if the acting person may; otherwise shows the service's own reason and says no."""
    try:
        require(actor, permission)
    except PermissionDenied as exc:
        Notice.ask(parent, "Not allowed", f"{exc}\n\n{SWITCH_HINT}", kind="warning")
        return False
    return True
