"""The search index's queries on PostgreSQL: the same functions, by the same names, as the
SQLite ones services.search calls (store/search_index.py picks the set for a connection).

The index (store/server/schema.py): customers.search_vector and notes.body_vector, tsvectors of
the Python-folded tokens with GIN indexes, in place of customers_fts and notes_fts; btree
ranges on COLLATE "C" columns for phones and e-mail, as on the file. The one LIKE (digits from
the middle of a number) runs on a pg_trgm GIN index.

Statements that are plain SQL on both engines are not written here again: they are imported
from store/customers.py and store/notes.py and run through the dialect layer (sql.py).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import Any

from csdesk.store import settings as settings_store
from csdesk.store.notes import bodies as note_bodies
from csdesk.store.notes import one_per_customer
from csdesk.store.rows import nameless_phone
from csdesk.store.search import (  # plain SQL on both engines
    OVERSCAN,
    REGION_KEY,
    ROW_ID,
    ROW_NAME_PHONE,
    NamePage,
    NameSearch,
    NoteHits,
    PhoneFound,
    PhoneSearch,
    first_customers,
    first_per_customer,
    ids_by_e164,
    ids_by_e164_prefix,
    name_page_steps,
    newest_id,
    phone_suffix_or_start,
)
from csdesk.store.server.schema import PREFIX_LEXEMES, PREFIX_MARK

__all__ = [
    "COUNT_FIRST",
    "RANK_CAP",
    "counted_ranking", "email_prefix_matches", "email_rows", "fts_count", "fts_ids", "ids_by_e164",
    "ids_by_e164_prefix",
    "name_page", "namesakes_then_count", "newest_id", "note_bodies", "note_hits", "note_matches",
    "phone_containing",
    "phone_search",
    "phone_suffix_or_start", "ranked_fts", "recency_cutoff", "recent_matching", "recent_rows", "rows",
    "rows_by_e164",
    "tsquery",
]

Db = Any  # a store.server.sql.PgDatabase; Any, so both engines' functions share one signature

# As store/search.py's RANK_CAP: counting and ranking a word's matches here reads one table row
# per match from the GIN index's bitmap (no index-only count on a GIN index), 2.5 µs each from
# shared buffers and up to ~25 µs from the OS cache, while the recency walk it would spare reads
# 30,000 index entries in 3-10 ms. So a word with 1,000 matches or more is walked for: 5,000
# rows were read to find a word had more than FTS_CAP matches (15-36 ms at 1,000,000 customers).
RANK_CAP = 1_000
# As store/search.py's: the namesakes in the recency window first (a walk of index entries),
# the count of a word's rows only when they do not fill the page.
COUNT_FIRST = False

# The FTS5 expressions services.search.fts_query builds: quoted phrases, each maybe with `*`.
_PHRASE = re.compile(r'"((?:[^"]|"")*)"(\*?)')


def tsquery(match: str, *, prefix_lexemes: bool = True) -> str:
    """The FTS5 expression of services.search as a tsquery: '"garcia mar"* "jo"*' becomes
    "'garcia' <-> 'mar~' & 'jo~'", and '"garcia"*' "'garcia':*". Lexemes are quoted (quotes
    and backslashes escaped), so user text never reaches the tsquery parser as operators.

    A prefix of up to PREFIX_LEXEMES letters is the lexeme the customers' vectors hold for it
    (schema 0017_search_prefixes), one GIN entry instead of a merge of every word it starts;
    `prefix_lexemes=False` for vectors without them (notes)."""
    phrases = []
    for body, star in _PHRASE.findall(match):
        words = body.replace('""', '"').split()
        if not words:
            continue
        if star and prefix_lexemes and len(words[-1]) <= PREFIX_LEXEMES:
            words[-1] += PREFIX_MARK
            star = ""
        lexemes = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words]
        if star:
            lexemes[-1] += ":*"
        phrases.append(" <-> ".join(lexemes))
    return " & ".join(f"({p})" for p in phrases)


def fts_ids(db: Db, match: str, limit: int) -> list[int]:
    """Customers whose names or e-mail words match (a GIN index scan of search_vector)."""
    query = tsquery(match)
    if not query:
        return []
    cur = db.execute("SELECT id FROM customers WHERE search_vector @@ ?::tsquery LIMIT ?", [query, limit])
    return [r[0] for r in cur.fetchall()]


def recency_cutoff(db: Db, depth: int) -> str | None:
    found = db.execute(
        "SELECT last_seen_at FROM customers ORDER BY last_seen_at DESC, id DESC LIMIT 1 OFFSET ?", [depth]
    ).fetchone()
    return None if found is None else str(found[0])


# As store/search.py's _ROW_SQL: the phones joined by a unit separator, in their order.
_ROW_COLUMNS = (
    "c.id, c.first_name, c.last_name, c.preferred_name, c.email, c.exact_keys, "
    "c.last_seen_at, c.last_visit_at, "
    "(SELECT string_agg(coalesce(nullif(p.e164, ''), p.raw), chr(31) ORDER BY p.position, p.id) "
    "FROM customer_phones p WHERE p.customer_id = c.id), "
    f"c.company, {nameless_phone('c')}"
)
_ROW_SQL = f"SELECT {_ROW_COLUMNS} FROM customers c"
_FAR = "\uffff"  # sorts after every timestamp: "before nothing"


def _exact_clause(exact: bool | None) -> str:
    """Only exact name matches, only the others, or (None) either."""
    if exact is None:
        return ""
    return f" AND {'' if exact else 'NOT '}(strpos(exact_keys, ?) > 0)"


def rows(db: Db, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    if not ids:
        return []
    return db.execute(f"{_ROW_SQL} WHERE c.id = ANY(?)", [list(ids)]).fetchall()


def rows_by_e164(
    db: Db, numbers: Sequence[str], limit: int, *, with_region: bool = False
) -> PhoneFound:
    """As on the file, with the shop's phone region read in the same statement (one round
    trip for a caller ID typed without its country code, not two)."""
    if not numbers and not with_region:
        return PhoneFound([], frozenset())
    sql = _rows_by_e164_sql(len(numbers))
    if with_region:
        found, region = _with_region(db, "", sql, [*numbers, limit])
    else:
        found, region = db.execute(sql, [*numbers, limit]).fetchall(), None
    return PhoneFound(found, frozenset(r[ROW_ID] for r in found), region)


def _with_region(
    db: Db, ctes: str, rows_sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> tuple[list[tuple[Any, ...]], object]:
    """Result rows and the shop's phone_region setting in one statement: the rows joined to a
    one-row reading of the setting, so it is read even when no row matches."""
    got = db.execute(
        f"{ctes}SELECT r.*, s.value FROM (SELECT (SELECT value FROM settings "
        f"WHERE key = '{REGION_KEY}') AS value) AS s LEFT JOIN LATERAL ({rows_sql}) AS r ON true",
        params,
    ).fetchall()
    return [r[:-1] for r in got if r[ROW_ID] is not None], settings_store.decoded(got[0][-1])


def phone_search(db: Db, plan: PhoneSearch) -> PhoneFound:
    """PhoneSearch's lookups, the rows and the region in one statement, each lookup a CTE run
    only when the counts before it ask for it, as the file's steps are (a whole number typed
    was four or five round trips of ~0.1 ms, for lookups of ~0.02 ms each). Digits from the
    middle of a number, when asked for, are a second statement (_containing)."""
    limit = int(plan.limit)
    ctes, rows_sql, listed = _phone_sql(
        len(plan.spellings), bool(plan.e164_prefix), bool(plan.national_prefix),
        bool(plan.trimmed_rev), limit,
    )
    params: dict[str, Any] = {f"s{i}": number for i, number in enumerate(plan.spellings)}
    # ':' sorts right after '9': the range of every number with these digits first.
    for name, prefix in (("p", plan.e164_prefix), ("r", plan.rev_prefix),
                         ("n", plan.national_prefix), ("t", plan.trimmed_rev)):
        if prefix:
            params[name], params[name + "_end"] = prefix, prefix + ":"
    region = f"(SELECT value FROM settings WHERE key = '{REGION_KEY}')" if plan.with_region else "NULL"
    got = db.execute(
        f"{ctes}SELECT r.*, s.listed, s.exact, s.region FROM (SELECT {listed} AS listed, "
        f"(SELECT count(*) FROM ex) AS exact, {region} AS region) AS s "
        f"LEFT JOIN LATERAL ({rows_sql}) AS r ON true",
        params,
    ).fetchall()
    count, exact_count, stored = got[0][-3:]  # the same in every row
    found = [r[:ROW_FLAG] for r in got if r[ROW_ID] is not None]
    exact = frozenset(r[ROW_ID] for r in got if r[ROW_FLAG])
    if plan.containing and count < limit and not exact_count:
        shown = {r[ROW_ID] for r in found}
        found += [r for r in _containing(db, plan.containing, limit - count) if r[ROW_ID] not in shown]
    return PhoneFound(found, exact, settings_store.decoded(stored) if plan.with_region else None)


ROW_FLAG = ROW_NAME_PHONE + 1  # phone_search's rows: the result row's columns, then whether exact


# Digits from the middle of a number (_containing_matches), in three ways by what the oldest
# CONTAINING_HEAD numbers say (a walk of ~0.3 ms): digits they hold `rows` times are answered
# by that walk; digits they hold CONTAINING_OFTEN times or more (one number in 500: about
# 3,000 of 1,700,000) by a walk in id order, which soon meets `rows` of them; rarer ones by
# the trigram index, at most CONTAINING_CAP numbers listed (all of them when fewer, and the
# first in id order kept; when as many, the walk). The trigram index's own cost grows with how
# common the digits are (4.4 ms to list 14,928 numbers with '50103', 7 ms with 2,000 of them
# read), the walk's with how rare.
CONTAINING_HEAD = 2_000
CONTAINING_OFTEN = 4
CONTAINING_CAP = 2_000


def _containing(db: Db, wanted: str, limit: int) -> list[tuple[Any, ...]]:
    """phone_containing's customers and their rows in one statement (_containing_matches). The
    planner's guess of how many numbers hold the digits chose between a walk in id order and
    the trigram index before, often wrongly (schema 0019): 70-280 ms at 1,000,000 customers."""
    if len(wanted) < 3 or not wanted.isdigit():
        return []
    return db.execute(
        f"{_containing_matches(int(limit) * OVERSCAN)} SELECT {_ROW_COLUMNS} FROM customers c "
        "WHERE c.id IN (SELECT cid FROM (SELECT cid, min(phone_id) AS first FROM m GROUP BY cid "
        f"ORDER BY first LIMIT {int(limit)}) AS f)",
        {"d": wanted},
    ).fetchall()


def _containing_matches(rows: int) -> str:
    """The WITH clause of the first `rows` numbers (m: cid, phone_id) holding the digits :d,
    the same plan for any digits (CONTAINING_HEAD says which way). Each CTE runs only when the
    counts before it ask for it; the walks use `strpos`, which no index answers, so the
    planner cannot take the trigram index for them on a guess."""
    head, often, cap = CONTAINING_HEAD, CONTAINING_OFTEN, CONTAINING_CAP
    n_head, n_cand = "(SELECT count(*) FROM head)", "(SELECT count(*) FROM cand)"
    return (
        "WITH head AS MATERIALIZED (SELECT customer_id AS cid, id AS phone_id FROM (SELECT "
        f"customer_id, id, e164 FROM customer_phones ORDER BY id LIMIT {head}) AS h "
        f"WHERE strpos(e164, :d) > 0 LIMIT {rows}), "
        "cand AS MATERIALIZED (SELECT phone_id, cid FROM csdesk_phones_containing(:d, "
        f"{cap}) WHERE {n_head} < {often}), "
        f"m AS MATERIALIZED (SELECT cid, phone_id FROM head WHERE {n_head} >= {rows} "
        f"UNION ALL (SELECT cid, phone_id FROM cand WHERE {n_head} < {often} AND {n_cand} < {cap} "
        f"ORDER BY phone_id LIMIT {rows}) UNION ALL (SELECT customer_id, id FROM customer_phones "
        f"WHERE {n_head} < {rows} AND ({n_head} >= {often} OR {n_cand} >= {cap}) "
        f"AND strpos(e164, :d) > 0 ORDER BY id LIMIT {rows}))"
    )


_AFTER = 10_000  # more than any lookup's rows (OVERSCAN * 500): the positions of a later part


def _opaque(name: str) -> str:
    """A parameter the planner does not look at (an InitPlan's value): so a custom plan is
    costed as the generic one is, and after its five custom plans PostgreSQL keeps the generic
    plan instead of planning this statement anew at every call (0.3-0.4 ms, more than it runs:
    a range's custom plan, which sees its digits, looks 8 times cheaper than the generic one,
    which guesses 8,000 numbers in any range). The plans are the same (the indexes' ranges)."""
    return f"(SELECT CAST(:{name} AS text))"


def _first_customers(column: str, low: str, gate: str, rows: int, customers: int) -> str:
    """The first `customers` customers (with their first position) among the first `rows` phone
    rows of a btree range in (column, id) order, as store/search.first_customers keeps them."""
    return (
        "SELECT cid, min(pos) AS pos FROM (SELECT customer_id AS cid, row_number() OVER "
        f"(ORDER BY k, id) AS pos FROM (SELECT customer_id, {column} AS k, id FROM customer_phones "
        f"WHERE {gate}{column} >= {_opaque(low)} AND {column} < {_opaque(low + '_end')} "
        f"ORDER BY {column}, id LIMIT {rows}) AS s) AS n GROUP BY cid ORDER BY pos "
        f"LIMIT {customers}"
    )


@lru_cache(maxsize=64)
def _phone_sql(
    spellings: int, prefix: bool, national: bool, trimmed: bool, limit: int
) -> tuple[str, str, str]:
    """(the WITH clause, the rows' SELECT, how many lookups 1-4 listed) of phone_search for a
    plan of this shape. A lookup gated by the counts before it sits under a one-time filter:
    not run when they say no. The limits are written in (ints, never user text): a generic
    plan of `LIMIT $n` guesses a tenth of the rows and is planned anew at every call."""
    rows = limit * OVERSCAN
    spelled = ", ".join(f":s{i}" for i in range(spellings))
    ctes = [
        "ex AS MATERIALIZED (SELECT DISTINCT customer_id AS cid FROM customer_phones WHERE "
        + (f"e164 IN ({spelled}))" if spellings else "false)")
    ]
    parts = ["SELECT cid, 0 AS part, row_number() OVER (ORDER BY cid) AS pos FROM ex"]
    counts = ["(SELECT count(*) FROM ex)"]
    if prefix:
        ctes.append(f"a1 AS MATERIALIZED ({_first_customers('e164', 'p', '', rows, limit)})")
        parts.append("SELECT cid, 1, pos FROM a1")
        counts.append("(SELECT count(*) FROM a1)")
    ctes.append(f"r0 AS MATERIALIZED ({_first_customers('digits_rev', 'r', '', rows, limit)})")
    if national:  # phone_suffix_or_start: numbers starting so only while too few end so
        gate = f"(SELECT count(*) FROM r0) < {limit} AND "
        ctes.append(f"r1 AS MATERIALIZED ({_first_customers('national', 'n', gate, rows, limit)})")
        ctes.append(
            "so AS MATERIALIZED (SELECT cid, min(pos) AS pos FROM (SELECT cid, pos FROM r0 "
            f"UNION ALL SELECT cid, {_AFTER} + pos FROM r1) AS u GROUP BY cid ORDER BY pos "
            f"LIMIT {limit})"
        )
        parts.append("SELECT cid, 2, pos FROM so")
        counts.append("(SELECT count(*) FROM so)")
    else:
        parts.append("SELECT cid, 2, pos FROM r0")
        counts.append("(SELECT count(*) FROM r0)")
    if trimmed:
        gate = f"{' + '.join(counts)} < {limit} AND "
        ctes.append(f"t0 AS MATERIALIZED ({_first_customers('digits_rev', 't', gate, rows, limit)})")
        parts.append("SELECT cid, 3, pos FROM t0")
        counts.append("(SELECT count(*) FROM t0)")
    ctes.append(
        f"shown AS MATERIALIZED (SELECT cid FROM ({' UNION ALL '.join(parts)}) AS a "
        f"GROUP BY cid ORDER BY min(part * {_AFTER * 10} + pos) LIMIT {limit * 2})"
    )
    rows_sql = (
        f"SELECT {_ROW_COLUMNS}, c.id IN (SELECT cid FROM ex) FROM customers c "
        "WHERE c.id IN (SELECT cid FROM shown)"
    )
    return "WITH " + ", ".join(ctes) + " ", rows_sql, " + ".join(counts)


@lru_cache(maxsize=16)
def _rows_by_e164_sql(count: int) -> str:
    # `IN (?, ?)`, not `= ANY(?)`: a prepared statement's generic plan guesses ten numbers for
    # an array and 22 rows, five times its custom plans' cost, so PostgreSQL planned it anew at
    # every call (caller ID p50 0.32 -> 0.43 ms); with one parameter per number it keeps the
    # generic plan.
    spelled = f"e164 IN ({', '.join('?' * count)})" if count else "false"
    return (
        f"{_ROW_SQL} WHERE c.id IN (SELECT customer_id FROM customer_phones "
        f"WHERE {spelled}) ORDER BY c.id LIMIT ?"
    )


def recent_rows(db: Db, limit: int) -> list[tuple[Any, ...]]:
    # The LIMIT written in (see recent_matching): with `LIMIT ?` every empty search was planned
    # anew (pg_prepared_statements: 0 generic plans in 95 calls).
    return db.execute(
        f"{_ROW_SQL} ORDER BY c.last_seen_at DESC, c.id DESC LIMIT {int(limit)}"
    ).fetchall()


def fts_count(db: Db, match: str, cap: int) -> int:
    query = tsquery(match)
    if not query:
        return 0
    return int(
        db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM customers WHERE search_vector @@ ?::tsquery "
            "LIMIT ?) AS m",
            [query, cap],
        ).fetchone()[0]
    )


def ranked_fts(
    db: Db,
    match: str,
    *,
    exact_needle: str,
    exact: bool | None,
    before: str | None,
    cap: int,
    limit: int,
) -> list[tuple[str, int]]:
    query = tsquery(match)
    if not query:
        return []
    clause = _exact_clause(exact)
    # The first `cap` matches in id order (as FTS5 lists rowids on the file: the same customers
    # on both engines when more than `cap` match), read in one bitmap scan of the GIN index
    # with the columns the ranking needs. `id + 0`: sorted, never found by walking the primary
    # key (which reads the whole table when the word is rarer than the planner guessed); and
    # not `id IN (...)`, which fetched each match a second time by its key (5,000 probes).
    cur = db.execute(
        "SELECT last_seen_at, id FROM (SELECT id, last_seen_at, exact_keys FROM customers "
        "WHERE search_vector @@ ?::tsquery ORDER BY id + 0 LIMIT ?) AS m "
        f"WHERE last_seen_at < ?{clause} ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [query, cap, before if before is not None else _FAR,
         *([exact_needle] if clause else []), limit],
    )
    return [(str(seen), int(cid)) for seen, cid in cur.fetchall()]


