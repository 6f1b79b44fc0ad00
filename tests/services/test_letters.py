"""Letters: every bundled template for every demo customer, the record of letters, reprints."""

from __future__ import annotations

import json
from datetime import date

import pytest

from csdesk import paths
from csdesk.domain import Change, CustomerDraft
from csdesk.errors import UserError
from csdesk.services import demo
from csdesk.services.clock import parse
from csdesk.services.desk import Desk
from csdesk.services.letters import (
    LetterDeclined,
    customers_with_followups_due,
    format_date,
    format_money,
)
from csdesk.store.letters import TIMELINE_SQL
from tests.conftest import FakeClock
from tests.settings_seam import set_setting

ISSUE = {
    "id": 42,
    "title": "Late delivery",
    "resolution": "We sent a new pair by courier.",
    "goodwill_cents": 2500,
    "goodwill_kind": "A gift card",
    "opened_at": "2026-11-20T10:00:00+00:00",
    "resolved_at": "2026-11-28T10:00:00+00:00",
}


def test_every_bundled_template_renders_for_every_demo_customer(desk: Desk) -> None:
    demo.generate(desk.context, 300, seed=5)
    set_setting(desk, "shop_name", "Harbour Lane Outfitters")
    names = [t.name for t in desk.letters.templates()]
    assert len(names) == 5
    declined = 0
    for customer_id in range(1, 301):
        customer = desk.customers.get(customer_id)
        for name in names:
            for issue in (None, ISSUE):
                try:
                    html = desk.letters.render(name, customer_id, issue=issue).html
                except LetterDeclined as exc:
                    # Only where a letter says it does not fit (issue 13.18): no resolved issue,
                    # or "we miss you" to someone seen in the last 30 days.
                    days = desk.letters.context(customer_id)["customer"]["days_since_last_visit"]
                    assert (name == "issue_resolved.html.j2" and issue is None) or (
                        name == "we_miss_you.html.j2" and days is not None and days < 30
                    ), str(exc)
                    declined += 1
                    continue
                assert "{{" not in html and "{%" not in html
                assert "Harbour Lane Outfitters" in html
                assert "Dear " in html
                assert customer.full_name.replace("'", "&#39;") in html or not customer.full_name
    assert 300 <= declined < 300 * 3  # every issue_resolved without an issue, some we_miss_you


def test_produce_records_html_audit_and_change(desk: Desk) -> None:
    cid = desk.customers.create(CustomerDraft(first_name="Ada", last_name="Byron")).id
    changes: list[Change] = []
    desk.subscribe(changes.append)
    letter = desk.letters.produce("apology", cid, issue=ISSUE, page_size="Letter")
    assert letter.issue_id == 42 and letter.page_size == "Letter"
    assert "We sent a new pair by courier." in letter.html and "$25.00" in letter.html
    assert letter.created_by == desk.actor.id
    assert changes == [Change("letter", (letter.id,), cid)]
    audit = desk.db.execute(
        "SELECT action, staff_id, after FROM audit WHERE entity = 'letter' AND entity_id = ?",
        [letter.id],
    ).fetchone()
    assert audit[0] == "create" and audit[1] == desk.actor.id
    assert json.loads(audit[2])["template"] == "apology.html.j2"
    listed = desk.letters.for_customer(cid)
    assert [x.id for x in listed] == [letter.id] and listed[0].title == "Apology for an issue"


def test_reprint_is_identical_after_the_template_changes(desk: Desk) -> None:
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    sent = desk.letters.produce("thank_you", cid)
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "thank_you.html.j2").write_text("A brand new text for {{ customer.name }}")
    desk.letters.reload()
    assert "brand new" in desk.letters.render("thank_you", cid).html
    again = desk.letters.get(sent.id)
    assert again.html == sent.html and "brand new" not in again.html


def test_a_broken_template_says_what_to_do_in_words_both_faces_can_follow(desk: Desk) -> None:
    """The same sentence reaches the command line (no Reload button there) and the window."""
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "broken.html.j2").write_text("<p>Hi {{ customer.name }</p>\n")
    (folder / "latin.html.j2").write_bytes("<p>Grüße {{ customer.name }}</p>\n".encode("latin-1"))
    desk.letters.reload()
    with pytest.raises(UserError) as broken:
        desk.letters.render("broken", cid)
    assert "“broken.html.j2”, line 1, has a mistake" in str(broken.value)
    assert "Fix the template and try again (in the letter window, press Reload)" in str(broken.value)
    with pytest.raises(UserError) as latin:
        desk.letters.render("latin", cid)
    assert "“latin.html.j2” is not UTF-8 text: save it as UTF-8" in str(latin.value)
    assert "UnicodeDecodeError" not in str(latin.value)
    with pytest.raises(UserError, match="nothing was printed or saved"):
        desk.letters.produce("broken", cid)
    assert desk.letters.for_customer(cid) == []  # and nothing was recorded


