"""The search index and its queries: every statement a search sends lives here.

One place per engine concern (see ARCHITECTURE.md): a PostgreSQL store answers these same
functions with tsvector and pg_trgm. Match expressions come from services.search (fts_query,
digit strings), never raw user text. Each function is one bounded statement: the lists it
returns are at most `limit` long, and no Python list of thousands of ids is built or bound.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any, TypeVar

import sqlite_utils

from csdesk.store import settings as settings_store
from csdesk.store.notes import bodies as note_bodies
from csdesk.store.notes import one_per_customer
from csdesk.store.rows import nameless_phone

__all__ = [  # the names store/server/search.py gives the server's index too
    "COUNT_FIRST",
    "RANK_CAP",
    "counted_ranking", "email_prefix_matches", "email_rows", "fts_count", "fts_ids", "ids_by_e164",
    "ids_by_e164_prefix",
    "name_page", "namesakes_then_count", "newest_id", "note_bodies", "note_hits", "note_matches",
    "phone_containing",
    "phone_search",
    "phone_suffix_or_start", "ranked_fts", "recency_cutoff", "recent_matching", "recent_rows", "rows",
    "rows_by_e164",
]

T = TypeVar("T")

# The most matches counted_ranking is asked to count (and rank) before services.search walks
# the recency index instead; both ways give the same list, this picks the cheaper. FTS5 counts
# and lists rowids from its index, so here the service's own FTS_CAP bounds it (the server's,
# which reads a table row per match, is lower: store/server/search.py).
RANK_CAP = 5_001
# Whether a search's exact-name step counts a word's matches before it walks the recency window
# for namesakes (services.search._exact; the same answer either way): FTS5 counts from its
# index, more cheaply than the walk (the server, which reads a row per match, walks first).
COUNT_FIRST = True

# What a result row needs, the customer's phones included (one statement, not two): the
# phones are E.164 where known, else as typed, in their order, joined by a unit separator.
_ROW_SQL = (
    "SELECT c.id, c.first_name, c.last_name, c.preferred_name, c.email, c.exact_keys, "
    "c.last_seen_at, c.last_visit_at, "
    "(SELECT group_concat(shown, char(31)) FROM (SELECT coalesce(nullif(p.e164, ''), p.raw) AS shown "
    "FROM customer_phones p WHERE p.customer_id = c.id ORDER BY p.position, p.id)), "
    f"c.company, {nameless_phone('c')} "  # for domain.display_name, as every face names them
    "FROM customers c"
)
# A result row as a tuple, in _ROW_SQL's column order (tuples: no dict per row on the hot path).
ROW_ID, ROW_FIRST, ROW_LAST, ROW_PREFERRED, ROW_EMAIL, ROW_EXACT_KEYS, ROW_SEEN, ROW_VISIT, ROW_PHONES = (
    range(9)
)
ROW_COMPANY, ROW_NAME_PHONE = 9, 10


def rows(db: sqlite_utils.Database, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Result rows of these customers (at most a page of them), in no particular order."""
    if not ids:
        return []
    return db.execute(_rows_sql(len(ids)), list(ids)).fetchall()


@lru_cache(maxsize=512)  # one string per list length: built, hashed and looked up once, not per search
def _rows_sql(count: int) -> str:
    return f"{_ROW_SQL} WHERE c.id IN ({', '.join('?' * count)})"


@dataclass(frozen=True)
class PhoneFound:
    """What a phone search or a caller-ID lookup found: the result rows (at most a page or two,
    in no particular order), the customers among them with the number exactly, and the shop's
    phone_region setting's value (None when not stored, or not asked for)."""

    rows: list[tuple[Any, ...]]
    exact: frozenset[int]
    region: object = None


REGION_KEY = "phone_region"


def stored_region(db: sqlite_utils.Database) -> object:
    return settings_store.get(db, REGION_KEY)