def counted_ranking(
    db: Db,
    match: str,
    *,
    count_cap: int,
    exact_needle: str,
    exact: bool | None,
    before: str | None,
    limit: int,
    namesakes_seen: bool = False,
) -> tuple[int, list[tuple[str, int]]]:
    """As on the file, in one statement and one pass over the matches (the count and the
    ranking read the same rows from the heap, so two statements read them twice): up to
    `count_cap` matches are read once (any of them: this is a count); when fewer than
    `count_cap` match, they are all of them, and their ranking is the file's."""
    query = tsquery(match)
    if not query:
        return 0, []
    clause = _exact_clause(exact)
    # Namesakes only (exact=True) when nobody has the name: (0, []) from one probe of the
    # namesakes index (schema 0018), not a count of every row with the word. The count only
    # tells whether the ranking is complete, and an empty one is: the file's answer (no
    # namesakes, in a window or anywhere) is the same. Not probed when the caller has met
    # namesakes (namesakes_seen): the probe lists them all (8 ms for "jo" or "li").
    namesakes = exact is True and not namesakes_seen
    cur = db.execute(
        "WITH m AS MATERIALIZED (SELECT id, last_seen_at, exact_keys FROM customers "
        f"WHERE {'csdesk_has_namesake(?) AND ' if namesakes else ''}search_vector @@ ?::tsquery LIMIT ?) "
        "SELECT 0, NULL, count(*) FROM m UNION ALL "
        f"(SELECT 1, last_seen_at, id FROM m WHERE last_seen_at < ?{clause} "
        "ORDER BY last_seen_at DESC, id DESC LIMIT ?)",
        [*([exact_needle[1:-1]] if namesakes else []), query, count_cap,
         before if before is not None else _FAR, *([exact_needle] if clause else []), limit],
    )
    rows = cur.fetchall()
    count = next(int(n) for kind, _seen, n in rows if kind == 0)
    if count >= count_cap:
        return count, []
    ranked = [(str(seen), int(cid)) for kind, seen, cid in rows if kind == 1]
    return count, sorted(ranked, reverse=True)


