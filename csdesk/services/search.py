"""Search as you type: query text -> safe FTS5, phone and e-mail lookups -> ranked display rows.

Ranking for a person at a counter: exact name matches first, then the customers seen most
recently. Every path is bounded, so a one-letter prefix never ranks a million rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from csdesk.domain import SearchHit
from csdesk.errors import UserError
from csdesk.services import phone as phone_rules
from csdesk.services.text import digits, fold, tokens
from csdesk.store import search_index
from csdesk.store.db import DatabaseFailed

if TYPE_CHECKING:
    from csdesk.services.context import Context

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200  # a pasted 10 kB text searches by its start, it does not scan 10 kB of tokens
MAX_WORDS = 6
FIRST_SCAN = 5_000  # recency-index entries tried first: enough for any common prefix
FTS_CAP = 5_000  # up to this many FTS matches we rank them all
RECENT_SCAN = 30_000  # the bound for a prefix that is neither common nor rare
EXACT_CAP = 1_000
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


def _is_phone_query(text: str) -> bool:
    """Digits and phone punctuation only, with at least three digits."""
    if len(digits(text)) < 3:
        return False
    return all(ch.isdigit() or ch in "+-() ./" for ch in text)


class SearchService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        # The index's queries for this connection's engine (FTS5 on the file, tsvector on a
        # server); this service's rules are the same on both.
        self._q = search_index.queries(ctx.db)
        self._cutoffs: dict[int, tuple[float, str | None]] = {}

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        text = query[:MAX_QUERY_CHARS].strip()
        limit = max(1, min(limit, 500))
        try:
            if not text:
                return self._hits(self._q.recent(self._ctx.db, limit), "recent", "", limit)
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
        e164 = phone_rules.try_e164(number, self._ctx.region)
        if e164 is None:
            return []
        ids = self._q.ids_by_e164(self._ctx.db, e164)
        return self._hits(self._q.list_rows(self._ctx.db, ids), "phone", "", 100)

    # -- the three kinds of query --------------------------------------------------------------
    def _names(self, text: str, limit: int) -> list[SearchHit]:
        match = fts_query(text)
        if not match:
            return []
        db = self._ctx.db
        starts = _word_starts(text)
        needles = [" " + w for w in starts]
        key = " ".join(starts)
        ids = self._exact_ids(key, limit)
        found: list[int] = []
        if len(starts) == 1 and len(starts[0]) <= 3:
            # A short prefix is common: its most recent matches sit near the top of the
            # recency index, where a bounded scan finds them before the FTS could list them.
            found = self._q.recent_matching(db, needles, since=self._cutoff(FIRST_SCAN), limit=limit)
        if len(found) < limit:
            # Rarer prefixes: few FTS matches, so ranking all of them is cheap.
            candidates = self._q.fts_ids(db, match, FTS_CAP + 1)
            if len(candidates) <= FTS_CAP:
                found = self._q.most_recent_of(db, candidates, limit)
            else:
                found = self._q.recent_matching(
                    db, needles, since=self._cutoff(RECENT_SCAN), limit=limit
                )
                found += [c for c in candidates if c not in set(found)][: limit - len(found)]
        rows = self._q.list_rows(db, list(dict.fromkeys(ids + found)))
        return self._hits(rows, "name", key, limit)

    def _cutoff(self, depth: int) -> str | None:
        """Where a bounded recency scan stops; cached briefly, since it moves only slowly."""
        now = time.monotonic()
        cached = self._cutoffs.get(depth)
        if cached is None or now - cached[0] > CUTOFF_TTL_S:
            cached = (now, self._q.recency_cutoff(self._ctx.db, depth))
            self._cutoffs[depth] = cached
        return cached[1]

    def _exact_ids(self, key: str, limit: int) -> list[int]:
        """Customers whose whole first, last, preferred or full name is the query."""
        db = self._ctx.db
        phrase = " ".join(f'"{w}"' for w in key.split())
        ids, partial = self._q.ids_by_exact_name(db, phrase, key, EXACT_CAP)
        if partial:
            # A very common word: add the most recently seen namesakes near the top of the
            # recency index (a short, bounded walk), so "maria" still lists recent Marias first.
            ids = self._q.recent_matching(
                db, [f"|{key}|"], column="exact_keys", since=self._cutoff(FIRST_SCAN), limit=limit
            ) + ids
        # Only a page of them is shown: rank in SQL rather than build rows for all.
        return ids if len(ids) <= limit else self._q.most_recent_of(db, ids, limit)

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
        found = {
            cid: nid
            for cid, nid in self._q.note_matches(db, match, NOTE_CAP).items()
            if cid not in shown
        }
        hits = self._hits(self._q.list_rows(db, list(found)), "note", "", room)
        # Snippets in Python from the shown notes only: FTS5's snippet() with a rowid filter
        # still walks every match of a common word.
        texts = self._q.note_bodies(db, [found[h.customer_id] for h in hits])
        starts = _word_starts(text)
        return [
            replace(h, snippet=snippet(texts.get(found[h.customer_id], ""), starts)) for h in hits
        ]

    def _phone(self, text: str, limit: int) -> list[SearchHit]:
        db = self._ctx.db
        wanted = digits(text)
        ids: list[int] = []
        e164 = phone_rules.try_e164(text, self._ctx.region) if len(wanted) >= 7 else None
        if e164:
            ids += self._q.ids_by_e164(db, e164)
        international = text.lstrip().startswith(("+", "00"))
        if international:
            # "+1 720" or "0044 20 79": the start of a number with its country code.
            country_digits = wanted[2:] if text.lstrip().startswith("00") else wanted
            ids += self._q.ids_by_e164_prefix(db, "+" + country_digits, limit)
        ids += self._q.phone_customer_ids(
            db, rev_prefix=wanted[::-1], national_prefix=wanted, limit=limit
        )
        trimmed = wanted.lstrip("0")
        if trimmed != wanted and len(trimmed) >= 3 and len(ids) < limit:
            ids += self._q.phone_customer_ids(db, rev_prefix=trimmed[::-1], limit=limit)
        exact = set(self._q.ids_by_e164(db, e164)) if e164 else set()
        rows = self._q.list_rows(db, list(dict.fromkeys(ids))[: limit * 2])
        for row in rows:
            row["_exact"] = row["id"] in exact
        return self._hits(rows, "phone", "", limit)

    def _email(self, text: str, limit: int) -> list[SearchHit]:
        prefix = text.casefold()
        ids = self._q.ids_by_email_prefix(self._ctx.db, prefix, limit * 2)
        rows = self._q.list_rows(self._ctx.db, ids)
        emails = self._q.emails_for(self._ctx.db, ids)
        for row in rows:
            # Matched by another of their addresses: show that one, it is what was typed.
            matched = [e["address"] for e in emails[row["id"]] if e["address"].casefold().startswith(prefix)]
            if matched and not row["email"].casefold().startswith(prefix):
                row["email"] = matched[0]
            row["_exact"] = any(fold(a) == fold(text) for a in matched)
        return self._hits(rows, "email", "", limit)

    # -- ranking and display -------------------------------------------------------------------
    def _hits(
        self, rows: list[dict[str, Any]], matched: str, exact_key: str, limit: int
    ) -> list[SearchHit]:
        needle = f"|{exact_key}|"
        for row in rows:
            if "_exact" not in row:
                row["_exact"] = bool(exact_key) and needle in row["exact_keys"]
        # Two stable sorts: most recently seen first, then exact matches ahead of the rest.
        rows.sort(key=lambda r: (r["last_seen_at"] or "", r["id"]), reverse=True)
        rows.sort(key=lambda r: not r["_exact"])
        del rows[limit:]
        phones = self._q.phones_for(self._ctx.db, [r["id"] for r in rows])
        return [
            SearchHit(
                customer_id=r["id"],
                display_name=_display_name(r),
                phones=tuple(p["e164"] or p["raw"] for p in phones[r["id"]]),
                email=r["email"],
                last_visit=r["last_visit_at"],
                matched=matched,
                exact=r["_exact"],
            )
            for r in rows
        ]


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


def _display_name(row: dict[str, Any]) -> str:
    full = " ".join(p for p in (row["first_name"].strip(), row["last_name"].strip()) if p)
    preferred = row["preferred_name"].strip()
    if preferred and preferred != row["first_name"].strip():
        full = f"{full} ({preferred})" if full else preferred
    return full or row["email"] or f"Customer #{row['id']}"
