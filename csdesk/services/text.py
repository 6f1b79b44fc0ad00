"""Folding text the way the search index does: case- and accent-insensitive tokens."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# unicode61 splits on anything that is not a letter or a number; so do we.
_SPLIT = re.compile(r"[\W_]+", re.UNICODE)


def _is_latin(ch: str) -> bool:
    return "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"


@lru_cache(maxsize=65536)  # names repeat a lot in imports and searches; folding is pure
def fold(text: str) -> str:
    """Lower-case and strip Latin accents: 'José Ñúñez' -> 'jose nunez'.

    Matches SQLite's unicode61 tokenizer with remove_diacritics 2, which folds Latin letters
    only (Greek and Cyrillic keep theirs, and ß stays ß); the recency scan and the FTS index
    must agree on what a word is.
    """
    if text.isascii():
        return text.lower()  # the common case, without decomposing every character
    out: list[str] = []
    for ch in text:
        if _is_latin(ch):
            out.extend(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        elif ch == "ẛ":
            out.append("s")
        elif not unicodedata.combining(ch):
            out.append(ch)
    return "".join(out).lower().translate(_UNICODE61_EXTRA)


# Letter variants unicode61 folds to their plain form (final sigma, Greek symbol forms, long s).
_UNICODE61_EXTRA = str.maketrans("ςϐϑϕϖϰϱϵſ", "σβθφπκρεs")


def tokens(text: str) -> list[str]:
    """Folded tokens as FTS5's unicode61 tokenizer (remove_diacritics 2) would see them."""
    return list(_tokens(text))


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in _SPLIT.split(fold(text)) if t)


def folded_phrase(text: str) -> str:
    return " ".join(tokens(text))


def search_norm(*names: str) -> str:
    """' '-framed folded name tokens, so ' ' + prefix is a word-start test."""
    words: list[str] = []
    for name in names:
        words.extend(tokens(name))
    return " " + " ".join(words) + " " if words else ""


def exact_keys(first: str, last: str, preferred: str) -> str:
    """'|'-framed whole names, for 'exact match first' ranking."""
    keys = []
    for value in (first, last, preferred, f"{first} {last}", f"{preferred} {last}"):
        phrase = folded_phrase(value)
        if phrase and phrase not in keys:
            keys.append(phrase)
    return "|" + "|".join(keys) + "|" if keys else ""


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() and ch.isascii())
