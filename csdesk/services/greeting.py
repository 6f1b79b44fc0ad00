"""The sentence staff read aloud. A pure function of a customer, their history and 'now'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from csdesk.domain import Customer, Note, Visit
from csdesk.services.clock import parse


@dataclass(frozen=True)
class Greeting:
    headline: str  # "Welcome back, Maria!"
    details: tuple[str, ...]  # "4th visit · last one 3 weeks ago: fitted walking boots"
    alerts: tuple[str, ...]  # read-before-serving notes, shown prominently


def ago(then: datetime, now: datetime) -> str:
    """'today', 'yesterday', '3 days ago', '2 weeks ago', '5 months ago', 'over a year ago'."""
    days = (now.date() - then.astimezone(now.tzinfo).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 365:
        return f"{days // 30} months ago"
    years = days // 365
    return "over a year ago" if years == 1 else f"over {years} years ago"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _note_active(note: Note, today: date) -> bool:
    if not note.expires_on:
        return True
    try:
        return date.fromisoformat(note.expires_on[:10]) >= today
    except ValueError:
        return True


def greet(
    customer: Customer, last_visit: Visit | None, notes: list[Note], now: datetime
) -> Greeting:
    name = customer.greeting_name
    visits = customer.visit_count
    details: list[str] = []
    if visits == 0 or last_visit is None:
        headline = f"Welcome, {name}!" if name else "Welcome!"
        details.append("First visit: make them feel at home.")
    else:
        headline = f"Welcome back, {name}!" if name else "Welcome back!"
        when = ago(parse(last_visit.at), now)
        about = f": {last_visit.purpose}" if last_visit.purpose else ""
        details.append(f"{_ordinal(visits + 1)} visit · last one {when}{about}")
    if customer.pronunciation:
        details.append(f"Say it: {customer.pronunciation}")
    if customer.pronouns:
        details.append(f"Pronouns: {customer.pronouns}")
    today = now.date()
    alerts = tuple(
        n.body for n in notes if n.read_before_serving and _note_active(n, today)
    )
    return Greeting(headline=headline, details=tuple(details), alerts=alerts)
