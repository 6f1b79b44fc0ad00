"""One timeline per customer: union of sources, newest first, filters, keyset pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from csdesk.domain import Channel, CustomerDraft, IssueDraft
from csdesk.errors import UserError
from csdesk.services.clock import iso
from csdesk.services.desk import Desk
from csdesk.services.timeline import duration_text
from csdesk.store import bulk
from csdesk.store import timeline as timeline_store
from csdesk.store.db import atomic
from tests.conftest import FakeClock


def _customer(desk: Desk, first: str = "Ola") -> int:
    return desk.customers.create(CustomerDraft(first_name=first)).id


def test_titles_are_human(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    desk.visits.log(cid, purpose="fitted walking boots", outcome="happy")
    clock.advance(minutes=1)
    desk.visits.log_call(cid, direction="in", duration_s=250, purpose="asked about a warranty")
    clock.advance(minutes=1)
    desk.visits.log_call(cid, direction="out", duration_s=45)
    clock.advance(minutes=1)
    desk.visits.log(cid, channel="email", purpose="sent a size chart")
    clock.advance(minutes=1)
    desk.notes.add(cid, "Allergic to latex", kind="warning")
    clock.advance(minutes=1)
    desk.notes.add(cid, "Walks the West Highland Way " * 10, kind="family")
    entries = desk.timeline.page(cid)
    titles = [e.title for e in entries]
    assert titles[:5] == [
        "Note (family and life): " + ("Walks the West Highland Way " * 10).strip()[:119] + "…",
        "Note (warning): Allergic to latex",
        "E-mail: sent a size chart",
        "Call out, 45 s",
        "Call in, 4 min: asked about a warranty",
    ]
    assert titles[5] == "In person: fitted walking boots"
    assert entries[5].detail == "happy"
    assert entries[0].detail.startswith("Walks the West")  # the long note in full
    assert entries[3].channel is Channel.PHONE and entries[1].channel is None
    assert all(e.customer_id == cid and e.staff_id == desk.actor.id for e in entries)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (250, "4 min"),
        (3600, "1 h 00 min"),
        (3900, "1 h 05 min"),
    ],
)
def test_duration_text(seconds: int | None, text: str) -> None:
    assert duration_text(seconds) == text


def test_other_customers_and_deleted_entries_stay_out(desk: Desk) -> None:
    cid, other = _customer(desk), _customer(desk, "Bo")
    keep = desk.visits.log(cid, purpose="keep")
    gone = desk.visits.log(cid, purpose="gone")
    note = desk.notes.add(cid, "gone too")
    desk.visits.log(other, purpose="not theirs")
    desk.visits.delete(gone.id)
    desk.notes.delete(note.id)
    assert [(e.kind, e.ref_id) for e in desk.timeline.page(cid)] == [("visit", keep.id)]
    desk.notes.restore(note.id)
    assert {e.ref_id for e in desk.timeline.page(cid, kinds=["note"])} == {note.id}


def test_filters(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    desk.visits.log(cid, purpose="in shop")
    clock.advance(minutes=1)
    desk.visits.log_call(cid, duration_s=60)
    clock.advance(minutes=1)
    desk.notes.add(cid, "a note")
    assert [e.kind for e in desk.timeline.page(cid, kinds=["note"])] == ["note"]
    calls = desk.timeline.page(cid, channels=["phone"])
    assert [e.title for e in calls] == ["Call in, 1 min"]
    both = desk.timeline.page(cid, channels=[Channel.PHONE, "in-person"])
    assert len(both) == 2
    assert desk.timeline.page(cid, channels=[]) == []
    assert desk.timeline.page(cid, kinds=[]) == []
    with pytest.raises(UserError):
        desk.timeline.page(cid, kinds=["gossip"])
    with pytest.raises(UserError):
        desk.timeline.page(cid, channels=["fax"])


def test_keyset_pages_cover_everything_once_even_with_equal_times(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    # Many entries share a timestamp: paging must neither repeat nor skip any of them.
    for i in range(23):
        desk.visits.log(cid, purpose=f"v{i}")
        desk.notes.add(cid, f"n{i}")
        if i % 5 == 0:
            clock.advance(seconds=1)
    seen: list[tuple[str, int]] = []
    cursor = None
    while True:
        page = desk.timeline.page(cid, after=cursor, limit=7)
        if not page:
            break
        assert len(page) <= 7
        seen += [(e.kind, e.ref_id) for e in page]
        cursor = page[-1].cursor
    assert len(seen) == 46 == len(set(seen))
    everything = desk.timeline.page(cid, limit=100)
    assert [(e.kind, e.ref_id) for e in everything] == seen
    keys = [(e.at, e.kind, e.ref_id) for e in everything]
    assert keys == sorted(keys, reverse=True)


def test_every_arm_walks_an_index(desk: Desk) -> None:
    cid = _customer(desk)
    for kwargs in (
        {},
        {"channels": ["phone"]},
        {"after": ("2026-01-01T00:00:00+00:00", "note", 3)},
    ):
        plan = timeline_store.explain(desk.db, cid, **kwargs)
        by_channel = "channels" in kwargs
        assert plan.uses("visits_timeline_channel" if by_channel else "visits_timeline"), plan.text
        # (notes have no channel: PostgreSQL drops their arm from a channel's page unread)
        assert by_channel or plan.uses("notes_timeline"), plan.text
        assert not {"visits", "notes"} & set(plan.whole_tables()), plan.text


def test_registered_source_joins_the_timeline(desk: Desk) -> None:
    cid = _customer(desk)
    desk.visits.log(cid, purpose="boots")
    desk.db.execute("CREATE TABLE letters_demo (id INTEGER PRIMARY KEY, customer_id, sent_at, subject)")
    desk.db.execute("INSERT INTO letters_demo VALUES (1, ?, '2999-01-01T00:00:00+00:00', 'Hello')", [cid])
    saved = dict(timeline_store.SOURCES), dict(timeline_store.SOURCE_KINDS)
    try:
        timeline_store.register(
            "letter",
            "SELECT 'letter' AS kind, id AS ref_id, customer_id, sent_at AS at, 'email' AS channel,"
            " 'Letter: ' || subject AS title, '' AS detail, NULL AS staff_id FROM letters_demo",
        )
        entries = desk.timeline.page(cid)
        assert [e.title for e in entries] == ["Letter: Hello", "In person: boots"]
        assert entries[0].channel is Channel.EMAIL
    finally:
        timeline_store.SOURCES.clear()
        timeline_store.SOURCES.update(saved[0])
        timeline_store.SOURCE_KINDS.clear()
        timeline_store.SOURCE_KINDS.update(saved[1])


def test_ten_thousand_entries_page_deep_quickly(desk: Desk) -> None:

    cid = _customer(desk)
    start = desk.clock() - timedelta(days=2000)
    actor = desk.actor.id
    rows = [
        (
            cid,
            iso(start + timedelta(minutes=17 * i)),
            "phone" if i % 3 else "in_person",
            f"p{i}",
            "",
            actor,
            60 if i % 3 else None,
            None,
            "in" if i % 3 else None,
            iso(start),
            actor,
        )
        for i in range(10_000)
    ]
    with atomic(desk.db):
        bulk.insert_visits(desk.db, rows)
    page = desk.timeline.page(cid, limit=50)
    assert page[0].title == "In person: p9999"  # 9999 % 3 == 0
    cursor = page[-1].cursor
    for _ in range(150):
        cursor = desk.timeline.page(cid, after=cursor, limit=50)[-1].cursor
    page = desk.timeline.page(cid, after=cursor, limit=50)
    assert page[0].title.endswith(f"p{9999 - 151 * 50}")
    # Speed is measured by tests/benchmarks/bench_timeline.py; the query plans are tested here.


def test_issues_and_follow_ups_join_the_timeline(desk: Desk, clock: FakeClock) -> None:
    cid = _customer(desk)
    desk.visits.log(cid, purpose="boots")
    clock.advance(minutes=1)
    issue = desk.issues.log(IssueDraft(customer_id=cid, title="Sole came loose"))
    clock.advance(minutes=1)
    entries = desk.timeline.page(cid)
    assert entries[0].kind == "issue" and entries[0].ref_id == issue.id
    assert "Sole came loose" in entries[0].title
    assert entries[-1].title == "In person: boots"
    assert set(desk.timeline.kinds()) >= {"visit", "note", "issue", "followup"}
    assert [e.kind for e in desk.timeline.page(cid, kinds=["issue"])] == ["issue"]
    assert desk.timeline.page(cid, kinds=["followup"]) == []


def test_letters_join_the_timeline(desk: Desk, clock: FakeClock) -> None:
    from csdesk.store import letters as letter_store

    cid = _customer(desk)
    desk.visits.log(cid, purpose="boots")
    clock.advance(minutes=1)
    letter_id = letter_store.insert(
        desk.db,
        {
            "customer_id": cid,
            "template": "thank_you",
            "title": "Thank you, Ola",
            "html": "<p>Thanks</p>",
            "created_at": desk.now_iso(),
            "created_by": desk.actor.id,
        },
    )
    entries = desk.timeline.page(cid)
    assert (entries[0].kind, entries[0].ref_id) == ("letter", letter_id)
    assert entries[0].title == "Thank you, Ola" and entries[0].channel is None
    assert [e.kind for e in desk.timeline.page(cid, kinds=["letter"])] == ["letter"]
    plan = timeline_store.explain(desk.db, cid)
    assert plan.uses("letters_customer") and "letters" not in plan.whole_tables(), plan.text