def recent_matching(
    db: Db,
    needles: Sequence[str],
    *,
    exact_needle: str,
    exact: bool | None,
    since: str | None,
    before: str | None = None,
    limit: int,
) -> list[tuple[str, int]]:
    """As on the file: a bounded walk of the recency index (it INCLUDEs the name columns).

    The namesakes of a one-letter name (exact=True, "|m|"), which few have, are walked for
    only when the namesakes index has any (schema 0018): every search typed starts with one
    letter, and the walk of the whole window it finds nothing in (1.2 ms at 1,000,000
    customers) becomes a probe of 0.1 ms. A longer name's namesakes are walked for when the
    first NAMESAKE_PROBE entries of the walk have one (a common name: the walk soon fills the
    page) or, failing that, the namesakes index has any: the index probe's cost grows with the
    namesakes it lists (3 ms for "maria"), so it is asked only of a name the customers seen
    last do not have, which is mostly a name nobody has ("so", "zqwkvx": the whole window was
    walked for nothing, 1.0-1.3 ms, for every such search)."""
    sql, params = _recent_sql(needles, exact_needle, exact, since, before, limit)
    return [(str(seen), int(cid)) for seen, cid in db.execute(sql, params).fetchall()]


def _recent_sql(
    needles: Sequence[str], exact_needle: str, exact: bool | None, since: str | None,
    before: str | None, limit: int,
) -> tuple[str, list[Any]]:
    """recent_matching's statement and its parameters."""
    clause = _exact_clause(exact)
    used = [] if exact else list(needles)
    conditions = "".join(" AND strpos(search_norm, ?) > 0" for _ in used)
    since_at = since or ""
    before_at = before if before is not None else _FAR
    gate, gated = "", []
    if exact is True and len(exact_needle) == 3:
        gate, gated = "csdesk_has_namesake(?) AND ", [exact_needle[1:-1]]
    elif exact is True:
        gate = (
            f"((SELECT count(*) FROM (SELECT 1 FROM (SELECT exact_keys FROM customers "
            "WHERE last_seen_at >= ? AND last_seen_at < ? ORDER BY last_seen_at DESC, id DESC "
            f"LIMIT {NAMESAKE_PROBE}) AS w WHERE strpos(exact_keys, ?) > 0 LIMIT 1) AS p) > 0 "
            "OR csdesk_has_namesake(?)) AND "
        )
        gated = [since_at, before_at, exact_needle, exact_needle[1:-1]]
    # The LIMIT written into the statement (an int from the service, never user text), not a
    # parameter: a prepared statement's generic plan guesses a tenth of the rows for `LIMIT $n`,
    # so it never looked as cheap as a custom plan and the server planned this walk anew at
    # every call (pg_prepared_statements: 0 generic plans in 1,600 walks). Its generic plan is
    # the same walk of customers_recent, the one index in that order.
    return (
        f"SELECT last_seen_at, id FROM customers WHERE {gate}"
        f"last_seen_at >= ? AND last_seen_at < ?{clause}{conditions} "
        f"ORDER BY last_seen_at DESC, id DESC LIMIT {int(limit)}",
        [*gated, since_at, before_at, *([exact_needle] if clause else []), *used],
    )


