"""Adding and editing customers: validation next to the field, duplicates, audit, phones."""

from __future__ import annotations

import json

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import NotFound, ValidationError
from csdesk.services.customers import parse_birthday
from csdesk.services.desk import Desk
from tests.conftest import FakeClock
from tests.write_faults import inserts_fail


def test_create_keeps_what_was_typed_and_normalises_phones(desk: Desk) -> None:
    customer = desk.customers.create(
        CustomerDraft(
            first_name="  Zoë ",
            last_name="D'Angelo",
            email="Zoe@Example.COM",
            phones=(("mobile", "(555) 010-4477"), ("work", "+44 20 7946 0958")),
        )
    )
    again = desk.customers.get(customer.id)
    assert again.first_name == "Zoë"
    assert again.email == "Zoe@Example.COM"
    assert [(p.label, p.raw, p.e164) for p in again.phones] == [
        ("mobile", "(555) 010-4477", "+15550104477"),
        ("work", "+44 20 7946 0958", "+442079460958"),
    ]
    assert again.created_by == desk.actor.id
    assert again.last_seen_at == again.created_at


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (CustomerDraft(), "first_name"),
        (CustomerDraft(first_name="   "), "first_name"),
        (CustomerDraft(first_name="Al", email="al@"), "email"),
        (CustomerDraft(first_name="Al", email="al example.com"), "email"),
        (CustomerDraft(first_name="Al", phones=(("mobile", "12"),)), "phone0"),
        (
            CustomerDraft(first_name="Al", phones=(("mobile", "555 010 4477"), ("x", "call me"))),
            "phone1",
        ),
        (CustomerDraft(first_name="Al", birthday="1990-02-30"), "birthday"),
        (CustomerDraft(first_name="Al", birthday="next tuesday"), "birthday"),
        (CustomerDraft(first_name="x" * 501), "first_name"),
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(
    desk: Desk, draft: CustomerDraft, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.customers.create(draft)
    assert field in caught.value.errors
    assert caught.value.errors[field]
    assert desk.customers.count() == 0


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("1984-03-07", "1984-03-07"),
        ("03-07", "--03-07"),
        ("--3-7", "--03-07"),
        ("02-29", "--02-29"),
        ("", ""),
    ],
)
def test_birthdays_with_or_without_year(text: str, stored: str) -> None:
    assert parse_birthday(text) == stored


def test_duplicates_by_phone_email_and_name(desk: Desk) -> None:
    first = desk.customers.create(
        CustomerDraft(
            first_name="Maria",
            last_name="Lopez",
            email="maria@example.com",
            phones=(("mobile", "555-010-4477"),),
        )
    )
    by_phone = desk.customers.duplicates(
        CustomerDraft(first_name="M", phones=(("m", "+1 555 010 4477"),))
    )
    assert [(d.customer_id, "phone" in d.reason) for d in by_phone] == [(first.id, True)]
    by_email = desk.customers.duplicates(CustomerDraft(email="MARIA@example.com"))
    assert [d.customer_id for d in by_email] == [first.id]
    by_name = desk.customers.duplicates(CustomerDraft(first_name="maría", last_name="LÓPEZ"))
    assert [d.customer_id for d in by_name] == [first.id]
    assert desk.customers.duplicates(CustomerDraft(first_name="Mario", last_name="Lopez")) == []
    # Editing a customer never warns about themselves.
    assert desk.customers.duplicates(desk.customers.draft_of(first), exclude_id=first.id) == []


def test_update_records_who_when_and_before_after(desk: Desk, clock: FakeClock) -> None:
    customer = desk.customers.create(CustomerDraft(first_name="Jo", email="jo@example.com"))
    clock.advance(hours=3)
    changed = desk.customers.update(
        customer.id,
        CustomerDraft(first_name="Joanna", email="jo@example.com", marketing_consent=True),
    )
    assert changed.first_name == "Joanna"
    assert changed.updated_at > changed.created_at
    assert changed.marketing_consent_at == changed.updated_at
    rows = desk.db.execute(
        "SELECT action, before, after FROM audit WHERE entity = 'customer' ORDER BY id"
    ).fetchall()
    assert [r[0] for r in rows] == ["create", "update"]
    assert json.loads(rows[1][1])["first_name"] == "Jo"
    assert json.loads(rows[1][2])["first_name"] == "Joanna"


def test_search_index_follows_edits(desk: Desk) -> None:
    customer = desk.customers.create(CustomerDraft(first_name="Jo", last_name="Bloggs"))
    desk.customers.update(customer.id, CustomerDraft(first_name="Jo", last_name="Smith"))
    assert [h.customer_id for h in desk.search.search("smi")] == [customer.id]
    assert desk.search.search("blog") == []


def test_failed_write_leaves_nothing_behind(desk: Desk) -> None:
    with inserts_fail(desk.db, "customer_phones", "boom"), pytest.raises(Exception, match="boom"):
        desk.customers.create(CustomerDraft(first_name="Half", phones=(("m", "555 010 1111"),)))
    assert desk.customers.count() == 0
    assert desk.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0


def test_missing_customer_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound):
        desk.customers.get(999)


def test_change_bus_reports_what_changed(desk: Desk) -> None:
    seen = []
    desk.subscribe(seen.append)
    customer = desk.customers.create(CustomerDraft(first_name="Ada"))
    assert [(c.kind, c.ids) for c in seen] == [("customer", (customer.id,))]


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("555\u00a0010\u00a04477", "+15550104477"),  # pasted with no-break spaces
        ("555\u2013010\u20134477", "+15550104477"),  # en dashes from a word processor
        ("1-800-FLOWERS", "+18003569377"),  # a vanity number
        ("٠٠٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨", "+442079460958"),  # Arabic-Indic digits, 00 for + as in 0044
        ("٥٥٥-٠١٠-٤٤٧٧", "+15550104477"),
    ],
)
def test_phone_numbers_as_people_paste_them(desk: Desk, typed: str, e164: str) -> None:
    customer = desk.customers.create(CustomerDraft(first_name="Al", phones=(("mobile", typed),)))
    assert customer.phones[0].e164 == e164


@pytest.mark.parametrize("typed", ["0000000000", "٠٠٠٠٠٠٠٠٠٠", "+1 000 000 0000"])
def test_a_number_of_zeros_is_refused_in_any_script(desk: Desk, typed: str) -> None:
    """Arabic-Indic zeros were stored as +10000000000 while the same zeros in 0-9 were refused."""
    with pytest.raises(ValidationError) as caught:
        desk.customers.create(CustomerDraft(first_name="Al", phones=(("mobile", typed),)))
    assert typed in caught.value.errors["phone0"]
    assert desk.customers.count() == 0


def test_emoji_in_a_phone_number_is_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.customers.create(CustomerDraft(first_name="Al", phones=(("mobile", "555-ABCD-😀"),)))
    assert "cannot have" in caught.value.errors["phone0"]
