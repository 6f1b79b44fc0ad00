"""Any other CSV: say which column holds what, with a sample value from the file beside each."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from csdesk.errors import UserError
from csdesk.services.importing import formats
from csdesk.services.importing.readers import decode, read_csv

SAMPLE_BYTES = 1024 * 1024  # the header and a few rows are near the top
TARGETS: tuple[tuple[str, str], ...] = (
    ("", "— leave out —"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("name", "Full name (split in two)"),
    ("preferred_name", "Preferred name"),
    ("pronouns", "Pronouns"),
    ("email", "E-mail"),
    ("phone", "Phone (mobile)"),
    ("phone:home", "Phone (home)"),
    ("phone:work", "Phone (work)"),
    ("birthday", "Birthday"),
    ("company", "Company"),
    ("address", "Address (parts are joined)"),
    ("consent", "Marketing consent (yes/no)"),
    ("unsubscribed", "Unsubscribed (yes/no)"),
    ("note", "Note"),
)


def sample(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows of a CSV, without reading a huge file whole."""
    try:
        with path.open("rb") as fh:
            data = fh.read(SAMPLE_BYTES + 1)
    except OSError as exc:
        raise UserError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    if len(data) > SAMPLE_BYTES:
        data = data[:SAMPLE_BYTES]
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        data = data[: len(data) - len(data) % 2] if utf16 else data[: data.rfind(b"\n") + 1]
    header, rows = read_csv(decode(data).replace("\r\n", "\n"))
    return header, rows[:3]


def guess(header: list[str]) -> dict[str, str]:
    """Column -> target, from the header words csdesk recognises."""
    try:
        mapping = formats.mapping_for("csv", header)
    except UserError:
        return {}
    found: dict[str, str] = {}
    for fieldname, columns in mapping.columns.items():
        for index, label in columns:
            if fieldname == "phone" and label and label != "mobile":
                found[header[index]] = f"phone:{label}"
            else:
                found[header[index]] = fieldname
    return found


class ColumnMappingDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        header: list[str],
        rows: list[list[str]],
        current: dict[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("columnMappingDialog")
        self.setAccessibleName("Which column holds what")
        self.setWindowTitle("Which column holds what?")
        self.mapping: dict[str, str] | None = None
        intro = QLabel(
            "csdesk does not know this file's layout. For each column, choose what it holds; "
            "leave out what you do not need."
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        for col, caption in enumerate(("Column in the file", "For example", "csdesk field")):
            head = QLabel(f"<b>{caption}</b>")
            grid.addWidget(head, 0, col)
        chosen = current if current else guess(header)
        self.combos: dict[str, QComboBox] = {}
        for i, column in enumerate(header):
            example = next((r[i] for r in rows if i < len(r) and r[i].strip()), "")
            grid.addWidget(QLabel(column or f"(column {i + 1})"), i + 1, 0)
            shown = QLabel(example[:40])
            shown.setProperty("tone", "muted")
            grid.addWidget(shown, i + 1, 1)
            combo = QComboBox()
            combo.setObjectName(f"mapColumn{i}")
            combo.setMinimumWidth(240)
            combo.setAccessibleName(f"What column {column} holds")
            for value, text in TARGETS:
                combo.addItem(text, value)
            at = combo.findData(chosen.get(column, ""))
            combo.setCurrentIndex(max(at, 0))
            grid.addWidget(combo, i + 1, 2)
            self.combos[column] = combo
        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setObjectName("mappingScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.error = QLabel()
        self.error.setObjectName("mappingError")
        self.error.setProperty("tone", "fieldError")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Preview")
        ok.setObjectName("mappingOkButton")
        ok.setAccessibleName("Preview the import with these columns")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("mappingCancelButton")
        cancel.setAccessibleName("Cancel")
        buttons.accepted.connect(self.done_mapping)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(len(header) + 1, 1)  # spare room below the rows, not between them
        self.resize(760, min(600, 190 + 40 * len(header)))

    def chosen(self) -> dict[str, str]:
        return {col: str(c.currentData()) for col, c in self.combos.items() if c.currentData()}

    def done_mapping(self) -> None:
        mapping = self.chosen()
        useful = {"first_name", "last_name", "name", "email", "company"}
        if not any(t in useful or t.startswith("phone") for t in mapping.values()):
            self.error.setText("Choose at least the column with the name, a phone or an e-mail.")
            self.error.show()
            return
        self.mapping = mapping
        self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        header: list[str],
        rows: list[list[str]],
        current: dict[str, str] | None = None,
    ) -> dict[str, str] | None:
        """{'Column': 'field' or 'phone:work'}, or None when cancelled."""
        dialog = cls(parent, header, rows, current)
        dialog.exec()
        return dialog.mapping