def rows_by_e164(
    db: sqlite_utils.Database, numbers: Sequence[str], limit: int, *, with_region: bool = False
) -> PhoneFound:
    """Result rows of the customers with exactly one of these E.164 numbers (the lowest ids
    first, at most `limit`): caller ID's lookup and its rows in one statement. `with_region`:
    the spellings assumed the shop's phone region, read here too (one statement on a server)."""
    region = stored_region(db) if with_region else None
    if not numbers:
        return PhoneFound([], frozenset(), region)
    found = db.execute(_rows_by_e164_sql(len(numbers)), [*numbers, limit]).fetchall()
    return PhoneFound(found, frozenset(r[ROW_ID] for r in found), region)


@lru_cache(maxsize=16)
def _rows_by_e164_sql(count: int) -> str:
    return (
        f"{_ROW_SQL} WHERE c.id IN (SELECT customer_id FROM customer_phones "
        f"WHERE e164 IN ({', '.join('?' * count)})) ORDER BY c.id LIMIT ?"
    )


def recent_rows(db: sqlite_utils.Database, limit: int) -> list[tuple[Any, ...]]:
    cur = db.execute(
        f"{_ROW_SQL} INDEXED BY customers_recent ORDER BY c.last_seen_at DESC, c.id DESC LIMIT ?",
        [limit],
    )
    return cur.fetchall()


def newest_id(db: sqlite_utils.Database) -> int:
    """The highest customer id: about how many customers there are, in one index probe."""
    return int(db.execute("SELECT max(id) FROM customers").fetchone()[0] or 0)


def recency_cutoff(db: sqlite_utils.Database, depth: int) -> str | None:
    """last_seen_at of the customer `depth` places down the recency order (None: fewer exist)."""
    found = db.execute(
        "SELECT last_seen_at FROM customers INDEXED BY customers_recent "
        "ORDER BY last_seen_at DESC, id DESC LIMIT 1 OFFSET ?",
        [depth],
    ).fetchone()
    return None if found is None else str(found[0])


def fts_ids(db: sqlite_utils.Database, match: str, limit: int) -> list[int]:
    """Rowids matching an FTS5 expression built by services.search (never raw user text)."""
    cur = db.execute(
        "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? LIMIT ?", [match, limit]
    )
    return [r[0] for r in cur.fetchall()]


def fts_count(db: sqlite_utils.Database, match: str, cap: int) -> int:
    """How many customers match, counting no further than `cap` (nothing is listed)."""
    return int(
        db.execute(
            "SELECT count(*) FROM (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? "
            "LIMIT ?)",
            [match, cap],
        ).fetchone()[0]
    )


def ranked_fts(
    db: sqlite_utils.Database,
    match: str,
    *,
    exact_needle: str,
    exact: bool | None,
    before: str | None,
    cap: int,
    limit: int,
) -> list[tuple[str, int]]:
    """(last_seen_at, id) of the most recently seen among the first `cap` FTS matches that are
    (exact=True) or are not (exact=False) an exact name match (None: either), seen before
    `before` if given.

    The FTS rowids stay inside SQLite (a subquery), so no list of thousands is bound.
    """
    cur = db.execute(
        "SELECT last_seen_at, id FROM customers WHERE id IN "
        "(SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? LIMIT ?) "
        "AND ? IN ((instr(exact_keys, ?) > 0), -1) AND last_seen_at < ? "
        "ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [match, cap, _flag(exact), exact_needle, before if before is not None else "\uffff", limit],
    )
    return cur.fetchall()


def counted_ranking(
    db: sqlite_utils.Database,
    match: str,
    *,
    count_cap: int,
    exact_needle: str,
    exact: bool | None,
    before: str | None,
    limit: int,
    namesakes_seen: bool = False,
) -> tuple[int, list[tuple[str, int]]]:
    """(how many match, counting no further than `count_cap`; and when fewer than `count_cap`
    match, ranked_fts of all of them). On a server both are one statement (one pass over the
    matches); here FTS5 answers each from its index, so they stay two. `namesakes_seen`: the
    caller has met namesakes already (the server then need not look for any; unused here)."""
    del namesakes_seen
    count = fts_count(db, match, count_cap)
    if count >= count_cap:
        return count, []
    return count, ranked_fts(
        db, match, exact_needle=exact_needle, exact=exact, before=before, cap=count_cap,
        limit=limit,
    )


