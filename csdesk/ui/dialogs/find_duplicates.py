"""Find duplicates: likely pairs with the reason, and Merge with a confirmation of who is kept."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csdesk.domain import Customer
from csdesk.errors import CsdeskError
from csdesk.services.auth import Permission, allowed
from csdesk.services.desk import Desk
from csdesk.services.duplicates import DuplicatePair, MergeResult
from csdesk.ui.models.duplicate_pairs_model import DuplicatePairsModel
from csdesk.ui.workers import Op, Progress, run_op

NEEDS_LEAD = "Merging needs a shift lead or an admin. Sign in as one to merge."


def describe(c: Customer) -> str:
    lines = [f"<b>{escape(c.display_name)}</b> #{c.id}"]
    lines += [escape(f"{p.label}: {p.raw}") for p in c.phones[:3]]
    if c.email:
        lines.append(escape(c.email))
    visits = "1 visit" if c.visit_count == 1 else f"{c.visit_count} visits"
    lines.append(f"{visits} · customer since {c.created_at[:10]}")
    return "<br>".join(lines)


class MergeConfirm(QDialog):
    """Which record stays; the other one's history moves into it."""

    def __init__(self, parent: QWidget | None, keep: Customer, other: Customer) -> None:
        super().__init__(parent)
        self.setObjectName("mergeConfirm")
        self.setAccessibleName("Confirm merge")
        self.setWindowTitle("Merge two customers")
        self.choice: tuple[int, int] | None = None
        self._ids = (keep.id, other.id)
        intro = QLabel(
            "Keep which record? The other one's visits, notes, issues, letters and "
            "phone numbers move into it, and it is removed. This cannot be undone."
        )
        intro.setWordWrap(True)
        self.keep_first = QRadioButton()
        self.keep_first.setObjectName("keepFirst")
        self.keep_first.setAccessibleName(f"Keep customer {keep.id}")
        self.keep_first.setChecked(True)
        self.keep_second = QRadioButton()
        self.keep_second.setObjectName("keepSecond")
        self.keep_second.setAccessibleName(f"Keep customer {other.id}")
        row = QHBoxLayout()
        for radio, customer, note in (
            (self.keep_first, keep, " (older, suggested)"),
            (self.keep_second, other, ""),
        ):
            box = QVBoxLayout()
            radio.setText(f"Keep this one{note}")
            box.addWidget(radio)
            card = QLabel(describe(customer))
            card.setObjectName(f"mergeCard{customer.id}")
            card.setWordWrap(True)
            box.addWidget(card)
            box.addStretch(1)
            row.addLayout(box, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = QPushButton("Merge")
        self.merge_button.setObjectName("confirmMergeButton")
        self.merge_button.setAccessibleName("Merge the two customers")
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelMergeButton")
        cancel.setAccessibleName("Cancel, merge nothing")
        # An irreversible step is never one stray Enter away: Enter means Cancel here.
        self.merge_button.setAutoDefault(False)
        cancel.setDefault(True)
        cancel.setFocus()
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(14)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(620, 300)

    def confirm(self) -> None:
        a, b = self._ids
        self.choice = (a, b) if self.keep_first.isChecked() else (b, a)
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, keep: Customer, other: Customer) -> tuple[int, int] | None:
        """(keep_id, other_id) to merge, or None."""
        dialog = cls(parent, keep, other)
        dialog.exec()
        return dialog.choice


class FindDuplicatesDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, desk: Desk, on_merge: Callable[[MergeResult], None] | None = None
    ) -> None:
        super().__init__(parent)
        if desk.target is None:
            raise CsdeskError("Finding duplicates needs a database file.")
        self.setObjectName("findDuplicatesDialog")
        self.setAccessibleName("Find duplicate customers")
        self.setWindowTitle("Find duplicates")
        self._desk = desk
        self._on_merge = on_merge
        self.merged: list[MergeResult] = []
        self.may_merge = allowed(desk.actor, Permission.MERGE)
        self.status = QLabel("Looking for customers who are probably the same person…")
        self.status.setObjectName("duplicatesStatus")
        self.status.setAccessibleName("Status")
        self.status.setWordWrap(True)
        self.model = DuplicatePairsModel(self)
        self.table = QTableView()
        self.table.setObjectName("duplicatePairs")
        self.table.setAccessibleName("Likely duplicate customers")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setAccessibleName("Merge the selected pair")
        self.merge_button.setEnabled(False)
        self.merge_button.setToolTip("" if self.may_merge else NEEDS_LEAD)
        close = QPushButton("Close")
        close.setObjectName("duplicatesCloseButton")
        close.setAccessibleName("Close")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(760, 480)
        self.merge_button.clicked.connect(self.merge_selected)
        self.table.doubleClicked.connect(lambda _i: self.merge_selected())
        close.clicked.connect(self.accept)
        self.loaded = False
        self._task: Op | None = run_op(desk, self._find, parent=self)
        self._task.succeeded.connect(self._show)
        self._task.failed.connect(self.status.setText)
        self._task.start()

    @staticmethod
    def _find(desk: Desk, _progress: Progress) -> list[DuplicatePair]:
        return desk.duplicates.pairs()

    def _show(self, pairs: list[DuplicatePair]) -> None:
        self._task = None
        self.loaded = True
        self.model.set_pairs(pairs)
        self._say_count()
        if pairs:
            self.table.selectRow(0)
            self.table.setFocus()
        self.merge_button.setEnabled(bool(pairs) and self.may_merge)

    def _say_count(self) -> None:
        n = self.model.rowCount()
        if n == 0:
            self.status.setText("No likely duplicates. Nice and tidy.")
            return
        pairs = "1 pair" if n == 1 else f"{n} pairs"
        tip = "Select one and press Merge." if self.may_merge else NEEDS_LEAD
        self.status.setText(f"{pairs} that look like the same person. {tip}")

    def merge_selected(self) -> MergeResult | None:
        rows = self.table.selectionModel().selectedRows()
        pair = self.model.pair(rows[0].row()) if rows else None
        if pair is None or not self.may_merge:
            return None
        try:
            keep = self._desk.customers.get(pair.keep_id)
            other = self._desk.customers.get(pair.other_id)
        except CsdeskError as exc:
            self.status.setText(str(exc))
            return None
        choice = MergeConfirm.ask(self, keep, other)
        if choice is None:
            return None
        try:
            result = self._desk.duplicates.merge(*choice)
        except CsdeskError as exc:
            self.status.setText(str(exc))
            return None
        self.merged.append(result)
        self.model.drop_customer(result.merged_id)
        self._say_count()
        moved = ", ".join(f"{n} {what}" for what, n in result.moved.items() if n) or "no history"
        self.status.setText(
            f"Merged #{result.merged_id} into #{result.customer_id} ({moved} moved). " + self.status.text()
        )
        self.merge_button.setEnabled(self.model.rowCount() > 0)
        if self._on_merge is not None:
            self._on_merge(result)
        return result

    @classmethod
    def ask(
        cls, parent: QWidget | None, desk: Desk, on_merge: Callable[[MergeResult], None] | None = None
    ) -> list[MergeResult]:
        """The merges made while the dialog was open."""
        dialog = cls(parent, desk, on_merge)
        dialog.exec()
        return dialog.merged
