"""Short prefixes in any script find the names they start, accent-insensitive, on both engines.

On the server a prefix of one to three letters is a lexeme of its own (schema
0017_search_prefixes), not a :* merge of the words it starts; these are the cases where that
could go wrong: one letter, a phrase whose last word is short ("o'n"), two short words, letters
from e-mail words, folded accents, a prefix that is only the middle of a word (never found).
"""

from __future__ import annotations

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from tests.conftest import FakeClock


@pytest.fixture
def names(desk: Desk, clock: FakeClock) -> dict[str, int]:
    made = {}
    for key, draft in {
        "olafur": CustomerDraft(first_name="Ólafur", last_name="Sigurdsson", email="oli@example.is"),
        "olga": CustomerDraft(first_name="Ольга", last_name="Иоффе"),
        "sofia": CustomerDraft(first_name="Σοφία", last_name="Νικολάου"),
        "sean": CustomerDraft(first_name="Seán", last_name="O'Neil"),
        "zoe": CustomerDraft(first_name="Zoë", last_name="Ng"),
        "haruto": CustomerDraft(first_name="陽翔", last_name="Tran"),
    }.items():
        made[key] = desk.customers.create(draft).id
        clock.advance(minutes=5)
    return made


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("o", {"olafur", "sean"}),  # Ólafur, oli@, and the o of O'Neil
        ("ó", {"olafur", "sean"}),
        ("ol", {"olafur"}),
        ("ola", {"olafur"}),
        ("olaf", {"olafur"}),  # four letters: the :* query
        ("оль", {"olga"}),
        ("и", {"olga"}),
        ("иоф", {"olga"}),
        ("σο", {"sofia"}),
        ("σοφ", {"sofia"}),
        ("νικολ", {"sofia"}),
        ("o'n", {"sean"}),  # a phrase whose last word is a short prefix
        ("o'ne", {"sean"}),
        ("O'Neil", {"sean"}),
        ("se o'n", {"sean"}),
        ("zo n", {"zoe"}),  # two short words
        ("n zo", {"zoe"}),
        ("ng", {"zoe"}),
        ("陽", {"haruto"}),
        ("tr", {"haruto"}),
        ("ex", {"olafur"}),  # a word of the e-mail address
        ("lafur", set()),  # the middle of a word is not a prefix
        ("afu", set()),
        ("fia", set()),
        ("zz", set()),
    ],
)
def test_short_prefixes_in_every_script(
    desk: Desk, names: dict[str, int], query: str, who: set[str]
) -> None:
    found = {h.customer_id for h in desk.search.search(query) if h.matched == "name"}
    assert found == {names[k] for k in who}, query


def test_a_whole_short_name_is_exact_and_first(desk: Desk, names: dict[str, int]) -> None:
    # "ng" is Zoë's whole last name: exact, though it is also the lexeme of a two-letter prefix.
    hits = desk.search.search("ng")
    assert [h.customer_id for h in hits] == [names["zoe"]]
    assert hits[0].exact


def test_a_one_letter_whole_name_is_exact_and_first(
    desk: Desk, names: dict[str, int], clock: FakeClock
) -> None:
    # On the server a one-letter name's namesakes are walked for only when the namesakes
    # index has some: "J" (a whole first name) is found and first, before the J-words met later.
    j = desk.customers.create(CustomerDraft(first_name="J", last_name="Wu")).id
    clock.advance(minutes=5)
    later = desk.customers.create(CustomerDraft(first_name="Jo", last_name="Wu")).id
    hits = desk.search.search("j")
    assert [h.customer_id for h in hits][:2] == [j, later]
    assert hits[0].exact and not hits[1].exact
