"""The name a file is saved under, from the name a person typed: one rule for every save dialog.

A save dialog returns the name as typed (Qt's own dialog and GTK on Linux do not add the
extension). Replacing "the suffix" with `Path.with_suffix` is wrong for people's names: it turns
"Letter to Mr. Brown" into "Letter to Mr.pdf" and "Thanks.Maria" into "Thanks.pdf", and the file
then written is one the dialog never asked about, so an existing file was replaced without a
question. The rule here keeps the typed name and appends the extension only when the name does not
already end with an accepted one (case-insensitive); when that changes the name and the new name
already exists, the face must ask before replacing it.

The same goes for the format a name promises: `export daily -o day.docx` wrote CSV into a .docx
and `--format xlsx -o day.csv` an xlsx zip into a .csv. `format_for` refuses a name whose
extension names another format, or one csdesk does not write; the command line and the window
both ask it.

Qt-free, so the rule is tested without a window and every face shares it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from csdesk.errors import UserError

__all__ = ["FormatMismatch", "SaveTarget", "extension_of", "format_for", "save_target",
           "with_extension"]

# What counts as a file-type extension: letters and digits after the last dot. "Mr. Brown" or
# "Thanks." end in no extension at all.
_EXTENSION = re.compile(r"\.([A-Za-z0-9]+)$")


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


class FormatMismatch(UserError):
    """The name's extension names a format other than the one asked for, or none csdesk writes.

    The message says what is wrong and the name to use; a face adds how it chooses a format
    (--format on the command line, the button in the window)."""

    def __init__(self, message: str, *, extension: str, wanted: str | None) -> None:
        super().__init__(message, field="output")
        self.extension = extension
        self.wanted = wanted


def extension_of(name: Path | str) -> str | None:
    """The file-type extension of a name, lower case, without the dot; None when it has none."""
    found = _EXTENSION.search(Path(name).name)
    return found.group(1).lower() if found else None


def format_for(name: Path | str, fmt: str | None, formats: Sequence[str], *, default: str) -> str:
    """The format to write under `name`: `fmt` when given, else the one its extension names,
    else `default` for a name with no extension. FormatMismatch when the extension names
    another of `formats`, or (no `fmt` given) a format csdesk does not write."""
    ext = extension_of(name)
    shown = Path(name).name
    if fmt is not None:
        if ext is not None and ext in formats and ext != fmt:
            stem = shown[: -len(ext) - 1]
            raise FormatMismatch(
                f"“{shown}” is a .{ext} name, but the format asked for is {fmt}: the file would "
                f"not open as what its name says. Name it “{stem}.{fmt}”.",
                extension=ext, wanted=fmt,
            )
        return fmt
    if ext is None:
        return default
    if ext not in formats:
        dotted = [f".{f}" for f in formats]
        listed = " or ".join([", ".join(dotted[:-1]), dotted[-1]]) if len(dotted) > 1 else dotted[0]
        raise FormatMismatch(
            f"“{shown}” ends in .{ext}, which is not a format csdesk writes. Give a name ending "
            f"in {listed}.",
            extension=ext, wanted=None,
        )
    return ext
