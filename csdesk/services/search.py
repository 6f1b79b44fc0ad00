"""Search as you type: query text -> safe FTS5, phone and e-mail lookups -> ranked display rows.

Ranking for a person at a counter: exact name matches first, then the customers seen most
recently. Every path is bounded, so a one-letter prefix never ranks a million rows.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from csdesk.domain import SearchHit, display_name
from csdesk.errors import UserError
from csdesk.services import phone as phone_rules
from csdesk.services.context import region_of
from csdesk.services.text import digits, fold, tokens
from csdesk.store import search_index
from csdesk.store.db import DatabaseFailed
from csdesk.store.search import (
    ROW_COMPANY,
    ROW_EMAIL,
    ROW_EXACT_KEYS,
    ROW_FIRST,
    ROW_ID,
    ROW_LAST,
    ROW_NAME_PHONE,
    ROW_PHONES,
    ROW_PREFERRED,
    ROW_SEEN,
    ROW_VISIT,
    NamePage,
    NameSearch,
    PhoneSearch,
)

if TYPE_CHECKING:
    from csdesk.services.context import Context

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200  # a pasted 10 kB text searches by its start, it does not scan 10 kB of tokens
MAX_WORDS = 6
PROBE_SCAN = 500  # recency-index entries tried first: enough for any common prefix
FIRST_SCAN = 5_000  # the recency window searched for the namesakes of a very common name
FTS_CAP = 5_000  # up to this many FTS matches we rank them all
RECENT_SCAN = 30_000  # the bound for a prefix that is neither common nor rare
EXACT_CAP = 1_000
MAX_MIDDLE_DIGITS = 8
CUTOFF_TTL_S = 300.0  # the boundary moves only as fast as customers are served
DEFAULT_LIMIT = 20  # what the window shows at once; it asks for more as the list scrolls
MIN_NOTE_CHARS = 3
NOTE_CAP = 100  # customers matched by note text considered for one result list
SNIPPET_CHARS = 90


def fts_query(text: str) -> str:
    """The one function that turns user text into an FTS5 MATCH expression.

    Each word becomes a quoted phrase of its folded tokens with a prefix `*`, so 'garc mar' finds
    'García Márquez' and "o'br" finds "O'Brien". Quotes are doubled; operators stay plain text.
    Returns '' when nothing searchable is left.
    """
    phrases = []
    for word in text.split()[:MAX_WORDS]:
        toks = tokens(word)
        if toks:
            phrase = " ".join(toks).replace('"', '""')
            phrases.append(f'"{phrase}"*')
    return " ".join(phrases)


def _word_starts(text: str) -> list[str]:
    return [" ".join(tokens(w)) for w in text.split()[:MAX_WORDS] if tokens(w)]


def _looks_like_email_start(text: str) -> bool:
    """'maria.gar' or 'jo_smith': one word with the dots or underscores of an e-mail address."""
    return " " not in text and any(ch in "._" for ch in text) and any(ch.isalpha() for ch in text)


_PHONE_TEXT = re.compile(r"[0-9+\-() ./]*")


def _is_phone_query(text: str) -> bool:
    """Digits and phone punctuation only, with at least three digits."""
    if text.isascii():  # the usual case, in one regex (a loop over the characters cost ~3 µs)
        if _PHONE_TEXT.fullmatch(text) is None:
            return False
    elif not all(ch.isdigit() or ch in "+-() ./" for ch in text):
        return False
    return len(digits(text)) >= 3


class SearchService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        # The index's queries for this connection's engine (FTS5 on the file, tsvector on a
        # server); this service's rules are the same on both.
        self._q = search_index.queries(ctx.db)
        self._cutoffs: dict[int, tuple[float, str | None]] = {}
        self._size: tuple[float, int] = (-CUTOFF_TTL_S, 0)
        self._known_region: str | None = None  # see _region

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        text = query[:MAX_QUERY_CHARS].strip()
        limit = max(1, min(limit, 500))
        try:
            if not text:
                return _hits(self._q.recent_rows(self._ctx.db, limit), "recent")
            if _is_phone_query(text):
                return self._phone(text, limit)
            if "@" in text:
                return self._email(text, limit)
            if _looks_like_email_start(text):
                return self._email(text, limit) or self._names(text, limit)
            hits = self._names(text, limit)
            if len(hits) < limit:
                hits += self._notes(text, limit - len(hits), {h.customer_id for h in hits})
            return hits
        except (DatabaseFailed, MemoryError) as exc:
            # fts_query() cannot produce invalid syntax: what fails here is the index itself
            # (dropped, or damaged pages; SQLite reports some of those as out of memory).
            # Say so, and how to rebuild it, instead of showing nothing or something unrelated.
            log.info("search failed for %r: %s", text, exc)
            raise UserError(
                "The search index is damaged or missing, so this search cannot run. Rebuild it "
                "from the customer records with `csdesk check --repair` (in the window: Data → "
                "Check the database, then Repair); nothing is lost."
            ) from exc

    def caller(self, number: str) -> list[SearchHit]:
        """Exact caller-ID lookup: the customers whose number is this one."""
        # The usual spellings' customers and their rows in one statement (one round trip on a
        # server), the shop's region read with them when a spelling assumed it; phonenumbers
        # only when none is on file, as in _phone.
        db = self._ctx.db
        wanted = digits(number)
        region = self._region() if _needs_region(number) else ""
        found = self._q.rows_by_e164(
            db, _likely_e164(number, wanted, region), 100, with_region=bool(region)
        )
        if region and self._region_changed(region, found.region):
            return self.caller(number)
        if not found.rows:
            e164 = phone_rules.try_e164(number, region or self._region())
            if e164:
                found = self._q.rows_by_e164(db, [e164], 100)
        return _hits(_ranked(found.rows, set()), "phone")

    def _region(self) -> str:
        """The shop's phone region as last seen. A setting read is a round trip on a server, so
        it is not read for every number typed: the statements that use it read it along
        (PhoneFound.region) and _region_changed takes a changed one, before its answer is used."""
        if self._known_region is None:
            self._known_region = self._ctx.region
        return self._known_region

    def _region_changed(self, assumed: str, stored: object) -> bool:
        now = region_of(stored)
        if now == assumed:
            return False
        self._known_region = now
        return True

    # -- the kinds of query --------------------------------------------------------------------
    def _names(self, text: str, limit: int) -> list[SearchHit]:
        """Exact name matches first, then every other match, each seen most recently first.

        Each step is a bounded walk: the recency window (the FIRST_SCAN customers seen last)
        answers common words at once; rarer ones are ranked from the FTS in SQL; for the few
        words too common to rank and too rare for the window, a deeper window, then the
        index's first FTS_CAP matches. No step lists more ids than it returns.
        """
        match = fts_query(text)
        if not match:
            return []
        db = self._ctx.db
        starts = _word_starts(text)
        needles = [" " + w for w in starts]
        key = " ".join(starts)
        needle = f"|{key}|"
        phrase = " ".join(f'"{w}"' for w in key.split())
        page = self._page(match, phrase, needle, needles, limit)
        exact, complete, rest = page.exact, page.complete, page.others
        rows = page.rows
        if not page.done:
            # Too common to rank and too rare for the walk: rank what the index lists first
            # among those seen before the deeper walk's window.
            more = self._q.ranked_fts(
                db, match, exact_needle=needle, exact=False if complete else None,
                before=self._cutoff(RECENT_SCAN), cap=FTS_CAP, limit=page.room - len(rest),
            )
            rest = rest + more
            listed = {r[ROW_ID] for r in rows}
            rows = rows + self._q.rows(db, [cid for _seen, cid in more if cid not in listed])
        ordered = list(dict.fromkeys([cid for _seen, cid in exact] + [cid for _seen, cid in rest]))
        by_id = {r[ROW_ID]: r for r in rows}
        rows = [by_id[i] for i in ordered if i in by_id]
        if not complete:
            rows = _ranked(rows, {r[ROW_ID] for r in rows if needle in r[ROW_EXACT_KEYS]})
        del rows[limit:]
        return _hits(rows, "name", exact={r[ROW_ID] for r in rows if needle in r[ROW_EXACT_KEYS]})

    def _page(
        self, match: str, phrase: str, needle: str, needles: list[str], limit: int
    ) -> NamePage:
        """The page's exact names, the other matches the probe and the count find, and their
        rows (store.search.NameSearch: one statement on a server).

        The exact names: customers whose whole first, last, preferred or full name is the
        query. The namesakes in the recency window (the FIRST_SCAN customers seen last: a short
        walk of the recency index, no table reads), when they fill the page, are the answer
        whatever the count: a namesake outside the window was seen before all of them. So on a
        server, where the count reads each of the first EXACT_CAP matching rows, a name with
        10,000 namesakes ("maria") costs that walk and nothing else. FTS5 counts from its
        index, more cheaply than the walk, so the file counts first (COUNT_FIRST): the same
        answer either way. A very common word whose namesakes the window does not fill the
        page with ("anne" is in 10,000 names, "Anne" alone in few): those, not a ranking of the
        FTS's first EXACT_CAP matches (the customers created first, no likelier to be the one
        at the counter; on a server every match of the word is read to find them: 13-45 ms at
        1,000,000 customers), and the others' walk sorts in the namesakes it meets.

        The others: a short look at the customers seen last (PROBE_SCAN of them) answers a
        common word at once, and from what it found guesses how common the word is
        (_rank_caps): a rare one is ranked from all its FTS matches, a common one is walked
        for further down the recency index (the RECENT_SCAN customers seen last). Both give
        the same list; the guess only picks the cheaper way."""
        plan = NameSearch(
            match=match, phrase=phrase, needle=needle, needles=tuple(needles), limit=limit,
            window_since=self._cutoff(FIRST_SCAN), probe_since=self._cutoff(PROBE_SCAN),
            exact_cap=EXACT_CAP, rank_caps=self._rank_caps(limit, several=len(needles) > 1),
            deep_since=self._cutoff(RECENT_SCAN),
        )
        return self._q.name_page(self._ctx.db, plan)

    def _rank_caps(self, limit: int, *, several: bool) -> tuple[int, ...]:
        """How many matches to count (and rank, when fewer) after the probe found 0, 1, ...
        of them; 0 (and past the tuple's end): too common by the guess, walk for it instead."""
        caps = []
        for found in range(limit):
            caps.append(self._rank_cap(found, several=several))
            if not caps[-1]:
                break  # a larger find guesses more matches: walked for too
        return tuple(caps)

    def _rank_cap(self, found: int, *, several: bool) -> int:
        # Counted only up to what this engine ranks more cheaply than it walks (RANK_CAP: a
        # server reads a row per match): fewer matches than that are all ranked, the same list
        # the deeper walk and its fallback give for a word of at most FTS_CAP matches.
        cap = min(FTS_CAP + 1, self._q.RANK_CAP)
        guess = found * self._size_estimate() // PROBE_SCAN
        if guess > cap // 2 and found <= 1 and several:
            # Several words with one match in the probe: too little to guess from. Their
            # matches are those of every word at once, and at 1,000,000 customers such a pair
            # ("will zol", one of them seen lately) had 66-110 matches where the guess said
            # 2,000; walking RECENT_SCAN entries for them cost 15-20 ms on a server, ranking
            # them 2-5 ms. So count a few (a quarter of the cap) and walk only when there are
            # more. Not for one word: one in the probe meant 6,000-10,000 matches ("anne"),
            # and the count would read its rows for nothing (6 ms more at the p99 on a server).
            return cap // 4
        return cap if guess <= cap // 2 else 0

    def _cutoff(self, depth: int) -> str | None:
        """Where a bounded recency scan stops; cached briefly, since it moves only slowly."""
        now = time.monotonic()
        cached = self._cutoffs.get(depth)
        if cached is None or now - cached[0] > CUTOFF_TTL_S:
            cached = (now, self._q.recency_cutoff(self._ctx.db, depth))
            self._cutoffs[depth] = cached
        return cached[1]

    def _size_estimate(self) -> int:
        now = time.monotonic()
        if now - self._size[0] > CUTOFF_TTL_S:
            self._size = (now, self._q.newest_id(self._ctx.db))
        return self._size[1]

    def _notes(self, text: str, room: int, shown: set[int]) -> list[SearchHit]:
        """Customers whose live notes match, after the name results, seen most recently first.

        Needs three letters: shorter prefixes would merge the doclists of half the vocabulary.
        """
        if len("".join(tokens(text))) < MIN_NOTE_CHARS:
            return []
        match = fts_query(text)
        if not match:
            return []
        db = self._ctx.db
        hits = self._q.note_hits(db, match, NOTE_CAP, shown)
        found = hits.found
        rows = _ranked(hits.rows, set())[:room]
        # Snippets in Python from the shown notes only: FTS5's snippet() with a rowid filter
        # still walks every match of a common word.
        texts = hits.bodies([found[r[ROW_ID]] for r in rows])
        starts = _word_starts(text)
        snippets = {r[ROW_ID]: snippet(texts.get(found[r[ROW_ID]], ""), starts) for r in rows}
        return _hits(rows, "note", snippets=snippets)

    def _phone(self, text: str, limit: int) -> list[SearchHit]:
        """The lookups a typed number asks for (store.search.PhoneSearch says which, in what
        order), sent at once: one statement on a server."""
        wanted = digits(text)
        whole = len(wanted) >= 7
        international = not _needs_region(text)
        region = self._region() if whole and not international else ""
        trimmed = wanted.lstrip("0")
        plan = PhoneSearch(
            limit=limit,
            rev_prefix=wanted[::-1],
            national_prefix=wanted,
            spellings=tuple(_likely_e164(text, wanted, region)) if whole else (),
            # "+1 720" or "0044 20 79": the start of a number with its country code.
            e164_prefix=(
                "+" + (wanted[2:] if text.lstrip().startswith("00") else wanted)
                if international else ""
            ),
            trimmed_rev=trimmed[::-1] if trimmed != wanted and len(trimmed) >= 3 else "",
            # "it has 0104 in it": the middle of a number (a longer run is a whole number).
            containing=wanted if len(wanted) <= MAX_MIDDLE_DIGITS else "",
            with_region=bool(region),
        )
        found = self._q.phone_search(self._ctx.db, plan)
        if region and self._region_changed(region, found.region):
            return self._phone(text, limit)
        if whole and not found.exact:
            # None of the usual spellings is on file: phonenumbers (50 µs a parse) for the
            # spellings only it understands.
            e164 = phone_rules.try_e164(text, region or self._region())
            if e164 and e164 not in plan.spellings:
                plan = replace(plan, spellings=(e164,), with_region=False)
                found = self._q.phone_search(self._ctx.db, plan)
        exact = set(found.exact)
        return _hits(_ranked(found.rows, exact)[:limit], "phone", exact=exact)

    def _email(self, text: str, limit: int) -> list[SearchHit]:
        prefix = text.casefold()
        found, matched_rows = self._q.email_rows(self._ctx.db, prefix, limit * 2)
        matched = dict(found)
        typed = fold(text)  # once, not once per address
        exact = {cid for cid, address in matched.items() if fold(address) == typed}
        rows = _ranked(matched_rows, exact)[:limit]
        # Matched by another of their addresses: show that one, it is what was typed.
        shown = {
            r[ROW_ID]: matched[r[ROW_ID]]
            for r in rows
            if not r[ROW_EMAIL].casefold().startswith(prefix)
        }
        return _hits(rows, "email", exact=exact, emails=shown)


# -- ranking and display -----------------------------------------------------------------------
def _ranked(rows: list[tuple[Any, ...]], exact: set[int]) -> list[tuple[Any, ...]]:
    """Exact matches first, then the most recently seen (rows not already ranked in SQL)."""
    return sorted(
        rows,
        key=lambda r: (r[ROW_ID] in exact, r[ROW_SEEN] or "", r[ROW_ID]),
        reverse=True,
    )


def _hits(
    rows: list[tuple[Any, ...]],
    matched: str,
    *,
    exact: set[int] | frozenset[int] = frozenset(),
    emails: dict[int, str] | None = None,
    snippets: dict[int, str] | None = None,
) -> list[SearchHit]:
    # Positional arguments, and the two lookups only when there is something to look up: this
    # runs for every row of every search (50 rows a keystroke in the window).
    return [
        SearchHit(
            r[ROW_ID],  # customer_id
            _display_name(r),
            tuple(r[ROW_PHONES].split("\x1f")) if r[ROW_PHONES] else (),
            emails.get(r[ROW_ID], r[ROW_EMAIL]) if emails else r[ROW_EMAIL],
            r[ROW_VISIT],  # last_visit
            matched,
            r[ROW_ID] in exact,
            snippets.get(r[ROW_ID], "") if snippets else "",
        )
        for r in rows
    ]


def _needs_region(text: str) -> bool:
    """A number typed without its country code (+ or 00) is read in the shop's region."""
    return not text.lstrip().startswith(("+", "00"))


def _likely_e164(text: str, wanted: str, region: str) -> list[str]:
    """The E.164 spellings a typed number most likely has, without parsing it: as typed after
    + or 00, or the home country's code in front (with a trunk 0 dropped, as in 020 -> +44 20).

    `region` is needed only for a number without its country code (_needs_region): it reads a
    setting, and a caller ID from a softphone ("+1206...") needs none."""
    stripped = text.lstrip()
    if stripped.startswith("+"):
        return ["+" + wanted]
    if stripped.startswith("00"):
        return ["+" + wanted[2:]]
    code = str(phone_rules.country_code(region))
    found = ["+" + code + wanted, "+" + code + wanted.lstrip("0")]
    if wanted.startswith(code):
        found.append("+" + wanted)  # 1-312-670-8824: the country code typed without +
    return list(dict.fromkeys(found))


def snippet(body: str, word_starts: list[str], *, words: int = 12) -> str:
    """A few words of `body` around the first word matching a query word start, on one line."""
    parts = body.split()
    firsts = [w.split()[0] for w in word_starts if w]
    hit = next(
        (
            i
            for i, part in enumerate(parts)
            if any(t.startswith(f) for t in tokens(part) for f in firsts)
        ),
        0,
    )
    start = max(0, min(hit - 3, len(parts) - words))
    shown = " ".join(parts[start : start + words])
    if len(shown) > SNIPPET_CHARS:
        shown = shown[: SNIPPET_CHARS - 1].rstrip() + "…"
    elif start + words < len(parts):
        shown += " …"
    return ("… " if start else "") + shown


def _display_name(row: tuple[Any, ...]) -> str:
    return display_name(row[ROW_FIRST], row[ROW_LAST], row[ROW_PREFERRED], row[ROW_COMPANY],
                        row[ROW_EMAIL], row[ROW_NAME_PHONE] or "", row[ROW_ID])
