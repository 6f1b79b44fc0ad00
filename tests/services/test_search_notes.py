"""Note text in the main search: after the name results, with a snippet; hostile input is safe."""

from __future__ import annotations

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from tests.conftest import FakeClock


def _customer(desk: Desk, first: str, last: str = "") -> int:
    return desk.customers.create(CustomerDraft(first_name=first, last_name=last)).id


def test_note_matches_follow_name_matches(desk: Desk, clock: FakeClock) -> None:
    by_name = _customer(desk, "Latexa", "Jones")
    by_note = _customer(desk, "Ann", "Smith")
    clock.advance(minutes=1)
    desk.notes.add(by_note, "Allergic to latex: use the cotton insoles, never the foam ones.")
    hits = desk.search.search("latex")
    assert [(h.customer_id, h.matched) for h in hits] == [(by_name, "name"), (by_note, "note")]
    assert "latex" in hits[1].snippet.lower()
    assert len(hits[1].snippet) <= 90
    assert hits[0].snippet == ""


def test_accents_and_prefix(desk: Desk) -> None:
    cid = _customer(desk, "Bo")
    desk.notes.add(cid, "Prefers the café au lait colour")
    assert [h.customer_id for h in desk.search.search("CAFE")] == [cid]
    assert [h.customer_id for h in desk.search.search("caf")] == [cid]
    assert desk.search.search("ca") == []  # two letters: names only, notes need three


def test_customer_shown_once_even_with_several_matching_notes(desk: Desk) -> None:
    cid = _customer(desk, "Bo")
    desk.notes.add(cid, "blue laces")
    desk.notes.add(cid, "more blue laces")
    assert [h.customer_id for h in desk.search.search("blue laces")] == [cid]


def test_note_matches_ranked_by_recency(desk: Desk, clock: FakeClock) -> None:
    old = _customer(desk, "Old")
    new = _customer(desk, "New")
    desk.notes.add(old, "marathon in spring")
    clock.advance(hours=1)
    desk.notes.add(new, "marathon in autumn")
    assert [h.customer_id for h in desk.search.search("marathon")] == [new, old]


def test_limit_is_respected(desk: Desk) -> None:
    for i in range(8):
        desk.notes.add(_customer(desk, f"C{i}"), "gift wrapping please")
    assert len(desk.search.search("wrapping", limit=5)) == 5


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "'",
        'lat"ex',
        "NEAR(latex insoles)",
        "latex OR 1=1",
        "latex*",
        "*",
        "^latex",
        "body:latex",
        "latex AND",
        "(latex",
        "latex)",
        "-latex",
        "lat;DROP TABLE notes;--",
        "\x00latex",
        "l" * 10_000,
        "ℓatex",
        "ＬＡＴＥＸ",
        "🧦🧦🧦",
        "%_%",
    ],
)
def test_hostile_queries_never_crash(desk: Desk, query: str) -> None:
    cid = _customer(desk, "Ann")
    desk.notes.add(cid, "Allergic to latex insoles")
    hits = desk.search.search(query)
    assert isinstance(hits, list)
    assert desk.notes.for_customer(cid)  # nothing was dropped
    for h in hits:
        assert h.customer_id == cid


def test_operators_are_plain_words(desk: Desk) -> None:
    cid = _customer(desk, "Ann")
    desk.notes.add(cid, "latex insoles")
    other = _customer(desk, "Bo")
    desk.notes.add(other, "wool socks")
    # 'OR' must not widen the search to everyone with 'wool'.
    assert [h.customer_id for h in desk.search.search("latex OR wool")] == []
    assert [h.customer_id for h in desk.search.search("latex insoles")] == [cid]


def test_snippet_centres_on_the_match(desk: Desk) -> None:
    cid = _customer(desk, "Ann")
    filler = "we talked about the weather and the new shop front for a while " * 3
    desk.notes.add(cid, f"{filler} then: allergic to LÁTEX, use cotton insoles {filler}")
    [hit] = desk.search.search("latex")
    assert hit.snippet.startswith("… ") and "LÁTEX" in hit.snippet
    assert hit.snippet.endswith("…") and len(hit.snippet) <= 92


@pytest.mark.parametrize("head", [2, 1_000])
def test_a_word_in_more_notes_than_are_read_picks_the_first_notes_in_id_order(
    desk: Desk, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, head: int
) -> None:
    # Only the first NOTE_CAP * 3 live matching notes (in note id order, as FTS5 lists them)
    # are considered: the same notes on both engines, whether the server finds them by walking
    # its oldest notes (head 1,000) or through its index (head 2: the walk finds too few), and
    # after an early note was edited (on the server its row moves after all the others).
    from csdesk.services import search as search_module
    from csdesk.store.server import search as on_server

    monkeypatch.setattr(search_module, "NOTE_CAP", 2)  # 6 notes read, 2 customers kept
    monkeypatch.setattr(on_server, "NOTE_HEAD", head)
    people = [_customer(desk, f"Zed{i}") for i in range(8)]
    notes = []
    for i, cid in enumerate(people * 2):
        clock.advance(minutes=1)
        body = "the parcel came" if i % 3 else "nothing to see"
        notes.append((desk.notes.add(cid, body).id, cid, body))
    desk.notes.edit(notes[1][0], body="the parcel came late")
    desk.notes.delete(notes[2][0])
    live = [(nid, cid) for nid, cid, body in notes if "parcel" in body and nid != notes[2][0]]
    considered: list[int] = []
    for _nid, cid in sorted(live)[:6]:
        if cid not in considered and len(considered) < 2:
            considered.append(cid)
    seen = dict(desk.db.execute("SELECT id, last_seen_at FROM customers").fetchall())
    want = sorted(considered, key=lambda c: (seen[c], c), reverse=True)
    assert [h.customer_id for h in desk.search.search("parcel")] == want
