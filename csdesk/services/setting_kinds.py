"""The kinds of value a shop setting holds: how each is read from what a person types (the
command line, a dialog's text), how a value given by code is checked, and how it is shown.

Every function takes `object` (text, or the typed value code passes) and returns the typed,
normalised value, or raises UserError saying what would be right. Pure: no database, no Qt.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

from csdesk.errors import UserError
from csdesk.services.issue_rules import DEFAULT_TARGET_HOURS
from csdesk.services.money import format_cents, parse_amount
from csdesk.services.text import clean_text

Check = Callable[[object], Any]

LOGO_MAX_BYTES = 4 * 1024 * 1024  # a letterhead logo; bigger files make every PDF slow and huge
PRIORITIES = ("urgent", "high", "normal", "low")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_YES = {"1", "true", "yes", "on", "y"}
_NO = {"0", "false", "no", "off", "n"}
_UNLIMITED = {"", "none", "unlimited", "no limit", "-"}


def text(limit: int) -> Check:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise UserError("Type some text.")
        # Runs of spaces folded, line breaks kept (an address has several lines); no controls
        # or bidi overrides (a shop name on every letter must read as it is stored).
        lines = clean_text(value).strip().splitlines()
        clean = "\n".join(" ".join(line.split()) for line in lines)
        if len(clean) > limit:
            raise UserError(f"Keep it under {limit} characters.")
        return clean

    return check


_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s.<>\"(),;:]{2,}$")
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$")


def email_address(value: object) -> str:
    """An e-mail address or '' (not set). No name part: names have their own setting."""
    clean = str(value).strip()
    if clean and not _EMAIL.match(clean):
        raise UserError(f"“{clean}” is not an e-mail address (like shop@example.com).")
    return clean


def host_name(value: object) -> str:
    """A mail server's name or address, or '' (not set)."""
    clean = str(value).strip().rstrip(".")
    if clean and not _HOST.match(clean):
        raise UserError(f"“{clean}” is not a server name (like mail.example.com).")
    return clean


def choice(*allowed: str) -> Check:
    def check(value: object) -> str:
        clean = str(value).strip()
        found = next((a for a in allowed if a.casefold() == clean.casefold()), None)
        if found is None:
            raise UserError(f"Choose one of: {', '.join(allowed)}.")
        return found

    return check


def whole_number(low: int, high: int, hint: str) -> Check:
    def check(value: object) -> int:
        try:
            if isinstance(value, bool):
                raise ValueError
            number = value if isinstance(value, int) else int(str(value).strip())
        except ValueError:
            raise UserError(f"Type a whole number: {hint}.") from None
        if not low <= number <= high:
            raise UserError(hint[0].upper() + hint[1:] + ".")
        return number

    return check


def decimal(low: float, high: float, hint: str) -> Check:
    def check(value: object) -> float:
        try:
            number = float(value) if isinstance(value, int | float) else float(str(value).strip())
        except ValueError:
            raise UserError(f"Type a number: {hint}.") from None
        if not low <= number <= high:
            raise UserError(hint[0].upper() + hint[1:] + ".")
        return number

    return check


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise UserError("Type yes or no.")