def namesakes_then_count(
    db: sqlite_utils.Database,
    phrase: str,
    *,
    exact_needle: str,
    since: str | None,
    limit: int,
    count_cap: int,
) -> tuple[list[tuple[str, int]], int | None, list[tuple[str, int]]]:
    """A name's namesakes seen since `since` (recent_matching, exact=True); when fewer than
    `limit`, also counted_ranking of its namesakes, told whether the first step met any:
    (the window's, the count or None when not counted, the ranking). services.search runs the
    two steps in this order when COUNT_FIRST is false (on a server: one statement)."""
    recent = recent_matching(
        db, [], exact_needle=exact_needle, exact=True, since=since, limit=limit
    )
    if len(recent) >= limit:
        return recent, None, []
    count, found = counted_ranking(
        db, phrase, count_cap=count_cap, exact_needle=exact_needle, exact=True, before=None,
        limit=limit, namesakes_seen=bool(recent),
    )
    return recent, count, found


@dataclass(frozen=True)
class NameSearch:
    """The first page of a name search (services.search builds it): its steps, in this order;
    each engine runs them its own way with the same answer (here one statement a step, on a
    server one statement in all):

    1. the exact names (`phrase`, the whole name; `needle`, "|name|"): counted up to
       `exact_cap` and all of them ranked when fewer (complete), else the namesakes among the
       customers seen since `window_since`; COUNT_FIRST says which of the two is asked first;
    2. when 1 did not fill `limit`: the other customers whose names have every word start of
       `needles`, seen since `probe_since` (everybody when None), for the room 1 left (the
       whole page, namesakes included, when 1 was not complete);
    3. when 2 did not fill that room (and `probe_since` is not None): `match`'s customers seen
       before `probe_since`, counted up to `rank_caps[how many 2 found]` (0 or past its end:
       not counted) and all ranked when fewer;
    4. when 3 was not asked or counted as many as its cap: 2's walk continued from
       `probe_since` down to `deep_since` (to the oldest when None) for the rest of the room;

    and the rows of every customer listed. The service ranks the index's first matches
    seen before `deep_since` when 4 did not fill the room (`done` false)."""

    match: str
    phrase: str
    needle: str
    needles: tuple[str, ...]
    limit: int
    window_since: str | None
    probe_since: str | None
    exact_cap: int
    rank_caps: tuple[int, ...] = ()
    deep_since: str | None = None

    def rank_cap(self, found: int) -> int:
        return self.rank_caps[found] if found < len(self.rank_caps) else 0


@dataclass(frozen=True)
class NamePage:
    """What NameSearch found: (seen, id) of 1 (most recent first) and whether it is complete,
    of 2 then 3 (most recent first), how many others the page had room for (2's limit),
    whether 3 finished the page (`done`; False: the service walks deeper for the rest of the
    room), whether 4 ran (`walked`), and the rows of all of them (in no particular order)."""

    exact: list[tuple[str, int]]
    complete: bool
    others: list[tuple[str, int]]
    room: int
    done: bool
    rows: list[tuple[Any, ...]]
    walked: bool = False


def name_page(db: sqlite_utils.Database, plan: NameSearch) -> NamePage:
    """NameSearch's steps one by one (in-process statements cost microseconds here)."""
    return name_page_steps(sys.modules[__name__], db, plan)


def name_page_steps(q: ModuleType, db: Any, plan: NameSearch) -> NamePage:
    """NameSearch's steps one statement each, through an engine's query module `q`."""
    limit = plan.limit
    exact, complete = _exact_step(q, db, plan)
    others: list[tuple[str, int]] = []
    done, walked = True, False
    room = limit - len(exact) if complete else limit
    if len(exact) < limit:
        flag = False if complete else None
        others = q.recent_matching(
            db, list(plan.needles), exact_needle=plan.needle, exact=flag, since=plan.probe_since,
            limit=room,
        )
        if len(others) < room and plan.probe_since is not None:
            done = False
            cap = plan.rank_cap(len(others))
            if cap:
                count, ranked = q.counted_ranking(
                    db, plan.match, count_cap=cap, exact_needle=plan.needle, exact=flag,
                    before=plan.probe_since, limit=room - len(others),
                )
                if count < cap:  # every match was ranked
                    others = others + ranked
                    done = True
            if not done:
                walked = True
                others = others + q.recent_matching(
                    db, list(plan.needles), exact_needle=plan.needle, exact=flag,
                    since=plan.deep_since, before=plan.probe_since, limit=room - len(others),
                )
                done = len(others) >= room or plan.deep_since is None
    ids = list(dict.fromkeys([cid for _seen, cid in exact] + [cid for _seen, cid in others]))
    return NamePage(exact, complete, others, room, done, q.rows(db, ids), walked)


