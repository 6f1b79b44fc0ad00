"""Keeps a safety copy of a form while someone types, so a crash or power cut loses nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog, QLabel

from csdesk.errors import UserError
from csdesk.services.desk import Desk

DRAFT_DELAY_MS = 600  # a pause in typing, not every keystroke


class DraftKeeper(QObject):
    """Call `changed()` on every edit: after a short pause the form's fields are saved.

    `discard()` once the form is saved or cancelled on purpose. A failing save (a full disk) is
    reported through `on_error` once and never blocks typing.
    """

    def __init__(
        self,
        desk: Desk,
        kind: str,
        customer_id: int | None,
        fields: Callable[[], dict[str, Any]],
        parent: QObject | None = None,
        *,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._desk = desk
        self.kind = kind
        self.customer_id = customer_id
        self._fields = fields
        self._on_error = on_error
        self._warned = False
        self.saves = 0
        self.timer = QTimer(self)
        self.timer.setObjectName(f"{kind}DraftTimer")
        self.timer.setSingleShot(True)
        self.timer.setInterval(DRAFT_DELAY_MS)
        self.timer.timeout.connect(self.save_now)

    def changed(self) -> None:
        self.timer.start()

    def save_now(self) -> None:
        self.timer.stop()
        fields = self._fields()
        if not any(v for k, v in fields.items() if k in ("purpose", "outcome", "body")):
            return  # nothing typed yet: nothing to lose
        try:
            self._desk.drafts.save(self.kind, self.customer_id, fields)
            self.saves += 1
        except UserError as exc:
            if not self._warned and self._on_error is not None:
                self._warned = True
                self._on_error(str(exc))

    def discard(self) -> None:
        self.timer.stop()
        self._desk.drafts.discard(self.kind, self.customer_id)


class DraftDialog(QDialog):
    """A form whose typing is kept as a draft (the visit and note dialogs): one error line,
    Cancel on purpose discards the draft, and dispose() tears the dialog down."""

    draft: DraftKeeper

    def make_error_label(self, name: str) -> QLabel:
        self.error = QLabel()
        self.error.setObjectName(name)
        self.error.setProperty("tone", "fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        return self.error

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def reject(self) -> None:
        # Cancel on purpose: the safety copy goes too. A crash never gets here.
        self.draft.discard()
        super().reject()

    def dispose(self) -> None:
        """Delete on the UI thread: left to Python's collector, a dialog (and its timers) could
        be torn down from a worker thread that happens to trigger a collection."""
        self.draft.timer.stop()
        self.setParent(None)
        self.deleteLater()