def namesakes_then_count(
    db: Db,
    phrase: str,
    *,
    exact_needle: str,
    since: str | None,
    limit: int,
    count_cap: int,
) -> tuple[list[tuple[str, int]], int | None, list[tuple[str, int]]]:
    """As on the file, in one statement (each name search's first two round trips were these):
    the window's walk, then, only when it did not fill the page, counted_ranking's count and
    ranking of the namesakes (probing the namesakes index only when the walk met none)."""
    query = tsquery(phrase)
    walk, params = _recent_sql([], exact_needle, True, since, None, limit)
    if not query:  # no lexeme to count: as counted_ranking, nothing
        recent = [(str(seen), int(cid)) for seen, cid in db.execute(walk, params).fetchall()]
        return recent, (None if len(recent) >= limit else 0), []
    short = f"(SELECT count(*) FROM win) < {int(limit)}"
    rows = db.execute(
        f"WITH win AS MATERIALIZED ({walk}), "
        "m AS MATERIALIZED (SELECT id, last_seen_at, exact_keys FROM customers "
        f"WHERE {short} AND ((SELECT count(*) FROM win) > 0 OR csdesk_has_namesake(?)) "
        "AND search_vector @@ ?::tsquery LIMIT ?) "
        "SELECT 0, last_seen_at, id FROM win "
        f"UNION ALL SELECT 1, NULL, count(*) FROM m HAVING {short} "  # no row when not counted
        "UNION ALL (SELECT 2, last_seen_at, id FROM m WHERE strpos(exact_keys, ?) > 0 "
        f"ORDER BY last_seen_at DESC, id DESC LIMIT {int(limit)})",
        [*params, exact_needle[1:-1], query, count_cap, exact_needle],
    ).fetchall()
    recent = sorted(((str(seen), int(cid)) for kind, seen, cid in rows if kind == 0), reverse=True)
    counted = next((int(n) for kind, _seen, n in rows if kind == 1), None)
    if counted is None or counted >= count_cap:
        return recent, counted, []
    ranked = sorted(((str(seen), int(cid)) for kind, seen, cid in rows if kind == 2), reverse=True)
    return recent, counted, ranked