def _exact_step(q: ModuleType, db: Any, plan: NameSearch) -> tuple[list[tuple[str, int]], bool]:
    """NameSearch's step 1: (seen, id) of the exact names, and whether they are complete."""
    if q.COUNT_FIRST:
        count, found = q.counted_ranking(
            db, plan.phrase, count_cap=plan.exact_cap, exact_needle=plan.needle, exact=True,
            before=None, limit=plan.limit,
        )
        if count < plan.exact_cap:
            return found, True
        return q.recent_matching(
            db, [], exact_needle=plan.needle, exact=True, since=plan.window_since,
            limit=plan.limit,
        ), False
    recent, counted, found = q.namesakes_then_count(
        db, plan.phrase, exact_needle=plan.needle, since=plan.window_since, limit=plan.limit,
        count_cap=plan.exact_cap,
    )
    if counted is not None and counted < plan.exact_cap:
        return found, True
    return recent, False


def recent_matching(
    db: sqlite_utils.Database,
    needles: Sequence[str],
    *,
    exact_needle: str,
    exact: bool | None,
    since: str | None,
    before: str | None = None,
    limit: int,
) -> list[tuple[str, int]]:
    """(last_seen_at, id) of the most recently seen customers whose folded names contain every
    needle and which are (exact=True) or are not (False) an exact match for `exact_needle`
    (None: either).

    Walks the covering recency index (no table reads) from `before` (or the newest) down to
    `since`, so the work is bounded however rare the needle; it stops once `limit` are found.
    With exact=True the needles are not checked: an exact name contains them.
    """
    conditions = "" if exact else "".join(" AND instr(search_norm, ?) > 0" for _ in needles)
    cur = db.execute(
        "SELECT last_seen_at, id FROM customers INDEXED BY customers_recent "
        "WHERE last_seen_at >= ? AND last_seen_at < ? AND ? IN ((instr(exact_keys, ?) > 0), -1)"
        f"{conditions} ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [
            since or "",
            before if before is not None else "\uffff",
            _flag(exact),
            exact_needle,
            *([] if exact else needles),
            limit,
        ],
    )
    return cur.fetchall()


def _flag(exact: bool | None) -> int:
    return -1 if exact is None else int(exact)


# Range scans list rows in index order (key, id) and keep each customer's first: the same
# customers on every engine. SELECT DISTINCT ... LIMIT without an order let PostgreSQL pick
# other ones than SQLite whenever more than `limit` matched. A customer rarely has several
# matching numbers or addresses, so a few times `limit` rows hold `limit` customers.
OVERSCAN = 3


def first_customers(cur: Any, limit: int) -> list[int]:
    return list(dict.fromkeys(r[0] for r in cur.fetchall()))[:limit]