def money_limit(value: object) -> int | None:
    """Cents, or None for no limit. Text: '50.00', '500', 'unlimited'; code: int cents or None."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise UserError("A limit cannot be negative.")
        return value
    typed = str(value).strip()
    if typed.casefold() in _UNLIMITED:
        return None
    if typed == "0":
        return 0
    return parse_amount(typed, field="limit")


def show_money_limit(value: object) -> str:
    return "unlimited" if value is None else format_cents(int(value))  # type: ignore[call-overload]


def target_hours(value: object) -> dict[str, float]:
    """Hours to resolve an issue of each priority. Text: 'urgent=4, high=24' (the others keep
    their defaults); code: a mapping."""
    if isinstance(value, dict):
        pairs = [(str(k), v) for k, v in value.items()]
    else:
        pairs = []
        for part in str(value).replace(";", ",").split(","):
            if not part.strip():
                continue
            key, sep, hours = part.partition("=")
            if not sep:
                raise UserError("Write it like urgent=4, high=24, normal=72, low=168 (hours).")
            pairs.append((key, hours))
    result = {k: float(v) for k, v in DEFAULT_TARGET_HOURS.items()}
    for key, hours in pairs:
        name = key.strip().casefold()
        if name not in PRIORITIES:
            raise UserError(f"“{key.strip()}” is not a priority. Use {', '.join(PRIORITIES)}.")
        try:
            number = float(str(hours))
        except (TypeError, ValueError):
            raise UserError(f"The {name} target needs a number of hours.") from None
        if not 0.25 <= number <= 24 * 90:
            raise UserError("A target is between a quarter of an hour and 90 days (2160 hours).")
        result[name] = number
    return result


def show_target_hours(value: object) -> str:
    hours = value if isinstance(value, dict) else {}
    return ", ".join(f"{p}={hours.get(p, 0):g}" for p in PRIORITIES)


def business_days(value: object) -> list[int]:
    """Weekdays the shop works (0 = Monday). Text: 'mon,tue,wed,thu,fri' or '0,1,2,3,4'."""
    items: list[object] = list(value) if isinstance(value, list | tuple) else list(str(value).split(","))
    days: set[int] = set()
    for item in items:
        word = str(item).strip().casefold()[:3]
        if not word:
            continue
        if word in WEEKDAYS:
            days.add(WEEKDAYS.index(word))
        elif word.isdigit() and int(word) < 7:
            days.add(int(word))
        else:
            raise UserError(f"“{str(item).strip()}” is not a weekday. Use mon, tue, ... sun.")
    if not days:
        raise UserError("Name at least one working day, like mon,tue,wed,thu,fri.")
    return sorted(days)


def show_business_days(value: object) -> str:
    days = value if isinstance(value, list | tuple) else []
    return ",".join(WEEKDAYS[int(d)] for d in days if 0 <= int(d) < 7)


def timezone(value: object) -> str:
    clean = str(value).strip()
    if clean and clean not in zoneinfo.available_timezones():
        raise UserError(
            f"“{clean}” is not a time zone name. Use one like Europe/Berlin or America/New_York."
        )
    return clean


def region(value: object) -> str:
    import phonenumbers  # its metadata only to check a region being set: every Desk loads this module

    clean = str(value).strip().upper()
    if clean not in phonenumbers.SUPPORTED_REGIONS:
        raise UserError(f"“{str(value).strip()}” is not a country code. Use two letters, like US, GB or DE.")
    return clean


def logo(value: object) -> str:
    """A letterhead image csdesk can draw: PNG, JPEG, GIF or SVG, at most LOGO_MAX_BYTES.

    Checked by its first bytes, not its name, so `/etc/passwd` or a renamed PDF is refused
    before every letter shows a broken image. Stored as an absolute path; '' means no logo."""
    typed = str(value).strip()
    if not typed:
        return ""
    path = Path(typed).expanduser()
    try:
        path = path.resolve()
        size = path.stat().st_size
        if not path.is_file():
            raise UserError(f"{path} is not a file. Give the path of an image file.")
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if size > LOGO_MAX_BYTES:
        raise UserError(
            f"{path.name} is {size / 1e6:.1f} MB; a logo may be up to {LOGO_MAX_BYTES // 2**20} MB. "
            "Save a smaller copy (a few hundred pixels wide is plenty)."
        )
    if image_kind(head) is None:
        raise UserError(f"{path.name} is not a PNG, JPEG, GIF or SVG image, so letters cannot show it.")
    return str(path)


def image_kind(head: bytes) -> str | None:
    """'png', 'jpeg', 'gif' or 'svg' from a file's first bytes; None for anything else."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (start.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg"))) and b"<svg" in head.lower():
        return "svg"
    return None
