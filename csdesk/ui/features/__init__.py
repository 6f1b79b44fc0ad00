"""Features plug into the main window here, so the shell stays small.

Each feature is a module in this package with `install(window: Shell) -> None`, which installs
through the shell's API (ui.shell: menus, actions, sections, toolbars, overlays, status items;
its objects subclass `Feature`, so they tear down with the window and are found by type). A
feature imports the shell, never ui.main_window, and no feature installs another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from csdesk.ui.features import (
    about,
    admin,
    backups,
    daily_log,
    email,
    insights,
    issues,
    letters,
    live,
    notes,
    outage,
    privacy,
    read_only,
    security,
    transfer,
    visits,
)

if TYPE_CHECKING:
    from csdesk.ui.shell import Shell

# One line per feature, in menu order.
FEATURES: list[Callable[[Shell], None]] = [
    issues.install,
    letters.install,
    email.install,  # the outbox, its sender and Settings ▸ E-mail (issue 18)
    daily_log.install,
    insights.install,  # Day > Insights (issue 19)
    visits.install,
    notes.install,
    transfer.install,
    security.install,  # sign-in, lock and the Staff menu
    admin.install,  # staff accounts, audit log, settings (issue 7)
    backups.install,
    privacy.install,
    about.install,
    live.install,  # what others write, and who is where (it reads the other features)
    outage.install,  # the server away and back: one line, actions off meanwhile (reads live)
    read_only.install,  # last: a read-only database turns off every feature's writes, said why
]


def install_all(window: Shell) -> None:
    for install in FEATURES:
        install(window)
