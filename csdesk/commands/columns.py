"""Text columns for a terminal, measured in the cells a terminal draws rather than characters.

A CJK name ("陽翔") or a full-width character takes two cells and a combining accent none, so
padding with str.ljust pushed every later column of that line out of line with the others."""

from __future__ import annotations

import unicodedata


def cells(text: str) -> int:
    """How many terminal cells `text` takes."""
    return sum(_width(ch) for ch in text)


def column(text: str, width: int) -> str:
    """`text` cut to `width` cells (a wide character that would straddle the edge is left out)
    and padded with spaces to exactly `width` cells."""
    used = 0
    kept: list[str] = []
    for ch in text:
        w = _width(ch)
        if used + w > width:
            break
        kept.append(ch)
        used += w
    return "".join(kept) + " " * (width - used)


def _width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
