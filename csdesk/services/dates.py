"""Due dates people type, service-level targets in business time, and "2 days left" labels.

Business time: targets count weekday time only. The SLA clock pauses from Saturday 00:00 to
Monday 00:00 in the shop's time zone (setting `issue_business_days`, Monday=0, default Mon-Fri).
An issue logged Friday 15:00 with a one-day target is due Monday 15:00; one logged on Saturday
starts its clock on Monday 00:00. Time left and overdue are plain wall-clock time: that is what the
customer experiences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csdesk.errors import UserError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_BUSINESS_DAYS = (0, 1, 2, 3, 4)
DEFAULT_DUE_TIME = time(17, 0)  # a date without a time means "by the end of the working day"

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](.+))?")
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")
_IN = re.compile(r"in\s+(\d{1,4})\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)")


# The dates csdesk reads anywhere (a command's option, a form): a shop's records live between these
# years. Bounding them here also keeps "the day after" and "the end of that day" arithmetic from
# overflowing Python's date range (9999-12-31 + 1 day).
MIN_YEAR, MAX_YEAR = 1900, 2999
DAY_FORMATS = "YYYY-MM-DD (like 2026-11-30), today, yesterday or tomorrow"
MOMENT_FORMATS = (
    "YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DD HH:MM (like 2026-11-30T08:00, shop time, "
    "or with an offset like +01:00)"
)
_DAY_ONLY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MOMENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2}):(\d{2})(?::(\d{2}))?(z|[+-]\d{2}:?\d{2})?")
_RELATIVE = {"today": 0, "yesterday": -1, "tomorrow": 1}


def make_date(year: int, month: int, day: int, original: str, *, field: str = "date") -> date:
    """A real calendar day within MIN_YEAR..MAX_YEAR, else a UserError that names the text."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UserError(
            f"“{original[:40]}”: csdesk reads dates from {MIN_YEAR} to {MAX_YEAR}.", field=field
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise UserError(
            f"There is no {original[:40]}. Check the month and the day.", field=field
        ) from None


def parse_day(text: str, today: date, *, field: str = "date") -> date:
    """One calendar day as people type it: DAY_FORMATS. Anything else is a UserError that lists them."""
    original = (text or "").strip()
    value = original.lower()
    if value in _RELATIVE:
        return today + timedelta(days=_RELATIVE[value])
    match = _DAY_ONLY.fullmatch(value)
    if not match:
        raise UserError(f"“{original[:40]}” is not a date. Write {DAY_FORMATS}.", field=field)
    return make_date(int(match[1]), int(match[2]), int(match[3]), original, field=field)


