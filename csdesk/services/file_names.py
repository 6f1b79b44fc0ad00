"""The name a file is saved under, from the name a person typed: one rule for every save dialog.

A save dialog returns the name as typed (Qt's own dialog and GTK on Linux do not add the
extension). Replacing "the suffix" with `Path.with_suffix` is wrong for people's names: it turns
"Letter to Mr. Brown" into "Letter to Mr.pdf" and "Thanks.Maria" into "Thanks.pdf", and the file
then written is one the dialog never asked about, so an existing file was replaced without a
question. The rule here keeps the typed name and appends the extension only when the name does not
already end with an accepted one (case-insensitive); when that changes the name and the new name
already exists, the face must ask before replacing it.

Qt-free, so the rule is tested without a window and every face shares it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["SaveTarget", "save_target", "with_extension"]


def with_extension(path: Path | str, extensions: Sequence[str]) -> Path:
    """`path` when its name already ends with one of `extensions` (".pdf", any case); otherwise
    the name with the first of them appended. Nothing the person typed is dropped."""
    path = Path(path)
    name = path.name.lower()
    if any(name.endswith(ext.lower()) for ext in extensions):
        return path
    return path.with_name(path.name + extensions[0])


@dataclass(frozen=True)
class SaveTarget:
    """Where to write, and whether replacing an existing file there was agreed to.

    `overwrite` is True only for the exact path the person confirmed: the name the save dialog
    returned (the dialog asks before returning an existing file's name), or a changed name the
    face asked about. `ask_first` is True when the name was changed and that file exists: the face
    asks, then calls `agreed()`. A changed name that did not exist is written with overwrite False,
    so a file that appears there in the meantime is refused, not replaced.
    """

    path: Path
    overwrite: bool
    ask_first: bool = False

    def agreed(self) -> SaveTarget:
        return replace(self, overwrite=True, ask_first=False)


def save_target(chosen: Path | str, extensions: Sequence[str]) -> SaveTarget:
    """The target for a name a save dialog confirmed; see SaveTarget."""
    typed = Path(chosen)
    path = with_extension(typed, extensions)
    if path == typed:
        return SaveTarget(path, overwrite=True)
    return SaveTarget(path, overwrite=False, ask_first=path.exists())