def phone_suffix_or_start(
    db: sqlite_utils.Database, *, rev_prefix: str = "", national_prefix: str = "", limit: int
) -> list[int]:
    """Customers whose number ends with (reversed prefix) or starts with (national) these digits:
    those ending with them first, those starting with them only while fewer than `limit` do.

    Both ranges in one statement (one round trip on a server, where a whole number typed needs
    both): the second range is an index probe, cheaper read than asked for in a second trip."""
    parts = [(0, "digits_rev", rev_prefix), (1, "national", national_prefix)]
    asked = [(part, column, prefix) for part, column, prefix in parts if prefix]
    if not asked:
        return []
    cur = db.execute(
        _ranges_sql(tuple((part, column) for part, column, _prefix in asked)),
        # ':' sorts right after '9': the range of every number with these digits first
        [v for _p, _c, prefix in asked for v in (prefix, prefix + ":", limit * OVERSCAN)],
    )
    found: dict[int, list[int]] = {0: [], 1: []}
    for part, customer_id in cur.fetchall():
        found[int(part)].append(customer_id)
    ids = list(dict.fromkeys(found[0]))[:limit] if rev_prefix else []
    if national_prefix and len(ids) < limit:
        ids.extend(list(dict.fromkeys(found[1]))[:limit])
    return list(dict.fromkeys(ids))[:limit]


@lru_cache(maxsize=4)
def _ranges_sql(columns: tuple[tuple[int, str], ...]) -> str:
    """The phone-digit ranges asked for, each in its index's order, tagged with its part."""
    arms = [
        f"SELECT {part} AS part, customer_id, {column} AS k, id FROM (SELECT customer_id, {column}, "
        f"id FROM customer_phones WHERE {column} >= ? AND {column} < ? ORDER BY {column}, id "
        f"LIMIT ?) AS r{part}"
        for part, column in columns
    ]
    return "SELECT part, customer_id FROM (" + " UNION ALL ".join(arms) + ") AS a ORDER BY part, k, id"


def phone_containing(db: sqlite_utils.Database, wanted: str, limit: int) -> list[int]:
    """Customers with a number containing these digits anywhere (three or more): phones_fts,
    in phone id order (as the server's trigram index)."""
    if len(wanted) < 3 or not wanted.isdigit():
        return []  # digits only: nothing else ever reaches MATCH
    cur = db.execute(
        "SELECT p.customer_id FROM phones_fts JOIN customer_phones p "
        "ON p.id = phones_fts.rowid WHERE phones_fts MATCH ? ORDER BY phones_fts.rowid LIMIT ?",
        [f'"{wanted}"', limit * OVERSCAN],
    )
    return first_customers(cur, limit)


@dataclass(frozen=True)
class PhoneSearch:
    """The lookups one typed phone number asks for (services.search builds it), in this order;
    each engine runs them its own way (here one statement each; on a server 1-4 and the rows
    in one, 5 in a second only when it runs) with the same answer:

    1. `spellings`: customers with one of these E.164 numbers: the exact matches (by id);
    2. `e164_prefix`: the first `limit` customers with a number starting so ('+1720'), in
       E.164 order;
    3. phone_suffix_or_start(`rev_prefix`, `national_prefix`);
    4. `trimmed_rev` (the digits without their leading zeros, reversed): numbers ending so,
       only while 1-3 listed fewer than `limit` (counting a customer once per lookup);
    5. `containing`: numbers with these digits anywhere (phone_containing), only when 1 found
       nobody and 1-4 listed fewer than `limit`, for as many as are missing.

    The rows are those of the first 2 * `limit` customers so listed. `with_region`: the
    spellings assumed the shop's phone region; the stored one is read too, to check."""

    limit: int
    rev_prefix: str
    spellings: tuple[str, ...] = ()
    e164_prefix: str = ""
    national_prefix: str = ""
    trimmed_rev: str = ""
    containing: str = ""
    with_region: bool = False


def phone_search(db: sqlite_utils.Database, plan: PhoneSearch) -> PhoneFound:
    """PhoneSearch's lookups one by one (in-process statements cost microseconds here)."""
    limit = plan.limit
    region = stored_region(db) if plan.with_region else None
    exact = ids_by_e164(db, plan.spellings)
    ids = list(exact)
    if plan.e164_prefix:
        ids += ids_by_e164_prefix(db, plan.e164_prefix, limit)
    ids += phone_suffix_or_start(
        db, rev_prefix=plan.rev_prefix, national_prefix=plan.national_prefix, limit=limit
    )
    if plan.trimmed_rev and len(ids) < limit:
        ids += phone_suffix_or_start(db, rev_prefix=plan.trimmed_rev, limit=limit)
    if plan.containing and len(ids) < limit and not exact:
        ids += phone_containing(db, plan.containing, limit - len(ids))
    shown = list(dict.fromkeys(ids))[: limit * 2]
    return PhoneFound(rows(db, shown), frozenset(exact), region)


