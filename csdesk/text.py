"""Folding text for search: case- and accent-insensitive tokens, the same for the index and the
query. Pure Python at the bottom floor, so the store's migrations and the services share it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# unicode61 splits on anything that is not a letter or a number; so do we (on folded text).
_SPLIT = re.compile(r"[\W_]+", re.UNICODE)


# Marks that change a kana into another kana (ka/ga), not accents: kept, then recomposed.
_KANA_MARKS = frozenset("\u3099\u309a")
# Letters with a mark Unicode does not decompose; people type the plain letter for them
# (Vietnamese đ, Polish ł, Danish ø, Turkish dotless ı, Maltese ħ, ...). Applied after casefold.
_PLAIN = str.maketrans("đħıłøŧƀƈɗɨʉƶȥɇɍ", "dhilotbcdiuzzer")


@lru_cache(maxsize=65536)  # names repeat a lot in imports and searches; folding is pure
def fold(text: str) -> str:
    """Case-fold and strip accents in every script: 'José Ñúñez' -> 'jose nunez',
    'Νίκος' -> 'νικοσ', 'Ольга Йоффе' -> 'ольга иоффе', 'Nguyễn Đức' -> 'nguyen duc'.

    SQLite's unicode61 tokenizer folds Latin letters only, so the search index stores text
    folded here (customers.search_norm, notes.body_norm; migration 0010_search_folding) and
    queries are folded here too: both sides agree by construction. Steps: casefold (ß -> ss,
    final ς -> σ, İ -> i + dot), compatibility-decompose (full-width letters, ligatures), drop
    the combining marks, recompose (Hangul syllables, kana), map the few undecomposable letters.
    """
    if text.isascii():
        return text.lower()  # the common case, without decomposing every character
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c in _KANA_MARKS)
    # casefold again: a compatibility form can decompose to a capital (ϒ -> Υ).
    return unicodedata.normalize("NFC", kept).casefold().translate(_PLAIN)


def tokens(text: str) -> list[str]:
    """Folded tokens, as the search index holds them (unicode61 splitting folded text)."""
    return list(_tokens(text))


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in _SPLIT.split(fold(text)) if t)


@lru_cache(maxsize=65536)
def folded_phrase(text: str) -> str:
    return " ".join(_tokens(text))


def _joined(*phrases: str) -> str:
    """The phrase of the names joined by spaces, from their own phrases: folding and splitting
    never cross a space, so this is folded_phrase(" ".join(names)) without folding again."""
    return " ".join(p for p in phrases if p)


def _phrase(text: str) -> str:
    """folded_phrase, but an e-mail address (unique: an import's 100,000 of them only pushed
    the names out of the caches, ~50 MB of them) is folded without being cached."""
    if "@" not in text:
        return folded_phrase(text)
    return " ".join(t for t in _SPLIT.split(fold.__wrapped__(text)) if t)


def search_norm(*names: str) -> str:
    """' '-framed folded name tokens, so ' ' + prefix is a word-start test."""
    words = _joined(*(_phrase(name) for name in names))
    return " " + words + " " if words else ""


def exact_keys(first: str, last: str, preferred: str) -> str:
    """'|'-framed whole names, for 'exact match first' ranking."""
    f, l_, p = folded_phrase(first), folded_phrase(last), folded_phrase(preferred)
    keys: list[str] = []
    for phrase in (f, l_, p, _joined(f, l_), _joined(p, l_)):
        if phrase and phrase not in keys:
            keys.append(phrase)
    return "|" + "|".join(keys) + "|" if keys else ""


_NOT_ASCII_DIGITS = re.compile(r"[^0-9]+")


def digits(text: str) -> str:
    """The ASCII digits of `text`, in order (a regex: the search runs it on every phone query,
    and a loop over the characters cost ~5 µs of a 50 µs lookup)."""
    return _NOT_ASCII_DIGITS.sub("", text)


# -- text people type or import, before it is stored ---------------------------------------------
# C0 and C1 controls (and DEL): a NUL from a CSV import showed as a box in the list and went raw
# into the CSV and vCard exports. Bidi embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069): "\u202eevil\u202c RLO" displayed as "live RLO", so what a counter reads is not
# what is stored or what the search finds. Right-to-left letters need none of them (the
# renderer orders Arabic and Hebrew by itself), so they are never part of a name or a note.
# The marks a script does need stay: LRM/RLM/ALM, ZWJ/ZWNJ (Persian, emoji).
_HIDDEN = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069"
_BREAKS = "\t\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029"  # what str.splitlines (and a tab) breaks on
_HIDDEN_IN_LINE = re.compile(f"[{_HIDDEN}]+")
_BREAK = re.compile(f"[{_BREAKS}]+")
_HIDDEN_IN_TEXT = re.compile(f"[{_HIDDEN}\x0b\x0c\x1c-\x1e]+")
_LINE_END = re.compile("\r\n?|[\x85\u2028\u2029]")
_ANY_HIDDEN = re.compile(f"[{_HIDDEN}{_BREAKS}]")


def clean_line(text: str) -> str:
    """A one-line field (a name, a company, a shop or computer name) as it is stored: controls
    and bidi overrides dropped, line breaks and tabs made spaces (they separate words)."""
    if not _ANY_HIDDEN.search(text):
        return text  # the common case: an import cleans every field of 100,000 rows
    return _HIDDEN_IN_LINE.sub("", _BREAK.sub(" ", text))


def clean_text(text: str) -> str:
    """Multi-line text (a note, a visit, an address) as it is stored: like clean_line, but line
    breaks (made '\\n') and tabs are kept."""
    if not _ANY_HIDDEN.search(text):
        return text
    return _HIDDEN_IN_TEXT.sub("", _LINE_END.sub("\n", text))


def has_hidden(text: str) -> bool:
    """Whether cleaning drops an invisible character (not a line break): an import says so."""
    return bool(_HIDDEN_IN_LINE.search(text))
