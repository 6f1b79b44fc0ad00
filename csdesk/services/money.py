"""Money as people type it ("12.50", "12,50", "$12.50", "1,234.50") to integer cents, and back."""

from __future__ import annotations

import re

from csdesk.errors import UserError

MAX_CENTS = 100_000_000  # 1,000,000.00: larger is surely a typo at a shop counter

_SYMBOLS = re.compile(r"[$€£¥₹]|\b(?:usd|eur|gbp|chf|cad|aud)\b", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# Whole part either plain digits or grouped by thousands; then an optional 1-2 digit fraction.
_AMOUNT = re.compile(r"(\d{1,3}(?:([.,'])\d{3})+|\d+)(?:([.,])(\d{1,2}))?")


def parse_amount(text: str, *, field: str = "amount") -> int:
    """Return integer cents. Negative, empty, non-numeric or absurd amounts raise UserError."""
    value = _SPACES.sub("", _SYMBOLS.sub("", text or ""))
    if not value:
        raise UserError("Type an amount, like 12.50.", field=field)
    if value.startswith("-") or value.endswith("-") or value.startswith("("):
        raise UserError(
            "An amount cannot be negative. Type it without the minus sign.", field=field
        )
    if value.startswith("+"):
        value = value[1:]
    match = _AMOUNT.fullmatch(value)
    if not match or (match.group(2) and match.group(2) == match.group(3)):
        raise UserError(
            f"“{text.strip()[:40]}” is not an amount. Type it like 12.50 or 12,50.", field=field
        )
    if match.group(2) and match.group(3) is None and match.group(1).count(match.group(2)) == 1:
        # "12.555" or "1,250": a thousands group or a mistyped fraction? Guessing risks 1000x.
        raise UserError(
            f"“{text.strip()[:40]}” could be read two ways. Type cents with two digits "
            "(12.56) or the whole amount without separators (12555).",
            field=field,
        )
    whole = int(re.sub(r"\D", "", match.group(1)))
    fraction = (match.group(4) or "").ljust(2, "0")
    cents = whole * 100 + int(fraction or 0)
    if cents > MAX_CENTS:
        raise UserError(
            f"That is more than {format_cents(MAX_CENTS)}. Check the amount.", field=field
        )
    return cents


def format_cents(cents: int) -> str:
    """12345 -> '123.45', with thousands grouped: 123456789 -> '1,234,567.89'."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{fraction:02d}"