NAMESAKE_PROBE = 500  # recency entries looked at before the namesakes index is asked


def name_page(db: Db, plan: NameSearch) -> NamePage:
    """As on the file, in one statement (_name_page_sql: each step a CTE run only when the
    counts before it ask for it), the rows of the customers listed with them: a one- to
    three-letter search was three or four round trips of ~0.1 ms (the exact names, the probe,
    the count, the rows), a word nobody has four with the notes. The window-first order
    (COUNT_FIRST false); asked for the other order (a test), the file's steps."""
    phrase, match = tsquery(plan.phrase), tsquery(plan.match)
    if COUNT_FIRST or not phrase or not match:
        return name_page_steps(sys.modules[__name__], db, plan)
    limit = int(plan.limit)
    sql = _name_page_sql(len(plan.needles), limit, len(plan.needle) == 3, int(plan.exact_cap),
                         NAMESAKE_PROBE)
    params: dict[str, Any] = {f"w{i}": w for i, w in enumerate(plan.needles)}
    params.update(
        needle=plan.needle, inner=plan.needle[1:-1], phrase=phrase, match=match, far=_FAR,
        win_since=plan.window_since or "", probe_since=plan.probe_since or "",
        deep_since=plan.deep_since or "",
        caps=list(plan.rank_caps) if plan.probe_since is not None else [],
    )
    got = db.execute(sql, params).fetchall()
    complete, room, probed, cap, counted = got[0][-5:]  # the same in every row
    found: dict[int, list[tuple[str, int]]] = {1: [], 2: [], 3: [], 4: []}
    for r in got:
        if r[0] is not None:
            found[r[0]].append((str(r[1]), int(r[2])))
    exact, probe, ranked, deep = (sorted(found[kind], reverse=True) for kind in (1, 2, 3, 4))
    walked = not (
        len(exact) >= limit or plan.probe_since is None or probed >= room
        or bool(cap and counted < cap)
    )
    done = not walked or probed + len(deep) >= room or plan.deep_since is None
    rows = {r[3 + ROW_ID]: r[3:-5] for r in got if r[0] is not None}
    return NamePage(
        exact, bool(complete), probe + ranked + deep, int(room), done, list(rows.values()), walked
    )


