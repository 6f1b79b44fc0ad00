"""Our word folding must agree with what the search index stores, or search paths disagree.

The index holds text folded in Python (csdesk.text.fold) and tokenised by SQLite's unicode61:
so unicode61 on folded text must give exactly our tokens, for every script.
"""

from __future__ import annotations

import sqlite3

import pytest

from csdesk.services import demo
from csdesk.services.text import exact_keys, fold, search_norm, tokens

LETTERS = [
    chr(cp)
    for cp in [
        *range(0xC0, 0x250), *range(0x370, 0x400), *range(0x400, 0x530), *range(0x1E00, 0x2000),
        *range(0x3040, 0x3100), *range(0xFF21, 0xFF5B),
    ]
    if chr(cp).isalpha()
]
SAMPLES = [
    *LETTERS, *demo.FIRST, *demo.LAST,
    "e\u0301cole", "Ｍａｒｉａ", "O'Brien-Smith", "jose.garcia@example.com", "Νίκος Williams",
    "Ϊωάννης Προϊστάμενος", "Nguyễn Thị Đoàn", "Йоффе", "Ǖnter ḗ", "İstanbul Straße", "김민준 ガンダム",
]


@pytest.fixture(scope="module")
def tokenizer() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    return conn


def test_tokens_match_what_sqlite_indexes(tokenizer: sqlite3.Connection) -> None:
    disagree = []
    for text in SAMPLES:
        tokenizer.execute("DELETE FROM f")
        tokenizer.execute("INSERT INTO f VALUES (?)", [fold(text)])
        theirs = [r[0] for r in tokenizer.execute("SELECT term FROM v ORDER BY offset")]
        if theirs != tokens(text):
            disagree.append(text)
    assert disagree == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("νικ", "Νίκος"), ("ιωαννησ", "Ϊωάννης"), ("προιστ", "Προϊστάμενος"), ("ΝΙΚΟΣ", "νίκος"),
        ("nguyen thi doan", "Nguyễn Thị Đoàn"), ("duc", "Đức"), ("иоффе", "Йоффе"), ("елка", "Ёлка"),
        ("unter e", "Ǖnter ḗ"), ("jose", "Jóśé"), ("strasse", "Straße"), ("istanbul", "İstanbul"),
        ("lodz", "Łódź"), ("maria", "Ｍａｒｉａ"),
    ],
)
def test_folding_in_every_script(typed: str, stored: str) -> None:
    """What a person types (without accents, any case) is a prefix of each stored word."""
    have, want = tokens(stored), tokens(typed)
    assert len(have) == len(want)
    assert all(h.startswith(w) for h, w in zip(have, want, strict=True)), (have, want)


def test_search_norm_and_exact_keys() -> None:
    assert search_norm("José", "García Márquez", "Pepe") == " jose garcia marquez pepe "
    assert search_norm("", "") == ""
    assert exact_keys("José", "García Márquez", "") == "|jose|garcia marquez|jose garcia marquez|"
