"""Parsing what people type (amounts, due dates) and business-time SLA arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csdesk.errors import UserError
from csdesk.services.dates import add_business_time, left_label, parse_due, span
from csdesk.services.formatting import format_moment
from csdesk.services.money import format_cents, parse_amount

MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # the conftest clock's start


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12.50", 1250),
        ("12,50", 1250),
        ("$12.50", 1250),
        ("€ 12,5", 1250),
        ("12", 1200),
        (" 0.99 ", 99),
        ("1,234.56", 123456),
        ("1.234,56", 123456),
        ("1,500.00", 150000),
        ("1.500,00", 150000),
        ("12.50 EUR", 1250),
        ("+7", 700),
    ],
)
def test_amounts_people_type_become_cents(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    "text",
    ["", "   ", "-5", "-12.50", "$-3", "(4.00)", "abc", "12.345.67", "1.2.3", "12.5055", "1e5",
     "12..50", "½", "NaN", "Robert'); DROP TABLE goodwill;--", "99999999999"],
)  # fmt: skip
def test_bad_amounts_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(UserError) as info:
        parse_amount(text)
    assert info.value.field == "amount"
    assert info.value.message


@pytest.mark.parametrize("text", ["12.555", "1,500", "1.500", "2'000"])
def test_a_single_three_digit_group_is_ambiguous_and_refused(text: str) -> None:
    # "12.555" once became 12,555.00 of goodwill: a 1000x slip must ask, not guess.
    with pytest.raises(UserError, match="two ways"):
        parse_amount(text)


def test_negative_amount_says_so() -> None:
    with pytest.raises(UserError, match="negative"):
        parse_amount("-12.50")


def test_format_cents_round_trips() -> None:
    assert format_cents(123456) == "1,234.56"
    assert format_cents(5) == "0.05"
    assert parse_amount(format_cents(987654)) == 987654


UTC_TZ = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-04", datetime(2026, 12, 4, 17, 0, tzinfo=UTC)),
        ("2026-12-04 15:00", datetime(2026, 12, 4, 15, 0, tzinfo=UTC)),
        ("2026-12-04T09:30", datetime(2026, 12, 4, 9, 30, tzinfo=UTC)),
        ("friday", datetime(2026, 12, 4, 17, 0, tzinfo=UTC)),
        ("Fri", datetime(2026, 12, 4, 17, 0, tzinfo=UTC)),
        ("friday 3pm", datetime(2026, 12, 4, 15, 0, tzinfo=UTC)),
        ("monday", datetime(2026, 12, 7, 17, 0, tzinfo=UTC)),  # today is Monday: the next one
        ("tomorrow", datetime(2026, 12, 1, 17, 0, tzinfo=UTC)),
        ("tomorrow at 9:15", datetime(2026, 12, 1, 9, 15, tzinfo=UTC)),
        ("today", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("in 3 days", MONDAY + timedelta(days=3)),
        ("in 2 hours", MONDAY + timedelta(hours=2)),
    ],
)
def test_due_dates_people_type(text: str, expected: datetime) -> None:
    assert parse_due(text, MONDAY, UTC_TZ) == expected


def test_today_after_closing_time_means_end_of_today() -> None:
    evening = datetime(2026, 11, 30, 18, 30, tzinfo=UTC)
    assert parse_due("today", evening, UTC_TZ) == datetime(2026, 11, 30, 23, 59, tzinfo=UTC)


def test_due_dates_follow_the_shop_time_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    # 15:00 UTC is 10:00 in New York; "tomorrow" is 1 December there, 17:00 local = 22:00 UTC.
    assert parse_due("tomorrow", MONDAY, new_york) == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["", "2026-02-30", "2026-13-01", "2025-02-29", "2026-12-04 25:00", "2026-12-04 10:75",
     "someday", "friday 13pm", "yesterday-ish", "32/12/2026", "in lots of days", "'; --"],
)  # fmt: skip
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(UserError) as info:
        parse_due(text, MONDAY, UTC_TZ)
    assert info.value.field == "due"


def test_impossible_date_message_names_the_date() -> None:
    with pytest.raises(UserError, match="2026-02-30"):
        parse_due("2026-02-30", MONDAY, UTC_TZ)


def test_business_time_within_a_weekday() -> None:
    assert add_business_time(MONDAY, timedelta(hours=4), UTC_TZ) == MONDAY + timedelta(hours=4)


def test_business_time_skips_the_weekend() -> None:
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    # One day from Friday 15:00: 9 h left on Friday, the weekend pauses, 15 h on Monday.
    assert add_business_time(friday, timedelta(days=1), UTC_TZ) == datetime(
        2026, 12, 7, 15, 0, tzinfo=UTC
    )
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert add_business_time(saturday, timedelta(hours=4), UTC_TZ) == datetime(
        2026, 12, 7, 4, 0, tzinfo=UTC
    )


def test_business_days_are_configurable() -> None:
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    six_days = (0, 1, 2, 3, 4, 5)  # a shop open on Saturdays
    assert add_business_time(friday, timedelta(days=1), UTC_TZ, six_days) == datetime(
        2026, 12, 5, 15, 0, tzinfo=UTC
    )


def test_labels_for_time_left_and_overdue() -> None:
    assert left_label(2 * 86400 + 5) == "2 days left"
    assert left_label(-3 * 3600 - 60) == "3 h overdue"
    assert left_label(30) == "1 min left"
    assert left_label(None) == ""
    assert span(86400 * 3) == "3 days"
    # due "in 3 days", a moment later: still 3 days, not 2; hours likewise to the nearest
    assert left_label(3 * 86400 - 1) == "3 days left" and left_label(3 * 86400 - 13 * 3600) == "2 days left"
    assert left_label(5 * 3600 - 1) == "5 h left" and left_label(-(2 * 3600 - 20)) == "2 h overdue"


def test_business_time_across_a_dst_change() -> None:
    new_york = ZoneInfo("America/New_York")
    friday = datetime(2027, 3, 12, 15, 0, tzinfo=new_york)  # clocks go forward on Sunday 14 March
    due = add_business_time(friday, timedelta(days=1), new_york)
    assert due.astimezone(new_york) == datetime(2027, 3, 15, 15, 0, tzinfo=new_york)


@given(st.integers(min_value=0, max_value=100_000_000))
def test_formatted_amounts_parse_back(cents: int) -> None:
    assert parse_amount(format_cents(cents)) == cents
    assert parse_amount(format_cents(cents).replace(",", "")) == cents


@given(st.text(max_size=30))
def test_any_text_is_cents_or_a_user_error(text: str) -> None:
    try:
        cents = parse_amount(text)
    except UserError:
        return
    assert isinstance(cents, int) and 0 <= cents <= 100_000_000


@given(st.text(max_size=30))
def test_any_due_text_is_a_date_or_a_user_error(text: str) -> None:
    try:
        due = parse_due(text, MONDAY, UTC_TZ)
    except UserError:
        return
    assert due.tzinfo is not None


@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=400),
)
def test_business_time_never_ends_on_a_weekend(start: datetime, hours: int) -> None:
    due = add_business_time(start, timedelta(hours=hours), UTC_TZ)
    assert due >= start
    if hours and due != start:
        # Landing exactly on Saturday 00:00 is the end of Friday's business time.
        assert due.weekday() < 5 or (due.weekday() == 5 and due.time() == datetime.min.time())


def test_a_moment_names_its_year_when_it_is_not_this_years() -> None:
    """'2019-01-01' read 'Tue 1 Jan, 17:00': this January to anyone reading it in 2026."""
    now = MONDAY
    assert format_moment("2026-12-01T17:00:00+00:00", UTC, now) == "Tue 1 Dec, 17:00"
    assert format_moment("2019-01-01T17:00:00+00:00", UTC, now) == "Tue 1 Jan 2019, 17:00"
    assert format_moment("2027-01-01T17:00:00+00:00", UTC, now) == "Fri 1 Jan 2027, 17:00"
    assert format_moment("", UTC, now) == ""
