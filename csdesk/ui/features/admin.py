"""Staff → Staff accounts, Audit log and Settings: each asks the services, which say who may."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from csdesk.errors import PermissionDenied
from csdesk.services.auth import Permission
from csdesk.ui.dialogs.notice import Notice
from csdesk.ui.features.guard import SWITCH_HINT, guarded, permitted
from csdesk.ui.features.security import security
from csdesk.ui.shell import Shell

if TYPE_CHECKING:
    from csdesk.services.desk import Desk


def open_staff(window: Shell) -> None:
    from csdesk.ui.dialogs.staff_dialog import StaffDialog
    desk = window.desk
    if desk.auth.needs_setup():
        security(window).set_up_admin()  # nobody can manage staff before the admin exists
        return
    if permitted(window, desk.actor, Permission.MANAGE_STAFF):
        StaffDialog.ask(window, desk)


def open_audit(window: QWidget, desk: Desk) -> None:
    from csdesk.ui.dialogs.audit_dialog import AuditDialog
    try:
        AuditDialog.ask(window, desk)
    except PermissionDenied as exc:  # the service's own words: who they are and whom to ask
        Notice.ask(window, "Not allowed", f"{exc}\n\n{SWITCH_HINT}", kind="warning")


def open_settings(window: Shell) -> None:
    from csdesk.ui.dialogs.settings_dialog import SettingsDialog
    if permitted(window, window.desk.actor, Permission.MANAGE_SETTINGS):
        SettingsDialog.ask(window, window.desk)


def change_my_pin(window: Shell) -> None:
    from csdesk.ui.dialogs.pin_dialog import PinDialog
    desk = window.desk
    name = desk.actor.name
    if name not in desk.auth.sign_in_names():
        Notice.ask(
            window,
            "Change my PIN",
            f"{name} signs in without a PIN. Sign in as yourself first (Ctrl+Shift+U).",
        )
        return
    pin = PinDialog.ask(window, name)
    if pin is None:
        return
    def change() -> bool:
        desk.auth.set_pin(name, pin)
        return True

    if guarded(window, "Change my PIN", change):
        window.statusBar().showMessage("Your new PIN is set.", 5000)


def install(window: Shell) -> None:
    menu = window.menu("&Staff")
    actions = [
        window.add_action("staffAction", "Staff &accounts…", [], lambda: open_staff(window)),
        window.add_action(
            "auditAction", "Audit &log…", [], lambda: open_audit(window, window.desk)
        ),
        window.add_action("settingsAction", "S&ettings…", [], lambda: open_settings(window)),
        window.add_action("changePinAction", "Change my &PIN…", [], lambda: change_my_pin(window)),
    ]
    menu.addSeparator()
    for action in actions:
        menu.addAction(action)
