"""Features plug into the main window here, so the shell stays small.

Each feature is a module in this package with `install(window: MainWindow) -> None`, which adds
its menu entries (`window.menu("&Issues")`), shortcuts (`window.add_action(...)`), customer tabs
(`window.customer_view.add_section(widget, title)`) and reacts to `window.bus.changed`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csdesk.ui.main_window import MainWindow

# One line per feature, in menu order.
FEATURES: list[str] = [
    "issues",
    "letters",
    "daily_log",
    "visits",
    "notes",
    "transfer",
    "security",  # also installs admin, backups and privacy (issue 7)
    "about",
]


def install_all(window: MainWindow) -> None:
    for name in FEATURES:
        importlib.import_module(f"{__name__}.{name}").install(window)
