"""Item roles shared by our models and the two-line delegate."""

from __future__ import annotations

from PySide6.QtCore import Qt

SECONDARY_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the quieter second line under a row
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # the record's id
EMPHASIS_ROLE = int(Qt.ItemDataRole.UserRole) + 3  # True: draw the row's marker (pinned, exact)
