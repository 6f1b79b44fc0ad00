"""Small pieces the issue and follow-up dialogs share: a field with its error under it, combos."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget


def error_label(key: str) -> QLabel:
    label = QLabel()
    label.setObjectName(f"error_{key}")
    label.setAccessibleName(f"Problem with {key.replace('_', ' ')}")
    label.setProperty("tone", "fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def with_error(field: QWidget, error: QLabel) -> QWidget:
    """The field with its error message right underneath, so the fix is next to the problem."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(error)
    return box


def named(widget: QWidget, name: str, accessible: str) -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


def combo(name: str, accessible: str, items: Iterable[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    named(box, name, accessible)
    for text, data in items:
        box.addItem(text, data)
    return box


def select_data(box: QComboBox, data: object) -> None:
    index = box.findData(data)
    if index >= 0:
        box.setCurrentIndex(index)


def show_errors(labels: dict[str, QLabel], errors: dict[str, str], general: str = "general") -> None:
    """Each message under its field; messages for fields without a label go to `general`."""
    for key, label in labels.items():
        if key == general:
            continue
        label.setText(errors.get(key, ""))
        label.setVisible(key in errors)
    unplaced = [msg for key, msg in errors.items() if key not in labels or key == general]
    if general in labels:
        labels[general].setText("\n".join(unplaced))
        labels[general].setVisible(bool(unplaced))
