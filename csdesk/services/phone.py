"""Phone numbers: normalise to E.164 with phonenumbers, keep what was typed, match callers.

phonenumbers carries Google's libphonenumber metadata for every country; hand-written rules
would get trunk prefixes and number lengths wrong for most of the world.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from csdesk.errors import UserError
from csdesk.services.text import clean_line, digits

DEFAULT_REGION = "US"
_PUNCTUATION = " +-().,/#*;:"
# What nearly every number is written with (a subset of what the check below allows), checked
# in one regex call instead of a Python test per character (a fifth of normalising a number).
_PLAIN = re.compile(r"[0-9A-Za-z \t+\-().,/#*;:]*")


@dataclass(frozen=True)
class NormalisedPhone:
    raw: str
    e164: str
    digits_rev: str
    national: str


def normalise(raw: str, region: str = DEFAULT_REGION) -> NormalisedPhone:
    """Parse what a person typed; raise UserError with a helpful message if it cannot be a number."""
    # An invisible control (a NUL from an import) is dropped, not a reason to lose the number.
    return _normalise(clean_line(raw).strip(), region.upper())


# Parsing costs ~20 µs; imports, duplicate checks and caller lookups see the same numbers again
# and again. Pure (metadata is fixed), and only good answers are kept: a refusal raises afresh.
@lru_cache(maxsize=16384)
def _normalise(raw: str, region: str) -> NormalisedPhone:
    text = raw if raw.isascii() else _ascii_digits(raw)
    if not text:
        raise UserError("Enter a phone number.", field="phone")
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _PLAIN.fullmatch(text) and any(
        not (
            ch.isspace()
            or ch.isdigit()
            or (ch.isascii() and ch.isalpha())
            or ch in _PUNCTUATION
            or unicodedata.category(ch) == "Pd"  # en dashes from word processors
        )
        for ch in text
    ):
        # Letters are fine (1-800-FLOWERS, "ext 2"); an emoji or a stray symbol is a typo.
        raise UserError(
            f"“{raw}” has characters a phone number cannot have. Use digits, spaces and + ( ) - .",
            field="phone",
        )
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise UserError(
            f"“{raw}” does not look like a phone number. Type it with the area code, "
            "or with + and the country code for a number from abroad.",
            field="phone",
        ) from exc
    if not phonenumbers.is_possible_number(number):
        raise UserError(
            f"“{raw}” has the wrong number of digits for a phone number in "
            f"{phonenumbers.region_code_for_number(number) or region}. Check it and try again.",
            field="phone",
        )
    if not number.national_number:
        # "0000000000" (in any script's digits) is a placeholder someone typed, nobody's number.
        raise UserError(f"“{raw}” is not a phone number. Check it and try again.", field="phone")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = str(number.national_number)
    if number.italian_leading_zero:
        national = "0" * (number.number_of_leading_zeros or 1) + national
    return NormalisedPhone(raw=raw, e164=e164, digits_rev=digits(e164)[::-1], national=national)


def _ascii_digits(text: str) -> str:
    """Arabic-Indic, Devanagari, full-width ... digits as 0-9, so that the rules below (00 for
    +, the digit checks) read them as phonenumbers will: "٠٠٤٤..." is "0044..."."""
    return "".join(
        str(unicodedata.digit(ch)) if not ch.isascii() and unicodedata.digit(ch, None) is not None
        else ch
        for ch in text
    )


@lru_cache(maxsize=256)  # asked on every phone search typed without +; pure, and few regions
def country_code(region: str = DEFAULT_REGION) -> int:
    """The calling code of a region ('US' -> 1, 'GB' -> 44); 0 for an unknown region."""
    return int(phonenumbers.country_code_for_region(region.upper()))


def try_e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 for a caller-ID string, or None when it is not a usable number."""
    try:
        return normalise(raw, region).e164
    except UserError:
        return None


def pretty(e164: str, region: str = DEFAULT_REGION) -> str:
    """A number as people read it: national format at home, international otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region.upper():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