def ids_by_e164(db: sqlite_utils.Database, numbers: Sequence[str]) -> list[int]:
    """Customers with exactly one of these E.164 numbers."""
    if not numbers:
        return []
    return [r[0] for r in db.execute(_e164_sql(len(numbers)), list(numbers)).fetchall()]


@lru_cache(maxsize=16)
def _e164_sql(count: int) -> str:
    return (
        "SELECT DISTINCT customer_id FROM customer_phones "
        f"WHERE e164 IN ({', '.join('?' * count)}) ORDER BY customer_id"
    )


def ids_by_e164_prefix(db: sqlite_utils.Database, prefix: str, limit: int) -> list[int]:
    """Customers with a number starting with `prefix` ('+1720'): a range scan of the E.164 index."""
    cur = db.execute(
        "SELECT customer_id FROM customer_phones WHERE e164 >= ? AND e164 < ? "
        "ORDER BY e164, id LIMIT ?",
        [prefix, prefix + ":", limit * OVERSCAN],
    )
    return first_customers(cur, limit)


def email_prefix_matches(
    db: sqlite_utils.Database, prefix: str, limit: int
) -> list[tuple[int, str]]:
    """(customer id, address) for addresses starting with `prefix` (casefolded): a range scan of
    the address index, the primary and every other address alike; the first address per
    customer in the index's order."""
    if not prefix:
        return []
    cur = db.execute(
        "SELECT customer_id, address FROM customer_emails INDEXED BY emails_norm "
        "WHERE email_norm >= ? AND email_norm < ? ORDER BY email_norm, id LIMIT ?",
        [prefix, prefix + "\U0010ffff", limit * OVERSCAN],
    )
    return first_per_customer(cur.fetchall(), limit)


def email_rows(
    db: sqlite_utils.Database, prefix: str, limit: int
) -> tuple[list[tuple[int, str]], list[tuple[Any, ...]]]:
    """email_prefix_matches, and the result rows of those customers (in no particular order):
    two statements here, one on a server."""
    matched = email_prefix_matches(db, prefix, limit)
    return matched, rows(db, [cid for cid, _address in matched])


def first_per_customer(matches: Iterable[tuple[int, T]], limit: int) -> list[tuple[int, T]]:
    """(customer id, value) of each customer's first match, for at most `limit` customers."""
    found: dict[int, T] = {}
    for cid, value in matches:
        found.setdefault(cid, value)
        if len(found) >= limit:
            break
    return list(found.items())


def note_matches(db: sqlite_utils.Database, match: str, limit: int) -> dict[int, int]:
    """Live notes matching an FTS5 expression built by services.search (never raw user text).

    Returns {customer_id: note_id}, one note per customer, at most `limit` customers; reads at
    most 3 * limit matches, so a word in every other note costs what a rare one does.
    """
    cur = db.execute(
        "SELECT n.customer_id, n.id FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid "
        "WHERE notes_fts MATCH ? AND n.deleted_at IS NULL LIMIT ?",
        [match, limit * 3],
    )
    return one_per_customer(cur.fetchall(), limit)


@dataclass(frozen=True)
class NoteHits:
    """Customers with a live note matching: {customer: its first matching note} (note_matches),
    their result rows (in no particular order) and a way to read the notes shown."""

    found: dict[int, int]
    rows: list[tuple[Any, ...]]
    bodies: Callable[[list[int]], dict[int, str]]


def note_hits(
    db: sqlite_utils.Database, match: str, limit: int, exclude: Collection[int]
) -> NoteHits:
    """note_matches without the customers in `exclude` (shown already), with their rows: two
    statements, and the bodies a third for the notes shown (on a server all in one)."""
    found = {cid: nid for cid, nid in note_matches(db, match, limit).items() if cid not in exclude}
    return NoteHits(found, rows(db, list(found)), lambda note_ids: note_bodies(db, note_ids))
