"""Dates and money as people write them (pure): letters use them in templates, the customer
card in the window. Apart from services.letters so the window can show a date without loading
the letter templates' machinery (Jinja) before the first search."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Any

from csdesk.services.clock import parse

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def format_date(
    value: Any, style: str = "long", order: str = "dmy", tz: tzinfo | None = None
) -> str:
    """Dates as people write them. Accepts date, datetime, ISO text or '--MM-DD' birthdays.

    A moment is shown on its day in `tz` (the shop's zone; the computer's when None)."""
    if value is None or value == "":
        return ""
    year: int | None
    if isinstance(value, datetime):
        moment = value.astimezone(tz) if value.tzinfo else value
        year, month, day, weekday = moment.year, moment.month, moment.day, moment.weekday()
    elif isinstance(value, date):
        year, month, day, weekday = value.year, value.month, value.day, value.weekday()
    else:
        text = str(value).strip()
        match = re.fullmatch(r"--(\d{2})-(\d{2})", text)
        if match:
            year, month, day, weekday = None, int(match.group(1)), int(match.group(2)), -1
        else:
            try:
                parsed = parse(text) if "T" in text else datetime.fromisoformat(text)
            except ValueError:
                return text
            return format_date(parsed if "T" in text else parsed.date(), style, order, tz)
    name = _MONTHS[month - 1]
    day_month = f"{name} {day}" if order == "mdy" else f"{day} {name}"
    if style in ("day_month", "birthday") or year is None:
        return day_month
    if style == "short":
        return (
            f"{month:02d}/{day:02d}/{year}" if order == "mdy" else f"{day:02d}/{month:02d}/{year}"
        )
    if style == "iso":
        return f"{year}-{month:02d}-{day:02d}"
    if style == "month_year":
        return f"{name} {year}"
    long = f"{day_month}, {year}" if order == "mdy" else f"{day_month} {year}"
    if style == "weekday" and weekday >= 0:
        day_name = _DAYS[weekday]
        return f"{day_name}, {long}" if order == "mdy" else f"{day_name} {long}"
    return long


def format_moment(iso_text: str | None, tz: tzinfo, now: datetime | None = None) -> str:
    """'Tue 1 Dec, 17:00' in the shop's time zone, with the year when it is not this year's
    ('Tue 1 Jan 2019, 17:00'): without it a follow-up typed as 2019-01-01 read as this January,
    and a due date years off looked like next week. '' for nothing."""
    if not iso_text:
        return ""
    try:
        moment = parse(iso_text).astimezone(tz)
    except ValueError:
        return iso_text
    this_year = (now.astimezone(tz) if now is not None else datetime.now(tz)).year
    year = "" if moment.year == this_year else f" {moment.year}"
    return f"{moment:%a} {moment.day} {moment:%b}{year}, {moment:%H:%M}"


def format_money(cents: Any, symbol: str = "$") -> str:
    """Integer cents as money: 123456 -> '$1,234.56'; negative amounts get a leading minus."""
    if cents is None or cents == "":
        return ""
    try:
        value = int(cents)
    except (TypeError, ValueError):
        return str(cents)
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 100)
    return f"{sign}{symbol}{whole:,}.{part:02d}"
