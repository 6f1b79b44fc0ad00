"""The services' name for csdesk.text (folding lives at the bottom floor, shared with the store)."""

from __future__ import annotations

from csdesk.text import (
    clean_line,
    clean_text,
    digits,
    exact_keys,
    fold,
    folded_phrase,
    has_hidden,
    search_norm,
    tokens,
)

__all__ = [
    "clean_line", "clean_text", "digits", "exact_keys", "fold", "folded_phrase", "has_hidden",
    "search_norm", "tokens",
]
