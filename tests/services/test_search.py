"""Search as staff type it: names, phones, e-mail, hostile text, and the order of results."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csdesk.domain import Channel, CustomerDraft
from csdesk.services.desk import Desk
from csdesk.services.search import fts_query
from tests.conftest import FakeClock
from tests.settings_seam import set_setting


@pytest.fixture
def people(desk: Desk, clock: FakeClock) -> dict[str, int]:
    made = {}
    for key, draft in {
        "jose": CustomerDraft(
            first_name="José",
            last_name="García Márquez",
            preferred_name="Pepe",
            email="jose.garcia@example.com",
            phones=(("mobile", "555-010-4477"),),
        ),
        "obrien": CustomerDraft(first_name="Siobhán", last_name="O'Brien", email="sio@example.org"),
        "smith": CustomerDraft(
            first_name="Anna",
            last_name="Smith-Jones",
            phones=(("home", "+44 20 7946 0958"), ("work", "(212) 555-0199")),
        ),
        "maria": CustomerDraft(first_name="Maria", last_name="Lopez"),
        "mariana": CustomerDraft(first_name="Mariana", last_name="Silva"),
        "yamada": CustomerDraft(first_name="太郎", last_name="山田"),
        "noemail": CustomerDraft(first_name="Bob", phones=(("mobile", "+1 415 200 1234"),)),
    }.items():
        made[key] = desk.customers.create(draft).id
        clock.advance(minutes=5)
    return made


def ids(desk: Desk, query: str) -> list[int]:
    return [h.customer_id for h in desk.search.search(query)]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("mar", "jose"),  # "Márquez", accent-insensitive
        ("garc mar", "jose"),
        ("mar garc", "jose"),  # any order
        ("jose", "jose"),
        ("JOSÉ", "jose"),
        ("pepe", "jose"),  # the preferred name counts
        ("o'br", "obrien"),
        ("O'Brien", "obrien"),
        ("obr", None),  # "O'Brien" is two words to the index: o + brien
        ("smith-j", "smith"),
        ("smith jo", "smith"),
        ("siob", "obrien"),
        ("山田", "yamada"),
        ("+1 (555) 010-4477", "jose"),
        ("5550104477", "jose"),
        ("010-4477", "jose"),
        ("4477", "jose"),
        ("555 010", "jose"),  # typed from the start
        ("+44 20 7946 0958", "smith"),
        ("0044 20 7946 0958", "smith"),
        ("0958", "smith"),
        ("+44 20 79", "smith"),  # the start of a number, with its country code
        ("0044 20", "smith"),
        ("+1 (555) 01", "jose"),
        ("jose.garcia@example.com", "jose"),
        ("jose.gar", "jose"),
        ("jose.garcia@", "jose"),
        ("sio@", "obrien"),
    ],
)
def test_finds(desk: Desk, people: dict[str, int], query: str, who: str | None) -> None:
    found = ids(desk, query)
    if who is None:
        assert people["obrien"] not in found
    else:
        assert people[who] in found, (query, found)


def test_unrelated_customers_are_not_found(desk: Desk, people: dict[str, int]) -> None:
    assert ids(desk, "garc mar") == [people["jose"]]
    assert ids(desk, "4477") == [people["jose"]]
    assert people["maria"] not in ids(desk, "smith")


def test_exact_name_first_then_most_recently_seen(
    desk: Desk, people: dict[str, int], clock: FakeClock
) -> None:
    # Mariana was created after Maria, so she is "more recent"; the exact match still wins.
    assert ids(desk, "maria")[:2] == [people["maria"], people["mariana"]]
    assert ids(desk, "mari")[:2] == [people["mariana"], people["maria"]]
    clock.advance(days=1)
    desk.visits.log(people["maria"], channel=Channel.IN_PERSON, purpose="boots")
    assert ids(desk, "mari")[:2] == [people["maria"], people["mariana"]]


def test_empty_search_lists_recent_customers(
    desk: Desk, people: dict[str, int], clock: FakeClock
) -> None:
    clock.advance(hours=1)
    desk.visits.log(people["obrien"])
    hits = desk.search.search("")
    assert hits[0].customer_id == people["obrien"]
    assert hits[0].matched == "recent"
    assert len(hits) == len(people)


def test_hits_carry_display_fields(desk: Desk, people: dict[str, int]) -> None:
    hit = desk.search.search("garc mar")[0]
    assert hit.display_name == "José García Márquez (Pepe)"
    assert hit.phones == ("+15550104477",)
    assert hit.email == "jose.garcia@example.com"
    assert hit.last_visit is None
    assert hit.matched == "name"


def test_caller_id_is_exact(desk: Desk, people: dict[str, int]) -> None:
    assert [h.customer_id for h in desk.search.caller("+1 555 010 4477")] == [people["jose"]]
    assert desk.search.caller("4477") == []
    assert desk.search.caller("not a number") == []


HOSTILE = [
    "AND",
    "NOT",
    "OR",
    "NEAR",
    "a AND b",
    '"',
    '"unbalanced',
    "'",
    "(",
    ")",
    "[x]",
    "*",
    "**",
    "c++",
    "col:val",
    "^start",
    "-x",
    "😀",
    "🙂 maria",
    "   ",
    "\t\n",
    "x" * 10_000,
    "a" * 300 + " " + "b" * 300,
    "\x00",
    "'; DROP TABLE customers; --",
    "%",
    "_",
    "\\",
    "+",
    "++1",
    "()()",
    "@",
    "@@",
    "a@",
    "@b",
    "NEAR(a b)",
    "{a b}",
    "a:*",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_text_never_raises(desk: Desk, people: dict[str, int], query: str) -> None:
    hits = desk.search.search(query)
    assert isinstance(hits, list)
    assert desk.customers.count() == len(people)  # nothing was dropped


def test_hostile_text_still_finds_what_it_can(desk: Desk, people: dict[str, int]) -> None:
    assert people["maria"] in ids(desk, "🙂 maria")
    assert people["jose"] in ids(desk, '"garc')
    assert ids(desk, "AND") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mar", '"mar"*'),
        ("garc mar", '"garc"* "mar"*'),
        ("o'br", '"o br"*'),
        ("AND", '"and"*'),
        ('x" OR "y', '"x"* "or"* "y"*'),
        ("***", ""),
        ("", ""),
    ],
)
def test_fts_query_quotes_every_token(text: str, expected: str) -> None:
    assert fts_query(text) == expected


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=80))
def test_no_text_raises(desk: Desk, text: str) -> None:
    assert isinstance(desk.search.search(text), list)


def test_a_caller_id_with_its_country_code_reads_no_setting(
    desk: Desk, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shop's phone region (a read of settings, a round trip on a server) only matters for a
    # number typed without + or 00; a softphone's caller ID has its country code.
    sent: list[str] = []
    real = desk.db.execute

    def watched(sql: str, params: object = ()) -> object:
        sent.append(sql)
        return real(sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(desk.db, "execute", watched)
    assert [h.customer_id for h in desk.search.caller("+44 20 7946 0958")] == [people["smith"]]
    assert desk.search.search("+44 20 7946 0958")[0].customer_id == people["smith"]
    assert sent and not [s for s in sent if "settings" in s], sent
    sent.clear()
    assert [h.customer_id for h in desk.search.caller("555-010-4477")] == [people["jose"]]
    assert [s for s in sent if "settings" in s]  # a national number: the region is read


def test_caller_id_and_a_whole_number_take_few_statements(
    desk: Desk, people: dict[str, int], monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    # Each statement is a round trip on a server: caller ID is one (the customers with the
    # number and their rows together, the shop's region read along when the number needs it),
    # and so is a whole number typed into the search on the server (its E.164 spellings, the
    # numbers starting with it after its country code, the ranges of numbers ending or
    # starting with its digits and the rows, as one statement: store/server/search.py); the
    # file asks them one by one (four statements, in-process).
    sent: list[str] = []
    real = desk.db.execute

    def watched(sql: str, params: object = ()) -> object:
        sent.append(sql)
        return real(sql, params)  # type: ignore[arg-type]

    assert desk.search.search("555-010-4477")  # the shop's region, read once
    monkeypatch.setattr(desk.db, "execute", watched)
    assert [h.customer_id for h in desk.search.caller("+44 20 7946 0958")] == [people["smith"]]
    assert len(sent) == 1, sent
    sent.clear()
    assert desk.search.search("+44 20 7946 0958")[0].customer_id == people["smith"]
    assert len(sent) == (1 if engine == "postgresql" else 4), sent
    for typed in ("555-010-4477", "(555) 010 4477"):
        sent.clear()
        assert [h.customer_id for h in desk.search.caller(typed)] == [people["jose"]]
        assert len(sent) == (1 if engine == "postgresql" else 2), sent
        sent.clear()
        assert desk.search.search(typed)[0].customer_id == people["jose"]
        assert len(sent) == (1 if engine == "postgresql" else 4), sent


def test_a_region_changed_at_another_counter_is_the_next_searchs(
    desk: Desk, db_target: object, clock: FakeClock
) -> None:
    # The region is not read for every number typed (a round trip on a server): the statement
    # that uses it reads the stored one along, and a changed one is taken before the answer is.
    london = desk.customers.create(
        CustomerDraft(first_name="Ada", phones=(("mobile", "+44 20 7946 0123"),))
    ).id
    assert desk.search.caller("020 7946 0123") == []  # US: not this number
    assert [h.exact for h in desk.search.search("020 7946 0123")] in ([], [False])
    other = Desk.open(db_target, clock=clock)  # another counter
    try:
        set_setting(other, "phone_region", "GB")
    finally:
        other.close()
    assert [h.customer_id for h in desk.search.caller("020 7946 0123")] == [london]
    hits = desk.search.search("020 7946 0123")
    assert [(h.customer_id, h.exact) for h in hits] == [(london, True)]
    assert [h.customer_id for h in desk.search.caller("02079460123")] == [london]
