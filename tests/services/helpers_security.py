"""Shared helpers for the security tests: quick staff accounts and a customer with history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from csdesk.domain import CustomerDraft, Role, Staff
from csdesk.services import auth
from csdesk.services.desk import Desk


@pytest.fixture
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests hash many PINs; the parameters travel with each hash, so a cheaper N is honest."""
    monkeypatch.setattr(auth, "SCRYPT_N", 2**10)


def make_admin(desk: Desk, name: str = "Ada", pin: str = "2468") -> Staff:
    return desk.auth.setup_admin(name, pin)


def add_member(desk: Desk, name: str, role: Role, pin: str = "1357") -> Staff:
    """Add a member as an admin, then give the desk back to whoever was acting."""
    previous = desk.actor
    desk.auth.act_as_cli()
    staff = desk.auth.add_staff(name, role, pin)
    desk.actor = previous
    return staff


def customer_with_history(desk: Desk, first: str = "Zebulon", last: str = "Quixwort") -> int:
    customer = desk.customers.create(
        CustomerDraft(
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@example.org",
            address="12 Harbour Lane",
            phones=(("mobile", "+1 415 555 0199"),),
        )
    )
    desk.visits.log(customer.id, purpose=f"{last} asked about a refund", outcome="refunded")
    desk.notes.add(customer.id, f"{first} prefers the blue {last} box")
    return customer.id


@contextmanager
def two_admin_counters(db_path: Path, clock: Any) -> Iterator[tuple[Desk, Desk]]:
    """Two Desks on one file, as two counters: Anna (admin) at Counter 1, Ben (admin) at 2."""
    one = Desk.open(db_path, clock=clock, computer="Counter 1")
    two = Desk.open(db_path, clock=clock, computer="Counter 2")
    try:
        one.actor = make_admin(one, "Anna")
        two.actor = add_member(one, "Ben", Role.ADMIN)
        yield one, two
    finally:
        one.close()
        two.close()
