"""The sentence staff read aloud. A pure function of a customer, their history and 'now'.

`greet()` takes plain values, so the banner and the tests can call it without a database;
`Greetings.for_customer()` gathers those values for one customer through the services.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from csdesk.domain import Customer, Note, NoteKind, Visit
from csdesk.services.clock import parse

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.customers import CustomerService
    from csdesk.services.issue_queries import IssueQueries
    from csdesk.services.notes import NoteService
    from csdesk.services.visits import VisitService

LONG_ABSENCE_DAYS = 120
BIRTHDAY_WINDOW_DAYS = 7
_BIRTHDAY = re.compile(r"(?:(\d{4})|-)-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Greeting:
    headline: str  # "Welcome back, Maria!"
    details: tuple[str, ...]  # "4th visit · last one 3 weeks ago: fitted walking boots"
    alerts: tuple[str, ...]  # read-before-serving notes, shown prominently

    @property
    def text(self) -> str:
        """Everything as one block, for a tooltip, a screen reader or the CLI."""
        return "\n".join((self.headline, *self.alerts, *self.details))


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


def note_in_force(note: Note, today: date) -> bool:
    """A note with no expiry always applies; otherwise up to and including its expiry day."""
    if not note.expires_on:
        return True
    try:
        return date.fromisoformat(note.expires_on[:10]) >= today
    except ValueError:
        return True  # an unreadable date must not hide a warning


def _birthday_on(year: int, month: int, day: int) -> date:
    """The day to celebrate in `year`; 29 February falls on the 28th in common years."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def birthday_line(birthday: str, today: date) -> str:
    """'Birthday today: turning 40!', 'Birthday in 3 days, on Friday.', ... or '' if not near."""
    match = _BIRTHDAY.fullmatch(birthday.strip())
    if not match:
        return ""
    born = int(match[1]) if match[1] else None
    month, day = int(match[2]), int(match[3])
    try:
        candidates = [_birthday_on(today.year + k, month, day) for k in (-1, 0, 1)]
    except ValueError:
        return ""
    when = min(candidates, key=lambda d: abs((d - today).days))
    offset = (when - today).days
    if abs(offset) > BIRTHDAY_WINDOW_DAYS:
        return ""
    age = when.year - born if born and when.year - born > 0 else None
    if offset == 0:
        return f"Birthday today: turning {age}!" if age else "Birthday today!"
    turning = f" (turning {age})" if age else ""
    turned = f" (turned {age})" if age else ""
    if offset == 1:
        return f"Birthday tomorrow{turning}."
    if offset > 1:
        return f"Birthday in {offset} days, on {when.strftime('%A')}{turning}."
    if offset == -1:
        return f"Birthday was yesterday{turned}."
    return f"Birthday was {-offset} days ago{turned}."


def _name(customer: Customer) -> str:
    """A name to say aloud: preferred, else first. A bare surname is not said on its own."""
    return (customer.preferred_name or customer.first_name).strip()


def _name_hint(customer: Customer) -> str:
    if _name(customer):
        return ""
    if customer.last_name.strip():
        surname = customer.last_name.strip()
        return f"Only the surname is on file ({surname}): ask what they like to be called."
    if customer.email:
        return f"No name on file yet ({customer.email}): ask for it when it feels right."
    return "No name on file yet: ask for it when it feels right."


def greet(
    customer: Customer,
    last_visit: Visit | None,
    notes: Sequence[Note],
    now: datetime,
    *,
    open_issues: Sequence[str] = (),
) -> Greeting:
    """The banner for `customer` at `now`.

    `last_visit` is their latest visit (None if none), `notes` any of their notes (only
    read-before-serving ones still in force become alerts), `open_issues` one short line per open
    issue, for features that track them.
    """
    name = _name(customer)
    today = now.date()
    returning = customer.visit_count > 0 and last_visit is not None
    # Their one visit is today's, already logged (a new customer at the counter): not "back".
    first_today = (last_visit is not None and customer.visit_count == 1
                   and ago(parse(last_visit.at), now) == "today")
    if returning and not first_today:
        headline = f"Welcome back, {name}!" if name else "Welcome back!"
    else:
        headline = f"Welcome, {name}!" if name else "Welcome!"
    details: list[str] = []
    if customer.pronunciation.strip():
        details.append(f"Say it: {customer.pronunciation.strip()}")
    if last_visit is not None and returning:
        then = parse(last_visit.at)
        about = f": {last_visit.purpose}" if last_visit.purpose else ""
        when = ago(then, now)
        if when == "today":
            # Already logged: this is that visit, not one more to come.
            details.append(f"{_ordinal(customer.visit_count)} visit · today{about}")
        else:
            details.append(f"{_ordinal(customer.visit_count + 1)} visit · last one {when}{about}")
        local = then.astimezone(now.tzinfo)
        if (today - local.date()).days >= LONG_ABSENCE_DAYS:
            month = local.strftime("%B")
            since = month if local.year == today.year else f"{month} {local.year}"
            details.append(f"Long time no see: we haven't seen you since {since}.")
    else:
        details.append("First visit: make them feel at home.")
    birthday = birthday_line(customer.birthday, today)
    if birthday:
        details.append(birthday)
    if customer.pronouns.strip():
        details.append(f"Pronouns: {customer.pronouns.strip()}")
    hint = _name_hint(customer)
    if hint:
        details.append(hint)
    details.extend(
        line.strip() if line.strip().startswith("Open") else f"Open: {line.strip()}"
        for line in open_issues
        if line.strip()
    )
    in_force = [n for n in notes if n.read_before_serving and note_in_force(n, today)]
    in_force.sort(key=lambda n: (n.kind != NoteKind.WARNING, not n.pinned))
    alerts = tuple(n.body for n in in_force)
    return Greeting(headline=headline, details=tuple(details), alerts=alerts)


class Greetings:
    """The greeting for one customer from the database: built from the context (for the clock)
    and the four services it reads."""

    def __init__(
        self,
        ctx: Context,
        *,
        customers: CustomerService,
        issues: IssueQueries,
        visits: VisitService,
        notes: NoteService,
    ) -> None:
        self._ctx = ctx
        self._customers = customers
        self._issues = issues
        self._visits = visits
        self._notes = notes

    def for_customer(
        self,
        customer_id: int,
        *,
        open_issues: Sequence[str] | None = None,
        customer: Customer | None = None,
    ) -> Greeting:
        """Gather what greet() needs for one customer (a few indexed reads) and word it.

        Open issues come from the issues service unless given; the customer too, when the
        caller has just read it (three statements fewer: the row, its phones, its e-mails)."""
        if customer is None or customer.id != customer_id:
            customer = self._customers.get(customer_id)
        if open_issues is None:
            open_issues = self._issues.open_summaries(customer_id)
        return greet(customer, self._visits.last(customer_id), self._notes.read_first(customer_id),
                     self._ctx.clock(), open_issues=open_issues)