def parse_moment(text: str, today: date, *, field: str = "from") -> datetime:
    """A day or a time of day: MOMENT_FORMATS. A bare day means its midnight. Naive unless the text
    has an offset (naive means shop time: the caller knows the shop's zone). Words like "yesterday"
    are for whole days (parse_day): a start time written as a word is too easy to misread."""
    original = (text or "").strip()
    value = original.lower()
    if _DAY_ONLY.fullmatch(value):
        return datetime.combine(parse_day(value, today, field=field), time(0))
    match = _MOMENT.fullmatch(value)
    if not match:
        raise UserError(
            f"--{field} “{original[:40]}” is not a time I can read. Write {MOMENT_FORMATS}.",
            field=field,
        )
    day = make_date(int(match[1]), int(match[2]), int(match[3]), original, field=field)
    hour, minute, second = int(match[4]), int(match[5]), int(match[6] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise UserError(f"“{original[:40]}”: there is no {hour:02d}:{minute:02d} on a clock.",
                        field=field)
    moment = datetime.combine(day, time(hour, minute, second))
    if match[7]:
        offset = match[7].upper().replace("Z", "+00:00")
        moment = datetime.fromisoformat(f"{moment.isoformat()}{offset}")
    return moment


def is_bare_day(text: str) -> bool:
    return bool(_DAY_ONLY.fullmatch((text or "").strip()))


def local_to_utc(moment: datetime, tz: tzinfo) -> datetime:
    """A moment from parse_moment (naive: shop time) as aware UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(UTC)


def zone(name: str | None) -> tzinfo:
    """The shop's time zone from its IANA name; the computer's own zone when unset or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.now().astimezone().tzinfo or UTC


def _weekday(word: str) -> int | None:
    if len(word) < 2:
        return None
    for index, day in enumerate(WEEKDAYS):
        if day.startswith(word) and (len(word) >= 3 or word in ("mo", "tu", "we", "th", "fr")):
            return index
    return None


def _parse_clock(text: str, original: str) -> time:
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        raise UserError(f"“{original}”: write the time like 15:00 or 3pm.", field="due")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise UserError(f"“{original}”: {hour}{half} is not a time.", field="due")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise UserError(
            f"“{original}”: there is no {hour:02d}:{minute:02d} on a clock.", field="due"
        )
    return time(hour, minute)


def _at(day: date, moment: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def parse_due(
    text: str, now: datetime, tz: tzinfo, *, default_time: time = DEFAULT_DUE_TIME
) -> datetime:
    """'2026-12-04', '2026-12-04 15:00', 'tomorrow 9am', 'friday', 'in 3 days' -> aware UTC.

    A bare weekday means the next one after today. A date without a time means `default_time`
    (or the end of today when that has already passed). Impossible dates raise UserError.
    """
    original = (text or "").strip()
    value = re.sub(r"\s+", " ", original.lower())
    if not value:
        raise UserError("Say when it is due, like 2026-12-04, tomorrow or friday.", field="due")
    local_now = now.astimezone(tz)
    today = local_now.date()
    match = _IN.fullmatch(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)[0]
        step = {
            "m": timedelta(minutes=1),
            "h": timedelta(hours=1),
            "d": timedelta(days=1),
            "w": timedelta(weeks=1),
        }[unit]
        return (now + amount * step).astimezone(UTC)
    day: date | None = None
    rest = ""
    match = _ISO.fullmatch(value)
    if match:
        year, month, dom = (int(match.group(i)) for i in (1, 2, 3))
        day = make_date(year, month, dom, original.split()[0], field="due")
        rest = match.group(4) or ""
    else:
        word, _, rest = value.removeprefix("next ").partition(" ")
        if word == "today":
            day = today
        elif word == "tomorrow":
            day = today + timedelta(days=1)
        elif (weekday := _weekday(word)) is not None:
            day = today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if day is None:
        raise UserError(
            f"“{original[:40]}” is not a date I know. Try 2026-12-04, 2026-12-04 15:00, "
            "tomorrow, friday or in 3 days.",
            field="due",
        )
    rest = rest.strip().removeprefix("at ").strip()
    if rest:
        return _at(day, _parse_clock(rest, original), tz)
    due = _at(day, default_time, tz)
    if day == today and due <= now:
        due = _at(day, time(23, 59), tz)
    return due


def add_business_time(
    start: datetime,
    duration: timedelta,
    tz: tzinfo,
    business_days: Iterable[int] = DEFAULT_BUSINESS_DAYS,
) -> datetime:
    """`start` plus `duration`, counting only time on business days (in the shop's zone)."""
    days = set(business_days) or set(range(7))
    cursor = start.astimezone(UTC)
    remaining = duration
    while True:
        local = cursor.astimezone(tz)
        next_midnight = _at(local.date() + timedelta(days=1), time(0), tz)
        if local.weekday() in days:
            chunk = next_midnight - cursor
            if remaining <= chunk:
                return cursor + remaining
            remaining -= chunk
        cursor = next_midnight


def span(seconds: float) -> str:
    """A short, rounded duration: '12 min', '5 h', '1 day', '3 days'."""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))} min"
    # Hours and days to the nearest, not cut down: a follow-up due "in 3 days" said "2 days left"
    # a second after it was made.
    if seconds < 48 * 3600:
        return f"{int(seconds / 3600 + 0.5)} h"
    days = int(seconds / 86400 + 0.5)
    return f"{days} day" if days == 1 else f"{days} days"


def left_label(seconds_left: float | None) -> str:
    """'2 days left', '3 h overdue', '' when the clock has stopped."""
    if seconds_left is None:
        return ""
    return f"{span(seconds_left)} left" if seconds_left >= 0 else f"{span(seconds_left)} overdue"