def test_timeline_sql_has_the_agreed_columns(desk: Desk) -> None:
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    letter = desk.letters.produce("we_miss_you", cid)
    cur = desk.db.execute(TIMELINE_SQL)
    assert [d[0] for d in cur.description] == [
        "kind",
        "ref_id",
        "customer_id",
        "at",
        "channel",
        "title",
        "detail",
        "staff_id",
    ]
    assert cur.fetchall() == [
        (
            "letter",
            letter.id,
            cid,
            letter.created_at,
            "letter",
            "We miss you",
            "we_miss_you.html.j2",
            desk.actor.id,
        )
    ]


def test_bad_page_size_and_unknown_customer(desk: Desk) -> None:
    from csdesk.errors import NotFound, UserError

    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    with pytest.raises(UserError, match="A4 or Letter"):
        desk.letters.produce("thank_you", cid, page_size="A3")
    with pytest.raises(NotFound):
        desk.letters.produce("thank_you", 999)
    assert desk.letters.for_customer(cid) == []


def test_no_followups_means_nobody_is_due(desk: Desk) -> None:
    assert customers_with_followups_due(desk, date(2026, 11, 30)) == []


def test_followups_due_by_the_end_of_the_local_day(
    desk: Desk, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        ids = [desk.customers.create(CustomerDraft(first_name=n)).id for n in "ABCD"]
        due = [
            (ids[0], "2026-11-29T15:00:00+00:00"),  # overdue
            (ids[1], "2026-12-01T04:30:00+00:00"),  # 23:30 on the 30th in New York
            (ids[2], "2026-12-01T05:30:00+00:00"),  # 00:30 on the 1st: tomorrow
            (ids[3], "2026-11-30T10:00:00+00:00"),  # done below
        ]
        clock.now = parse("2026-11-28T09:00:00+00:00")  # promised before any of them was due
        made = [desk.followups.add(cid, "call back", parse(at)) for cid, at in due]
        desk.followups.complete(made[3].id, "called")
        assert customers_with_followups_due(desk, date(2026, 11, 30)) == ids[:2]
        assert customers_with_followups_due(desk, date(2026, 12, 1)) == ids[:3]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(
    ("value", "style", "order", "expected"),
    [
        (date(2026, 11, 30), "long", "dmy", "30 November 2026"),
        (date(2026, 11, 30), "long", "mdy", "November 30, 2026"),
        (date(2026, 11, 30), "short", "mdy", "11/30/2026"),
        (date(2026, 11, 30), "weekday", "mdy", "Monday, November 30, 2026"),
        ("--03-07", "long", "dmy", "7 March"),
        ("1984-03-07", "birthday", "mdy", "March 7"),
        ("", "long", "dmy", ""),
        ("not a date", "long", "dmy", "not a date"),
    ],
)
def test_format_date(value: object, style: str, order: str, expected: str) -> None:
    assert format_date(value, style, order) == expected


@pytest.mark.parametrize(
    ("cents", "expected"),
    [(0, "$0.00"), (5, "$0.05"), (123456, "$1,234.56"), (-250, "-$2.50"), (None, "")],
)
def test_format_money(cents: object, expected: str) -> None:
    assert format_money(cents) == expected


def test_a_letter_reads_the_settings_once_and_sees_them_as_they_were(desk: Desk) -> None:
    """A render asks about a dozen settings: one reading answers them all (one round trip on a
    server), and a change saved meanwhile is seen by the next letter, not half-way through."""
    demo.generate(desk.context, 3, seed=5)
    set_setting(desk, "shop_name", "First Name Outfitters")
    ctx = desk.context
    with ctx.settings_held():
        assert ctx.setting("shop_name") == "First Name Outfitters"
        set_setting(desk, "shop_name", "Renamed Outfitters")
        assert ctx.setting("shop_name") == "First Name Outfitters"  # the one reading
        with ctx.settings_held():  # nested: the same reading
            assert ctx.setting("shop_name") == "First Name Outfitters"
        assert ctx.setting("no_such_key", "fallback") == "fallback"
    assert ctx.setting("shop_name") == "Renamed Outfitters"
    assert "Renamed Outfitters" in desk.letters.render("thank_you", 1).html


@pytest.mark.sqlite_only("counts statements with sqlite3's trace callback")
def test_a_render_asks_the_settings_table_once(desk: Desk) -> None:
    demo.generate(desk.context, 3, seed=5)
    desk.letters.render("thank_you", 2)  # the template compiled, caches warm
    statements: list[str] = []
    desk.db.conn.set_trace_callback(statements.append)
    try:
        desk.letters.render("thank_you", 2)
    finally:
        desk.db.conn.set_trace_callback(None)
    assert [s for s in statements if "FROM settings" in s] == ["SELECT key, value FROM settings"]
