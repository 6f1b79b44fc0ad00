"""Admins add staff (name, role, PIN), deactivate those who left and reactivate those back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Role
from csdesk.errors import Conflict, CsdeskError
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.admin_setup import pin_field
from csdesk.ui.dialogs.notice import Confirm
from csdesk.ui.dialogs.pin_dialog import PinDialog

ROLE_TEXT = {Role.STAFF: "Staff", Role.LEAD: "Shift lead", Role.ADMIN: "Admin"}
ROLE_HELP = (
    "Staff look up customers and log visits. Shift leads also export, correct entries and "
    "approve goodwill. Admins manage staff, settings, templates and backups."
)


class StaffDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffDialog")
        self.setAccessibleName("Staff accounts")
        self.setWindowTitle("Staff accounts")
        self._desk = desk
        self.changed = False

        self.list = QTreeWidget()
        self.list.setObjectName("staffList")
        self.list.setAccessibleName("Staff members")
        self.list.setHeaderLabels(["Name", "Role", "Status"])
        self.list.setRootIsDecorated(False)
        self.list.setColumnWidth(0, 220)
        self.list.setColumnWidth(1, 140)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.deactivate_button = QPushButton("Deactivate")
        self.deactivate_button.setObjectName("deactivateStaffButton")
        self.deactivate_button.setAccessibleName("Deactivate the selected staff member")
        self.deactivate_button.clicked.connect(self.deactivate)
        self.reactivate_button = QPushButton("Reactivate")
        self.reactivate_button.setObjectName("reactivateStaffButton")
        self.reactivate_button.setAccessibleName("Reactivate the selected staff member")
        self.reactivate_button.clicked.connect(self.reactivate)
        self.reset_pin_button = QPushButton("New PIN…")
        self.reset_pin_button.setObjectName("resetPinButton")
        self.reset_pin_button.setAccessibleName("Give the selected staff member a new PIN")
        self.reset_pin_button.clicked.connect(self.reset_pin)

        self.name = QLineEdit()
        self.name.setObjectName("newStaffName")
        self.name.setAccessibleName("New staff member's name")
        self.name.setMaxLength(60)
        self.role = QComboBox()
        self.role.setObjectName("newStaffRole")
        self.role.setAccessibleName("Role")
        for role, text in ROLE_TEXT.items():
            self.role.addItem(text, role.value)
        self.pin = pin_field("newStaffPin", "New staff member's PIN")
        self.pin_again = pin_field("newStaffPinAgain", "PIN again")
        self.pin_again.returnPressed.connect(self.add)
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName("addStaffButton")
        self.add_button.setAccessibleName("Add the staff member")
        self.add_button.clicked.connect(self.add)
        self.message = QLabel()
        self.message.setObjectName("staffMessage")
        self.message.setWordWrap(True)
        self.message.setProperty("tone", "fieldError")
        help_text = QLabel(ROLE_HELP)
        help_text.setWordWrap(True)
        help_text.setProperty("tone", "muted")

        box = QGroupBox("Add someone")
        form = QFormLayout(box)
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        form.addRow("PIN", self.pin)
        form.addRow("PIN again", self.pin_again)
        form.addRow(help_text)
        add_row = QHBoxLayout()
        add_row.addWidget(self.message, 1)
        add_row.addWidget(self.add_button)
        form.addRow(add_row)

        close = QPushButton("Close")
        close.setObjectName("closeStaffButton")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.deactivate_button)
        bottom.addWidget(self.reactivate_button)
        bottom.addWidget(self.reset_pin_button)
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.addWidget(self.list, 1)
        layout.addLayout(bottom)
        layout.addWidget(box)
        self.resize(560, 600)
        self.reload()
        self.name.setFocus()

    def reload(self) -> None:
        self.list.clear()
        for entry in self._desk.auth.list_staff():
            status = "Active" if entry.active else "Deactivated"
            if entry.active and not entry.has_pin:
                status = "Active, no PIN"
            item = QTreeWidgetItem([entry.name, ROLE_TEXT[entry.role], status])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.name)
            item.setData(1, Qt.ItemDataRole.UserRole, entry.active)
            item.setData(2, Qt.ItemDataRole.UserRole, entry.version)  # what a change is made on
            self.list.addTopLevelItem(item)
        self._update_buttons()

    def _version(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(2, Qt.ItemDataRole.UserRole))

    def _refused(self, exc: Conflict, name: str) -> None:
        # Someone changed this member since the list was read: nothing was changed here. The
        # list now shows theirs (same row chosen); doing it again is a knowing choice.
        self.message.setText(str(exc))
        self.reload()
        found = self.list.findItems(name, Qt.MatchFlag.MatchExactly, 0)
        if found:
            self.list.setCurrentItem(found[0])

    def _selected(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(0, Qt.ItemDataRole.UserRole))

    def _update_buttons(self) -> None:
        item = self.list.currentItem()
        active = item is not None and bool(item.data(1, Qt.ItemDataRole.UserRole))
        self.deactivate_button.setEnabled(active)
        self.reactivate_button.setEnabled(item is not None and not active)
        self.reset_pin_button.setEnabled(active)

    def add(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.message.setText("The two PINs differ. Type the same PIN twice.")
            self.pin_again.setFocus()
            return
        try:
            staff = self._desk.auth.add_staff(
                self.name.text(), Role(self.role.currentData()), self.pin.text()
            )
        except CsdeskError as exc:
            self.message.setText(str(exc))
            return
        self.changed = True
        self.message.setText("")
        for field in (self.name, self.pin, self.pin_again):
            field.clear()
        self.reload()
        found = self.list.findItems(staff.name, Qt.MatchFlag.MatchExactly, 0)
        if found:
            self.list.setCurrentItem(found[0])
        self.name.setFocus()

    def reset_pin(self) -> None:
        name = self._selected()
        pin = PinDialog.ask(self, name) if name else None
        if name is None or pin is None:
            return
        try:
            self._desk.auth.set_pin(name, pin, version=self._version())
        except Conflict as exc:
            self._refused(exc, name)
            return
        except CsdeskError as exc:
            self.message.setText(str(exc))
            return
        self.changed = True
        self.message.setText(f"{name} has a new PIN.")
        self.reload()

    def deactivate(self) -> None:
        name = self._selected()
        if name is None:
            return
        if not Confirm.ask(
            self,
            "Deactivate",
            f"Deactivate {name}? They can no longer sign in. What they wrote stays.",
            yes="Deactivate",
        ):
            return
        try:
            self._desk.auth.deactivate(name, version=self._version())
        except Conflict as exc:
            self._refused(exc, name)
            return
        except CsdeskError as exc:
            self.message.setText(str(exc))
            return
        self.changed = True
        self.reload()

    def reactivate(self) -> None:
        name = self._selected()
        if name is None:
            return
        try:
            staff = self._desk.auth.reactivate(name, version=self._version())
        except Conflict as exc:
            self._refused(exc, name)
            return
        except CsdeskError as exc:
            self.message.setText(str(exc))
            return
        self.changed = True
        self.reload()
        self.message.setText(f"{staff.name} is active again, with the same role and PIN.")

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk) -> bool:
        """True when anything changed."""
        dialog = cls(desk, parent)
        dialog.exec()
        return dialog.changed
