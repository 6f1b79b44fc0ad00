"""Every save dialog of the window, through one door: the name rule of services/file_names.py,
and a question before replacing a file the dialog did not ask about."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from csdesk.services.file_names import SaveTarget, save_target
from csdesk.ui.dialogs.notice import Confirm


def confirm_target(
    parent: QWidget | None, chosen: Path | str, extensions: Sequence[str]
) -> SaveTarget | None:
    """The target for a name the save dialog returned; None when the person would rather not
    replace the file the added extension lands on."""
    target = save_target(chosen, extensions)
    if not target.ask_first:
        return target
    if Confirm.ask(
        parent,
        "Replace the file?",
        f"“{target.path.name}” already exists in {target.path.parent}. Replace it?\n\n"
        f"(You typed “{Path(chosen).name}”; csdesk adds “{extensions[0]}”.)",
        yes="Replace",
    ):
        return target.agreed()
    return None


def ask_save_target(
    parent: QWidget | None, title: str, suggested: Path, filters: str, extensions: Sequence[str]
) -> SaveTarget | None:
    """Ask where to save; None when the person cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), filters)
    if not chosen:
        return None
    return confirm_target(parent, chosen, extensions)
