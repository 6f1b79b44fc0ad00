"""The services' name for csdesk.text (folding lives at the bottom floor, shared with the store)."""

from __future__ import annotations

from csdesk.text import digits, exact_keys, fold, folded_phrase, search_norm, tokens

__all__ = ["digits", "exact_keys", "fold", "folded_phrase", "search_norm", "tokens"]
