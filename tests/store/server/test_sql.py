"""The dialect layer and the tsquery builder: plain functions, then on the real server."""

from __future__ import annotations

import pytest

from csdesk.services.search import fts_query
from csdesk.store.server import connect
from csdesk.store.server.search import tsquery
from csdesk.store.server.sql import PgDatabase, to_pg


def test_placeholders_outside_quotes_only() -> None:
    assert to_pg("SELECT a FROM t WHERE b = ? AND c IN (?, ?)") == (
        "SELECT a FROM t WHERE b = %s AND c IN (%s, %s)"
    )
    assert to_pg("SELECT '?', 'it''s ?', \"we?ird\" FROM t WHERE x = ?") == (
        "SELECT '?', 'it''s ?', \"we?ird\" FROM t WHERE x = %s"
    )
    assert to_pg("SELECT 5 % 2, '%' WHERE a = ?") == "SELECT 5 %% 2, '%%' WHERE a = %s"


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("garc mar", "('garc':*) & ('mar~')"),
        ("o'br", "('o' <-> 'br~')"),
        ("José", "('jose':*)"),
        ("Ян", "('ян~')"),
        ('"a" & !b | c:* <-> \\', "('a~') & ('b~') & ('c~')"),
    ],
)
def test_user_text_becomes_quoted_lexemes(typed: str, query: str) -> None:
    # Prefixes of up to three letters are the lexemes schema 0017 adds for them ('mar~').
    assert tsquery(fts_query(typed)) == query


def test_notes_have_no_prefix_lexemes_so_their_queries_keep_the_star() -> None:
    assert tsquery(fts_query("aut tea"), prefix_lexemes=False) == "('aut':*) & ('tea':*)"


def test_hostile_text_is_only_ever_searched_for(pg_url: str) -> None:
    db = PgDatabase(connect.connect(pg_url))
    for typed in ["'; DROP TABLE x; --", "a:* & !b", "\\'", "(((", "ab'cd", "«»", "%s ?", "a\\b"]:
        query = tsquery(fts_query(typed))
        if query:
            found = db.execute("SELECT to_tsvector('simple', 'x') @@ ?::tsquery", [query]).fetchone()
            assert found == (False,)
    assert db.execute("SELECT ?::text, '%'", ["100%"]).fetchone() == ("100%", "%")
    db.close()
