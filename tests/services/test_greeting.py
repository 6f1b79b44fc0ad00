"""The greeting's wording, as a table: each row is what staff would read aloud."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from csdesk.domain import Channel, Customer, CustomerDraft, Note, NoteKind, Visit
from csdesk.services.clock import iso
from csdesk.services.desk import Desk
from csdesk.services.greeting import greet
from tests.conftest import FakeClock

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # a Monday


def _visit(days_ago: float, purpose: str = "", now: datetime = NOW) -> Visit:
    return Visit(
        id=1,
        customer_id=1,
        at=iso(now - timedelta(days=days_ago)),
        channel=Channel.IN_PERSON,
        purpose=purpose,
    )


def _note(
    body: str, *, rbs: bool = True, expires: str | None = None, kind: NoteKind = NoteKind.REMEMBER
) -> Note:
    return Note(id=1, customer_id=1, body=body, kind=kind, read_before_serving=rbs, expires_on=expires)


@dataclass
class Case:
    name: str
    customer: Customer
    last_days_ago: float | None = None
    purpose: str = ""
    headline: str = ""
    details: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    now: datetime = NOW
    open_issues: tuple[str, ...] = field(default_factory=tuple)


FIRST = "First visit: make them feel at home."
CASES = [
    Case(
        "first visit",
        Customer(1, first_name="Maria", last_name="García"),
        headline="Welcome, Maria!",
        details=(FIRST,),
    ),
    Case(
        "preferred name and pronunciation",
        Customer(
            1,
            first_name="Oluwaseun",
            preferred_name="Seun",
            pronunciation="SHAY-oon",
            visit_count=3,
        ),
        last_days_ago=21,
        purpose="fitted walking boots",
        headline="Welcome back, Seun!",
        details=("Say it: SHAY-oon", "4th visit · last one 3 weeks ago: fitted walking boots"),
    ),
    Case(
        "returning, no purpose",
        Customer(1, first_name="Jo", visit_count=1),
        last_days_ago=1,
        headline="Welcome back, Jo!",
        details=("2nd visit · last one yesterday",),
    ),
    Case(
        "visit count 11th",
        Customer(1, first_name="Al", visit_count=10),
        last_days_ago=3,
        purpose="socks",
        headline="Welcome back, Al!",
        details=("11th visit · last one 3 days ago: socks",),
    ),
    Case(
        "visit count 22nd",
        Customer(1, first_name="Al", visit_count=21),
        last_days_ago=1,
        headline="Welcome back, Al!",
        details=("22nd visit · last one yesterday",),
    ),
    Case(
        "today's visit already logged",
        Customer(1, first_name="Al", visit_count=21),
        last_days_ago=0,
        purpose="hiking socks",
        headline="Welcome back, Al!",
        details=("21st visit · today: hiking socks",),
    ),
    Case(
        "first visit, already logged today: welcome, not welcome back",
        Customer(1, first_name="Maria", visit_count=1),
        last_days_ago=0.01,
        purpose="new boots",
        headline="Welcome, Maria!",
        details=("1st visit · today: new boots",),
    ),
    Case(
        "long absence this year",
        Customer(1, first_name="Lena", visit_count=4),
        last_days_ago=265,
        purpose="resoled boots",
        headline="Welcome back, Lena!",
        details=(
            "5th visit · last one 8 months ago: resoled boots",
            "Long time no see: we haven't seen you since March.",
        ),
    ),
    Case(
        "long absence last year",
        Customer(1, first_name="Lena", visit_count=1),
        last_days_ago=547,
        headline="Welcome back, Lena!",
        details=(
            "2nd visit · last one over a year ago",
            "Long time no see: we haven't seen you since June 2025.",
        ),
    ),
    Case(
        "not yet a long absence",
        Customer(1, first_name="Lena", visit_count=1),
        last_days_ago=100,
        headline="Welcome back, Lena!",
        details=("2nd visit · last one 3 months ago",),
    ),
    Case(
        "birthday in 3 days with year",
        Customer(1, first_name="Ana", birthday="1986-12-03"),
        headline="Welcome, Ana!",
        details=(FIRST, "Birthday in 3 days, on Thursday (turning 40)."),
    ),
    Case(
        "birthday today without year",
        Customer(1, first_name="Ana", birthday="--11-30"),
        headline="Welcome, Ana!",
        details=(FIRST, "Birthday today!"),
    ),
    Case(
        "birthday today with year",
        Customer(1, first_name="Ana", birthday="1976-11-30"),
        headline="Welcome, Ana!",
        details=(FIRST, "Birthday today: turning 50!"),
    ),
    Case(
        "birthday tomorrow",
        Customer(1, first_name="Ana", birthday="--12-01"),
        headline="Welcome, Ana!",
        details=(FIRST, "Birthday tomorrow."),
    ),
    Case(
        "birthday two days ago",
        Customer(1, first_name="Ana", birthday="2000-11-28"),
        headline="Welcome, Ana!",
        details=(FIRST, "Birthday was 2 days ago (turned 26)."),
    ),
    Case(
        "birthday yesterday",
        Customer(1, first_name="Ana", birthday="--11-29"),
        headline="Welcome, Ana!",
        details=(FIRST, "Birthday was yesterday."),
    ),
    Case(
        "birthday 8 days away is not mentioned",
        Customer(1, first_name="Ana", birthday="--12-08"),
        headline="Welcome, Ana!",
        details=(FIRST,),
    ),
    Case(
        "birthday across new year",
        Customer(1, first_name="Ana", birthday="--01-02"),
        now=datetime(2026, 12, 29, 10, tzinfo=UTC),
        headline="Welcome, Ana!",
        details=(FIRST, "Birthday in 4 days, on Saturday."),
    ),
    Case(
        "29 February in a common year",
        Customer(1, first_name="Leap", birthday="2000-02-29"),
        now=datetime(2027, 2, 27, 10, tzinfo=UTC),
        headline="Welcome, Leap!",
        details=(FIRST, "Birthday tomorrow (turning 27)."),
    ),
    Case(
        "29 February in a leap year",
        Customer(1, first_name="Leap", birthday="--02-29"),
        now=datetime(2028, 2, 29, 10, tzinfo=UTC),
        headline="Welcome, Leap!",
        details=(FIRST, "Birthday today!"),
    ),
    Case(
        "pronouns",
        Customer(1, first_name="Sam", pronouns="they/them"),
        headline="Welcome, Sam!",
        details=(FIRST, "Pronouns: they/them"),
    ),
    Case(
        "read before serving, warnings first, expired ones gone",
        Customer(1, first_name="Kim", visit_count=1),
        last_days_ago=7,
        notes=(
            _note("Ask how the surgery went", expires="2026-12-05"),
            _note("Hard of hearing: face them", kind=NoteKind.WARNING),
            _note("Ask about the wedding", expires="2026-11-29"),
            _note("Last day to mention the sale", expires="2026-11-30"),
            _note("Likes blue", rbs=False),
        ),
        headline="Welcome back, Kim!",
        details=("2nd visit · last one 7 days ago",),
        alerts=(
            "Hard of hearing: face them",
            "Ask how the surgery went",
            "Last day to mention the sale",
        ),
    ),
    Case(
        "no name at all",
        Customer(7),
        headline="Welcome!",
        details=(FIRST, "No name on file yet: ask for it when it feels right."),
    ),
    Case(
        "only a last name",
        Customer(7, last_name="García", visit_count=2),
        last_days_ago=14,
        purpose="boots",
        headline="Welcome back!",
        details=(
            "3rd visit · last one 2 weeks ago: boots",
            "Only the surname is on file (García): ask what they like to be called.",
        ),
    ),
    Case(
        "only an e-mail",
        Customer(7, email="zoe@example.com"),
        headline="Welcome!",
        details=(FIRST, "No name on file yet (zoe@example.com): ask for it when it feels right."),
    ),
    Case(
        "blank name",
        Customer(7, first_name="   ", preferred_name=" "),
        headline="Welcome!",
        details=(FIRST, "No name on file yet: ask for it when it feels right."),
    ),
    Case(
        "open issues",
        Customer(1, first_name="Bo", visit_count=1),
        last_days_ago=2,
        open_issues=("Boots at the cobbler, due Friday", " ", "Open: late delivery, 2 days"),
        headline="Welcome back, Bo!",
        details=(
            "2nd visit · last one 2 days ago",
            "Open: Boots at the cobbler, due Friday",
            "Open: late delivery, 2 days",
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_greeting_wording(case: Case) -> None:
    last = None if case.last_days_ago is None else _visit(case.last_days_ago, case.purpose, case.now)
    result = greet(case.customer, last, list(case.notes), case.now, open_issues=case.open_issues)
    assert result.headline == case.headline
    assert result.details == case.details
    assert result.alerts == case.alerts


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_greeting_reads_naturally(case: Case) -> None:
    last = None if case.last_days_ago is None else _visit(case.last_days_ago, case.purpose)
    result = greet(case.customer, last, list(case.notes), case.now)
    for line in (result.headline, *result.details, *result.alerts):
        assert line == line.strip() and "  " not in line
        assert "None" not in line and ", !" not in line and line[-1:] != ":"
    assert result.text.startswith(result.headline)


def test_greeting_for_reads_the_database(desk: Desk, clock: FakeClock) -> None:
    cid = desk.customers.create(CustomerDraft(first_name="Maria", preferred_name="Mari")).id
    assert desk.greetings.for_customer(cid).details == (FIRST,)
    desk.visits.log(cid, purpose="fitted walking boots")
    desk.notes.add(
        cid, "Allergic to latex", kind="warning", read_before_serving=True, expires_on="2026-12-01"
    )
    clock.advance(days=21)
    g = desk.greetings.for_customer(cid, open_issues=["Repair due"])
    assert g.headline == "Welcome back, Mari!"
    assert g.details == (
        "2nd visit · last one 3 weeks ago: fitted walking boots",
        "Open: Repair due",
    )
    assert g.alerts == ()  # the note expired on 1 December


def test_greeting_for_lists_open_issues_by_itself(desk: Desk) -> None:
    from csdesk.domain import IssueDraft

    cid = desk.customers.create(CustomerDraft(first_name="Bo")).id
    desk.issues.log(IssueDraft(customer_id=cid, title="Sole came loose"))
    details = desk.greetings.for_customer(cid).details
    assert any(d.startswith("Open: Sole came loose") for d in details), details
    assert not any(d.startswith("Open: Open") for d in details)