@lru_cache(maxsize=64)
def _name_page_sql(words: int, limit: int, one_letter: bool, exact_cap: int, probe: int) -> str:
    """name_page's statement. CTEs, each gated by the counts before it (a one-time filter: not
    run when they say no), as NameSearch's steps:

    win: the namesakes in the recency window (as recent_matching, exact=True: walked for only
         when the first `probe` entries or the namesakes index have one);
    m:   when win did not fill the page, the first `exact_cap` rows with the name's words
         (probing the namesakes index when win met none), counted; st says whether complete;
    ex:  the exact names: m's namesakes when complete, else win's;
    pr:  the probe, the others seen since probe_since (the namesakes too when not complete);
    rm:  when pr did not fill the room, the first caps[found] rows with every word (pk: that
         cap, 0 for none), counted; rk: all of them ranked, seen before probe_since, when fewer;
    dw:  when rm was not asked or found as many as its cap, pr's walk from probe_since down to
         deep_since.

    The limits and caps are written in (ints, never user text) and the values compared with
    index columns are opaque (_opaque), so its generic plan is kept, as phone_search's."""
    far, win_since, probe_since = _opaque("far"), _opaque("win_since"), _opaque("probe_since")
    deep_since = _opaque("deep_since")
    needle = "(SELECT CAST(:needle AS text))"
    walk_order = f"ORDER BY last_seen_at DESC, id DESC LIMIT {limit}"
    if one_letter:
        gate = "csdesk_has_namesake(:inner) AND "
    else:
        gate = (
            "((SELECT count(*) FROM (SELECT 1 FROM (SELECT exact_keys FROM customers "
            f"WHERE last_seen_at >= {win_since} AND last_seen_at < {far} "
            f"ORDER BY last_seen_at DESC, id DESC LIMIT {probe}) AS w "
            f"WHERE strpos(exact_keys, {needle}) > 0 LIMIT 1) AS p) > 0 "
            "OR csdesk_has_namesake(:inner)) AND "
        )
    nwin = "(SELECT count(*) FROM win)"
    complete = "(SELECT complete FROM st)"
    others = f"({complete} IS NOT TRUE OR NOT (strpos(exact_keys, {needle}) > 0))"
    conditions = "".join(f" AND strpos(search_norm, :w{i}) > 0" for i in range(words))
    ctes = [
        f"win AS MATERIALIZED (SELECT last_seen_at, id FROM customers WHERE {gate}"
        f"last_seen_at >= {win_since} AND last_seen_at < {far} "
        f"AND (strpos(exact_keys, {needle}) > 0) {walk_order})",
        "m AS MATERIALIZED (SELECT id, last_seen_at, exact_keys FROM customers "
        f"WHERE {nwin} < {limit} AND ({nwin} > 0 OR csdesk_has_namesake(:inner)) "
        f"AND search_vector @@ (SELECT CAST(:phrase AS tsquery)) LIMIT {exact_cap})",
        "st AS MATERIALIZED (SELECT coalesce(counted < "
        f"{exact_cap}, false) AS complete FROM (SELECT CASE WHEN {nwin} < {limit} "
        "THEN (SELECT count(*) FROM m) END AS counted) AS s)",
        f"ex AS MATERIALIZED (SELECT last_seen_at, id FROM win WHERE NOT {complete} "
        f"UNION ALL (SELECT last_seen_at, id FROM m WHERE {complete} "
        f"AND strpos(exact_keys, {needle}) > 0 {walk_order}))",
        "rs AS MATERIALIZED (SELECT complete, (SELECT count(*) FROM ex) AS nex, CASE WHEN complete "
        f"THEN {limit} - (SELECT count(*) FROM ex) ELSE {limit} END AS room FROM st)",
        "pr AS MATERIALIZED (SELECT last_seen_at, id FROM customers "
        f"WHERE (SELECT nex FROM rs) < {limit} AND last_seen_at >= {probe_since} "
        f"AND last_seen_at < {far} AND {others}{conditions} {walk_order})",
        "pk AS MATERIALIZED (SELECT n, room, CASE WHEN nex < "
        f"{limit} AND n < room THEN coalesce((CAST(:caps AS int[]))[n + 1], 0) ELSE 0 END AS cap "
        "FROM (SELECT least((SELECT count(*) FROM pr), room) AS n, room, nex FROM rs) AS k)",
        "rm AS MATERIALIZED (SELECT id, last_seen_at, exact_keys FROM customers "
        "WHERE (SELECT cap FROM pk) > 0 AND search_vector @@ (SELECT CAST(:match AS tsquery)) "
        "LIMIT (SELECT cap FROM pk))",
        "rk AS MATERIALIZED (SELECT last_seen_at, id FROM rm "
        "WHERE (SELECT count(*) FROM rm) < (SELECT cap FROM pk) "
        f"AND last_seen_at < {probe_since} AND {others} "
        "ORDER BY last_seen_at DESC, id DESC LIMIT (SELECT room - n FROM pk))",
        # rm ran and ranked them all, or pr filled the room (or the exact names the page)
        "fin AS MATERIALIZED (SELECT nex >= "
        f"{limit} OR n >= room OR (cap > 0 AND (SELECT count(*) FROM rm) < cap) AS done "
        "FROM (SELECT n, room, cap, (SELECT nex FROM rs) AS nex FROM pk) AS f)",
        "dw AS MATERIALIZED (SELECT last_seen_at, id FROM customers "
        f"WHERE NOT (SELECT done FROM fin) AND last_seen_at >= {deep_since} "
        f"AND last_seen_at < {probe_since} AND {others}{conditions} {walk_order})",
        "ids AS (SELECT 1 AS kind, last_seen_at, id FROM ex "
        "UNION ALL (SELECT 2, last_seen_at, id FROM pr ORDER BY last_seen_at DESC, id DESC "
        "LIMIT (SELECT room FROM rs)) UNION ALL SELECT 3, last_seen_at, id FROM rk "
        "UNION ALL (SELECT 4, last_seen_at, id FROM dw ORDER BY last_seen_at DESC, id DESC "
        "LIMIT (SELECT room - n FROM pk)))",
    ]
    return (
        "WITH " + ", ".join(ctes) + " SELECT r.*, s.* FROM (SELECT "
        "(SELECT complete FROM rs), (SELECT room FROM rs), (SELECT n FROM pk), "
        "(SELECT cap FROM pk), (SELECT count(*) FROM rm)) AS s(complete, room, probed, cap, counted) "
        f"LEFT JOIN LATERAL (SELECT i.kind, i.last_seen_at, i.id, {_ROW_COLUMNS} FROM ids i "
        "JOIN customers c ON c.id = i.id) AS r ON true"
    )


