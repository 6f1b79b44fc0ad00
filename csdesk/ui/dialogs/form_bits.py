"""Small pieces the dialogs share: a field with its error under it, combos, a form paused while
its save waits for another counter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

WAITING = ("Waiting for the other counter… Another csdesk or a command is writing to the "
           "database; this is saved as soon as it is done.")
_INPUTS = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit)


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


class FormPause:
    """A form whose save waits for another counter's write lock (workers.write_or_wait): its
    inputs off, not hidden (the text stays in sight, and nothing typed now would be in the save
    on its way; Cancel too, the save may still go through), and `line` saying so calmly. Then
    the inputs that were on come back, with the focus where the person was: Qt moved it off the
    disabled inputs, and an Enter on a focused Cancel would throw away what was typed."""

    def __init__(self, form: QWidget, line: QLabel) -> None:
        self._form = form
        self._line = line
        self._paused: list[QWidget] | None = None
        self._focus: QWidget | None = None
        self._tone: object = None

    @property
    def paused(self) -> bool:
        return self._paused is not None

    def __call__(self, waiting: bool) -> None:
        """write_or_wait's `waiting`: True while the save waits, then False."""
        if waiting:
            self._focus = self._form.focusWidget()
            self._paused = [w for w in self._form.findChildren(QWidget)
                            if isinstance(w, _INPUTS) and w.isEnabled()]
            for widget in self._paused:
                widget.setEnabled(False)
            self._tone = self._line.property("tone")
            self._line.setProperty("tone", "muted")
            self._line.setText(WAITING)
            self._line.show()
        else:
            for widget in self._paused or []:
                widget.setEnabled(True)
            self._paused = None
            self._line.setProperty("tone", self._tone)
            self._line.hide()
            if self._focus is not None:
                self._focus.setFocus()
        self._line.style().unpolish(self._line)
        self._line.style().polish(self._line)