def phone_containing(db: Db, wanted: str, limit: int) -> list[int]:
    """Numbers with these digits anywhere: a pg_trgm GIN index on e164 (the file's phones_fts),
    as _containing finds them. Digits only, so the LIKE pattern has no wildcards of the user's."""
    if len(wanted) < 3 or not wanted.isdigit():
        return []
    cur = db.execute(
        f"{_containing_matches(int(limit) * OVERSCAN)} SELECT cid FROM m ORDER BY phone_id",
        {"d": wanted},
    )
    return first_customers(cur, limit)


def email_prefix_matches(db: Db, prefix: str, limit: int) -> list[tuple[int, str]]:
    """A btree range over customer_emails.email_norm (COLLATE "C": code point order, as SQLite)."""
    if not prefix:
        return []
    # The LIMIT written in and the range's ends opaque (_opaque): with them as plain
    # parameters every e-mail search was planned anew (0 generic plans in 72 calls).
    cur = db.execute(
        "SELECT customer_id, address FROM customer_emails "
        f"WHERE email_norm >= {_opaque('low')} AND email_norm < {_opaque('high')} "
        f"ORDER BY email_norm, id LIMIT {int(limit) * OVERSCAN}",
        {"low": prefix, "high": prefix + "\U0010ffff"},
    )
    return first_per_customer(cur.fetchall(), limit)


def email_rows(db: Db, prefix: str, limit: int) -> tuple[list[tuple[int, str]], list[tuple[Any, ...]]]:
    """As on the file, in one statement: each customer's first matching address in the
    index's order (first_per_customer), for the first `limit` customers, with their rows."""
    if not prefix:
        return [], []
    got = db.execute(
        "WITH m AS MATERIALIZED (SELECT customer_id, address, row_number() OVER "
        "(ORDER BY email_norm, id) AS pos FROM (SELECT customer_id, address, email_norm, id "
        f"FROM customer_emails WHERE email_norm >= {_opaque('low')} "
        f"AND email_norm < {_opaque('high')} ORDER BY email_norm, id "
        f"LIMIT {int(limit) * OVERSCAN}) AS s), "
        "f AS MATERIALIZED (SELECT customer_id, address, pos FROM (SELECT DISTINCT ON "
        "(customer_id) customer_id, address, pos FROM m ORDER BY customer_id, pos) AS d "
        f"ORDER BY pos LIMIT {int(limit)}) "
        f"SELECT {_ROW_COLUMNS}, f.address, f.pos FROM f JOIN customers c ON c.id = f.customer_id",
        {"low": prefix, "high": prefix + "\U0010ffff"},
    ).fetchall()
    got.sort(key=lambda r: r[-1])
    return [(r[ROW_ID], r[-2]) for r in got], [r[:-2] for r in got]


# How many notes, in id order, a note search walks first, and then at most.
NOTE_HEAD = 2_000
NOTE_DEEP = 20_000

# The first `n` live notes matching, in id order, as FTS5 lists them on the file (the same
# notes on both engines when more match), in one statement that is never slow: a word in one
# note of seven or more is found by walking the oldest NOTE_HEAD notes (head); a word that
# walk met often enough to fill `n` within NOTE_DEEP notes, by walking that far (deep: both
# walks stop at `n`); a rarer one through the GIN index, every match listed and the first
# kept (`id + 0`: sorted, never a key walk). Each CTE runs only when a one-time filter asks
# for its count. The planner alone chose a sequential scan for a word no note has (it guesses
# 2% of the rows for any prefix): 240 ms at 300,000 notes, for every search that fell
# through to the notes; and the index alone read all of a common word's 37,000 notes.
_WALK = (
    "SELECT customer_id, id FROM (SELECT id, customer_id, body_vector, deleted_at FROM notes "
    "ORDER BY id LIMIT {rows}) AS w WHERE body_vector @@ CAST(:q AS tsquery) "
    "AND deleted_at IS NULL LIMIT :n"
)
_NOTES_CTES = (
    f"head AS MATERIALIZED ({_WALK.format(rows=':head')}), "
    f"deep AS MATERIALIZED ({_WALK.format(rows=':deep')})"
)
_NOTES_MATCHES = (
    "SELECT customer_id, id FROM head WHERE (SELECT count(*) FROM head) >= :n "
    "UNION ALL SELECT customer_id, id FROM deep WHERE (SELECT count(*) FROM head) < :n "
    "AND (SELECT count(*) FROM head) >= :often AND (SELECT count(*) FROM deep) >= :n "
    "UNION ALL (SELECT customer_id, id FROM notes WHERE (SELECT count(*) FROM head) < :n "
    "AND ((SELECT count(*) FROM head) < :often OR (SELECT count(*) FROM deep) < :n) "
    "AND body_vector @@ CAST(:q AS tsquery) AND deleted_at IS NULL ORDER BY id + 0 LIMIT :n) "
    "ORDER BY id"
)
_NOTES_SQL = f"WITH {_NOTES_CTES} {_NOTES_MATCHES}"


def note_matches(db: Db, match: str, limit: int) -> dict[int, int]:
    """{customer_id: note_id} of live notes matching (walks of the oldest notes for a common
    word, the notes' GIN index for a rare one)."""
    query = tsquery(match, prefix_lexemes=False)
    if not query:
        return {}
    cur = db.execute(_NOTES_SQL, _notes_params(query, limit))
    return one_per_customer(cur.fetchall(), limit)


def _notes_params(query: str, limit: int) -> dict[str, Any]:
    n = limit * 3
    return {
        "q": query, "n": n, "head": NOTE_HEAD, "deep": NOTE_DEEP,
        "often": max(1, n * NOTE_HEAD // NOTE_DEEP),  # the head's matches that promise n deep
    }


def note_hits(db: Db, match: str, limit: int, exclude: Collection[int]) -> NoteHits:
    """As on the file, in one statement: the matches (_NOTES_SQL), each customer's first
    (one_per_customer), their rows and those notes' bodies (the file reads the shown ones
    after; here they come along: a round trip costs more than a few note texts)."""
    query = tsquery(match, prefix_lexemes=False)
    if not query:
        return NoteHits({}, [], lambda _ids: {})
    got = db.execute(
        f"WITH {_NOTES_CTES}, hits AS MATERIALIZED ({_NOTES_MATCHES}), "
        "f AS MATERIALIZED (SELECT customer_id, min(id) AS nid FROM hits GROUP BY customer_id "
        f"ORDER BY min(id) LIMIT {int(limit)}) "
        f"SELECT {_ROW_COLUMNS}, f.nid, n.body FROM f JOIN customers c ON c.id = f.customer_id "
        "JOIN notes n ON n.id = f.nid WHERE NOT (c.id = ANY(CAST(:exclude AS bigint[])))",
        {**_notes_params(query, limit), "exclude": list(exclude)},
    ).fetchall()
    bodies = {r[-2]: r[-1] for r in got}
    return NoteHits(
        {r[ROW_ID]: r[-2] for r in got}, [r[:-2] for r in got],
        lambda note_ids: {i: bodies[i] for i in note_ids if i in bodies},
    )
