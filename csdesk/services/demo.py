"""Deterministic synthetic customers for first runs, demos and benchmarks.

International on purpose: accents, apostrophes, hyphens, double surnames, non-Latin scripts,
phone numbers in mixed national and international formats, some customers without e-mail or
last name. The same seed always gives the same data.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from csdesk.services import parallel
from csdesk.services.text import exact_keys, fold, search_norm, tokens
from csdesk.store import bulk
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context

FIRST = (
    'Maria', 'José', 'Sofía', 'Lucía', 'Chloé', 'Zoë', 'Anaïs', 'Renée', 'Björn', 'Søren',
    'Ångström', 'Łukasz', 'Zoltán', 'Ádám', 'Siobhán', 'Seán', 'Niamh', 'Aoife', 'Mary-Kate',
    'Jean-Luc', 'Anne-Marie', 'Ole', 'Kristín', 'Þórunn', 'Dağ', 'Ayşe', 'Çağla', 'Mohammed',
    'Fatima', 'Aisha', 'Omar', 'Yusuf', 'Leila', 'Priya', 'Arjun', 'Rahul', 'Ananya', 'Wei', 'Li',
    'Hiroshi', 'Yuki', 'Sakura', 'Min-jun', 'Ji-woo', 'Oluwaseun', 'Chidi', 'Amara', 'Kwame',
    'Ngozi', 'Thandiwe', 'Mateo', 'Diego', 'Valentina', 'Camila', 'Lucas', 'Emma', 'Olivia', 'Noah',
    'Liam', 'Ava', 'Mia', 'Ethan', 'James', 'Sarah', 'David', 'Anna', 'Peter', 'John', 'Michael',
    'Elena', 'Marco', 'Giulia', 'Francesca', 'Lorenzo', 'Hannah', 'Jonas', 'Lena', 'Felix',
    'Mathilde', 'Émile', 'Bartholomew', 'Jo', 'Al', 'Ђорђе', 'Светлана', 'Дмитрий', 'Ольга',
    'Νίκος', 'Ελένη', '明', '陽翔', 'さくら', '민준', 'محمد', 'فاطمة', 'דוד',
)

LAST = (
    'García Márquez', "O'Brien", 'Smith-Jones', 'Müller', 'Schäfer', 'Nuñez', 'Peña', 'Łukasiewicz',
    'Dvořák', 'Øvergaard', 'Ó Súilleabháin', 'MacDonald', 'McAllister', "D'Angelo", "Dell'Acqua",
    'van der Berg', 'de la Cruz', 'Fernández López', 'Rodríguez', 'Hernández', 'Silva', 'Santos',
    'Kowalski', 'Nowak', 'Novák', 'Horváth', 'Nagy', 'Kim', 'Park', 'Lee', 'Nguyễn', 'Trần', 'Wang',
    'Zhang', 'Chen', 'Tanaka', 'Suzuki', 'Patel', 'Sharma', 'Singh', 'Okafor', 'Adeyemi', 'Mensah',
    'Dlamini', 'Haddad', 'Khalil', 'Cohen', 'Levi', 'Jensen', 'Hansen', 'Andersson', 'Johansson',
    'Virtanen', 'Korhonen', 'Papadopoulos', 'Yılmaz', 'Öztürk', 'Ivanova', 'Brown', 'Johnson',
    'Williams', 'Taylor', 'Wilson', 'Martin', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis',
    'Walker', 'Hall', 'Young', 'Allen', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson',
    'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Torres',
    'Parker', 'Collins', 'Edwards', 'Stewart', 'Flores', 'Morris', 'Murphy', 'Cook', 'Rogers',
    'Morgan', 'Cooper', 'Reed', 'Bailey', 'Bell', 'Gómez', 'Kelly', 'Howard', 'Ward', 'Cox', 'Díaz',
    'Richardson', 'Wood', 'Watson', 'Brooks', 'Bennett', 'Gray', 'James', 'Reyes', 'Cruz', 'Hughes',
    'Price', 'Myers', 'Long', 'Foster', 'Sanders', 'Ross', 'Morales', 'Powell', 'Sullivan',
    'Russell', 'Ortiz', 'Jenkins', 'Gutiérrez', 'Perry', 'Butler', 'Barnes', 'Fisher', 'Henderson',
    'Coleman', 'Петров', 'Смирнова', 'Παπαδόπουλος', '山田', '佐藤', '김', '이', 'عبد الله', 'כהן',
)

PREFERRED = {
    "Maria": "Mari",
    "Michael": "Mike",
    "Bartholomew": "Bart",
    "Elena": "Lena",
    "Oluwaseun": "Seun",
    "Alexander": "Sasha",
    "Jean-Luc": "JL",
    "Francesca": "Fran",
    "Margaret": "Peggy",
    "Robert": "Bob",
    "Hiroshi": "Hiro",
    "Min-jun": "MJ",
}

PURPOSES = (
    "fitted walking boots",
    "returned a rain jacket",
    "picked up a repair",
    "asked about trail shoes",
    "bought a gift card",
    "exchanged socks for a larger size",
    "resoled hiking boots",
    "tried on winter coats",
    "collected an online order",
    "asked about a warranty",
    "bought running shoes",
    "booked a gait analysis",
    "waterproofed leather boots",
    "looked at backpacks",
    "ordered boots in a wide fit",
)
OUTCOMES = ("happy", "will come back", "bought", "ordered", "no stock: called back", "", "")
NOTES = (
    ("preference", "Prefers wide-fit shoes, size 43."),
    ("preference", "Likes to be called by their first name."),
    ("family", "Daughter started university this autumn."),
    ("family", "Training for a marathon in spring."),
    ("remember", "Asked to be told when the blue trail runners are back in stock."),
    ("remember", "Walks the West Highland Way every summer."),
    ("warning", "Allergic to latex: no latex insoles."),
    ("warning", "Hard of hearing: face them when speaking."),
)
DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "post.example")
CHANNELS = ("in_person",) * 6 + ("phone",) * 3 + ("email", "chat", "social")
LABELS = ("mobile", "home", "work")


def email_tokens(email: str) -> str:
    return " ".join(tokens(email))


@dataclass(frozen=True)
class DemoPhone:
    raw: str
    e164: str
    national: str


_US_SHAPES = (
    "({a}) {e}-{l}",
    "{a}-{e}-{l}",
    "+1 {a} {e} {l}",
    "{a}{e}{l}",
    "{a}.{e}.{l}",
    "1-{a}-{e}-{l}",
)
_US_AREAS = ("555", "212", "312", "415", "617", "720", "206", "503")
_ABROAD: tuple[tuple[str, str, int, Callable[[str], str]], ...] = (
    ("44", "20", 8, lambda d: f"{d[:4]} {d[4:]}"),
    ("49", "30", 8, lambda d: f"{d[:4]} {d[4:]}"),
    ("33", "6", 8, lambda d: " ".join(d[i : i + 2] for i in range(0, 8, 2))),
    ("34", "6", 8, lambda d: f"{d[:2]} {d[2:5]} {d[5:]}"),
    ("81", "90", 8, lambda d: f"{d[:4]} {d[4:]}"),
    ("55", "11", 9, lambda d: f"{d[:5]}-{d[5:]}"),
)


def _phone(rng: random.Random) -> DemoPhone:
    """A number in one of several countries, written the way people really type them."""
    return DemoPhone(*_phone_parts(rng.random))


def _phone_parts(rand: Callable[[], float]) -> tuple[str, str, str]:
    """_phone's (raw, e164, national) from the same draws, without a DemoPhone each."""
    if rand() < 0.7:  # home country (US): national formats of many shapes
        area = _US_AREAS[int(rand() * len(_US_AREAS))]
        exchange = "010" if area == "555" else str(200 + int(rand() * 800))
        line = f"{int(rand() * 10**4):04d}"
        national = f"{area}{exchange}{line}"
        raw = _US_SHAPES[int(rand() * len(_US_SHAPES))].format(a=area, e=exchange, l=line)
        return raw, f"+1{national}", national
    code, prefix, length, shape = _ABROAD[int(rand() * len(_ABROAD))]
    rest = f"{int(rand() * 10**length):0{length}d}"
    if code == "55":
        rest = "9" + rest[1:]  # Brazilian mobiles start with 9
    national = prefix + rest
    lead = "+" if rand() < 0.7 else "00"
    return f"{lead}{code} {prefix} {shape(rest)}", f"+{code}{national}", national


@lru_cache(maxsize=65536)
def _name_keys(first: str, last: str, preferred: str) -> tuple[str, str, str]:
    """(folded name tokens, exact keys, e-mail local part): the same for every namesake."""
    local = ".".join(p for p in (fold(first), fold(last)) if p)
    local = "".join(ch for ch in local if ch.isascii() and (ch.isalnum() or ch == "."))
    return search_norm(first, last, preferred), exact_keys(first, last, preferred), local.strip(".")


# Customers are drawn CHUNK at a time, each chunk from its own random stream seeded by the seed
# and the chunk's number, so chunks can be drawn in any order, in worker processes, and still be
# the same customers: the same seed gives the same data on any machine and with any number of
# workers. CHUNK is part of what a seed means (changing it changes the data).
CHUNK = 10_000
# Below this, drawing in this process beats starting worker processes (~0.3 s each).
WORKERS_FROM = 4 * CHUNK


def chunk_random(seed: int, number: int) -> random.Random:
    """Chunk `number`'s stream. Chunk 0 is random.Random(seed) itself, the one stream every
    customer used to come from, so a demo of up to CHUNK customers is the data it always was;
    the others are seeded with a string (SHA-512 of it: the same in every Python 3 everywhere)."""
    return random.Random(seed if number == 0 else f"csdesk demo {seed} chunk {number}")


# visit_slots counted while drawing: per UTC quarter hour and channel (one int key: quarter * 8
# + the channel's number), visit_slots' nine counts (visits, known, rated, sat_sum, s1..s5)
# packed into one int, _FIELD bits each, so counting a visit is one addition and merging two
# chunks' counts is Counter.update (kept per (quarter, channel, known, rating) a million
# customers' counts were ~2,000,000 keys; packed ~420,000, and int keys sort 20x faster).
Slots = Counter[int]
# Bits per count: a quarter hour's sat_sum for one channel stays far below 2**20 (5,000,000
# customers, the most `csdesk demo` makes, have ~200 visits per quarter hour and channel).
_FIELD = 20
_CHANNEL_NAMES = tuple(dict.fromkeys(CHANNELS))
_CHANNEL_NUMBER = {name: number for number, name in enumerate(_CHANNEL_NAMES)}

Part = tuple[list[Any], list[Any], list[Any], list[Any], "Slots | None"]


def draw_chunk(
    seed: int, number: int, ids: list[int], now: float, actor: int, count_slots: bool
) -> Part:
    """Chunk `number`'s customers with these ids (at most CHUNK): their rows for bulk, and with
    count_slots their visits counted for visit_slots (Slots).
    A module-level function of plain values: worker processes run it."""
    return _Draws(seed, number * CHUNK).take(ids, now, actor, count_slots)


def _drawn(
    seed: int, ids: list[int], now: float, actor: int, workers: int, batch: int
) -> Iterator[Part]:
    """The bulk load's customers in order: a chunk at a time from `workers` processes, or in
    this process `batch` at a time, so a small demo's progress (the window's first-run 300 in
    batches of 25) still moves and can be cancelled between batches. The same customers
    either way: _Draws follows the chunks' streams by position."""
    if workers > 0:
        jobs = (
            (seed, n, ids[n * CHUNK : (n + 1) * CHUNK], now, actor, True)
            for n in range(-(-len(ids) // CHUNK))
        )
        yield from parallel.ordered_map(draw_chunk, jobs, workers)
        return
    draws = _Draws(seed, 0)
    for start in range(0, len(ids), batch):
        yield draws.take(ids[start : start + batch], now, actor, True)


class _Draws:
    """Customers from position `start` on, each from its chunk's stream (start is a chunk's first)."""

    def __init__(self, seed: int, start: int) -> None:
        if start % CHUNK:
            raise ValueError("draws start at a chunk's first customer")
        self.seed, self.position = seed, start
        self.rng = chunk_random(seed, start // CHUNK)

    def take(self, ids: list[int], now: float, actor: int, count_slots: bool) -> Part:
        rows: list[Any] = []
        phones: list[Any] = []
        visits: list[Any] = []
        notes: list[Any] = []
        slots: Slots | None = Counter() if count_slots else None
        for cid in ids:
            if self.position and self.position % CHUNK == 0:
                self.rng = chunk_random(self.seed, self.position // CHUNK)
            self.position += 1
            row, cust_phones, cust_visits, cust_notes = _one(self.rng, cid, now, actor, slots)
            rows.append(row)
            phones.extend(cust_phones)
            visits.extend(cust_visits)
            notes.extend(cust_notes)
        return rows, phones, visits, notes, slots


def generate(
    ctx: Context,
    customers: int,
    *,
    seed: int = 1,
    batch: int = 20_000,
    progress: Callable[[int, int], bool] | None = None,
    workers: int | None = None,
) -> int:
    """Add `customers` demo customers (about 3 visits each). Returns how many were added.

    `progress(done, total)` is called after each batch; returning False cancels. On an empty
    database everything is one transaction loaded in bulk (indexes built once at the end), so a
    cancel leaves the database empty; there the customers are drawn a chunk at a time, by
    `workers` processes (None: one per spare core for big demos, 0: this process), and the
    progress comes per chunk. Otherwise each batch is its own transaction.
    """
    now = ctx.clock().timestamp()
    actor = ctx.actor.id
    db = ctx.db
    fresh = not bulk.has_customers(db) and customers >= 5 * batch

    def write(rows: list[Any], phones: list[Any], visits: list[Any], notes: list[Any]) -> None:
        bulk.insert_customers(db, rows)
        bulk.insert_phones(db, phones)
        bulk.insert_visits(db, visits)
        bulk.insert_notes(db, notes)

    if fresh:
        if workers is None:
            workers = min(parallel.spare_cores(), 2) if customers >= WORKERS_FROM else 0
        try:
            # A rollback journal for the load (see rollback_journal): the same all-or-nothing.
            # visit_slots is counted here while drawing, not by a GROUP BY over every visit after.
            with bulk.rollback_journal(db), bulk.loading(db, count_slots=False):
                ids = bulk.new_customer_ids(db, customers)  # all of them: chunks are drawn ahead
                counted: Slots = Counter()
                done = 0
                for *parts, slots in _drawn(seed, ids, now, actor, workers, batch):
                    write(*parts)
                    counted.update(slots or ())
                    done += len(parts[0])
                    if progress is not None and progress(done, customers) is False:
                        raise _Cancelled
                bulk.add_slots(db, _slot_rows(counted, actor))
        except _Cancelled:
            return 0
        return customers
    draws = _Draws(seed, 0)
    added = 0
    while added < customers:
        size = min(batch, customers - added)
        with atomic(db), bulk.fts_after_inserts(db, ("customers", "customer_phones", "notes")):
            # Each batch's ids just before it is written (on a server from the identity, so
            # counters adding customers meanwhile never collide with the demo's); visit_slots
            # counted by its triggers.
            *parts, _ = draws.take(bulk.new_customer_ids(db, size), now, actor, False)
            write(*parts)
        added += size
        if progress is not None and progress(added, customers) is False:
            break
    return added


def _slot_rows(
    counted: Slots, actor: int | None
) -> list[tuple[Any, ...]]:
    """visit_slots rows (bulk.add_slots' order) from the visits counted while drawing: the
    same as insights.rebuild_slots counts from the visits (slot, known, ratings; tested)."""
    staff = actor or 0
    mask = (1 << _FIELD) - 1
    shifts = [_FIELD * i for i in range(9)]
    rows = []
    slot, last = "", -1
    for key in sorted(counted):
        quarter, channel = divmod(key, 8)
        if quarter != last:  # sorted: a quarter's channels follow each other
            slot, last = _stamp(quarter * 900)[:16], quarter
        packed = counted[key]
        rows.append((slot, _CHANNEL_NAMES[channel], staff, *[(packed >> shift) & mask for shift in shifts]))
    return rows


def _count(known: bool, rating: int | None) -> int:
    """What one visit adds to its slot's packed counts (Slots)."""
    fields = [1, int(known), int(rating is not None), rating or 0, *(int(rating == n) for n in range(1, 6))]
    return sum(value << (_FIELD * i) for i, value in enumerate(fields))


_COUNTS = {(k, rating): _count(k, rating) for k in (False, True) for rating in (None, 1, 2, 3, 4, 5)}


class _Cancelled(Exception):
    pass


# The days' dates and the day's seconds, shared: a million customers have ~3 million visit and
# creation times, and strftime(gmtime()) for each was a tenth of the demo's CPU.
_DAYS: dict[int, str] = {}
_CLOCK = [f"{h:02d}:{m:02d}:{s:02d}+00:00" for h in range(24) for m in range(60) for s in range(60)]


def _stamp(epoch: float) -> str:
    # Same text as clock.iso() for UTC (time.strftime of time.gmtime, to the second below).
    day, rest = divmod(int(epoch), 86400)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    return date + _CLOCK[rest]


_VISIT_COUNTS = (0, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6)
_RATINGS = (None, None, 4, 5, 5, 3)
_PHONE_COUNTS = (1, 1, 1, 2, 2, 3)


def _one(
    rng: random.Random,
    cid: int,
    now: float,
    actor: int,
    slots: Slots | None,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    # The same draws in the same order as ever (the same seed gives the same million
    # customers, which benchmarks rely on); a pick is seq[int(rand() * len(seq))], written out.
    rand = rng.random
    first = FIRST[int(rand() * len(FIRST))]
    last = "" if rand() < 0.06 else LAST[int(rand() * len(LAST))]
    preferred = PREFERRED.get(first, "") if rand() < 0.5 else ""
    norm, keys, local = _name_keys(first, last, preferred)
    email = ""
    if rand() >= 0.2:
        email = f"{local or 'customer'}{cid % 1000 if cid % 3 else ''}@{DOMAINS[int(rand() * len(DOMAINS))]}"
        # email_tokens(email), written out: the address is lower-case ASCII letters and digits
        # with one '@' and at most one '.' in the local part (_name_keys), so its tokens are
        # the parts between '.' and '@'.
        spoken = email.replace(".", " ").replace("@", " ")
        norm = norm + spoken + " " if norm else " " + spoken + " "
    created = now - 86400 * (30 + int(rand() * 870)) - int(rand() * 86400)
    n_visits = _VISIT_COUNTS[int(rand() * len(_VISIT_COUNTS))]
    span = now - created
    visit_times = sorted([created + int(rand() * span) for _ in range(n_visits)])
    visits = []
    created_s = int(created)
    for at in visit_times:
        channel = CHANNELS[int(rand() * len(CHANNELS))]
        stamp = _stamp(at)
        purpose = PURPOSES[int(rand() * len(PURPOSES))]
        outcome = OUTCOMES[int(rand() * len(OUTCOMES))]
        if channel == "phone":
            duration: int | None = 60 + int(rand() * 840)
            direction: str | None = "in"
        else:
            duration = direction = None
        rating = _RATINGS[int(rand() * len(_RATINGS))]
        if slots is not None:
            # visit_slots' key and counts: the UTC quarter hour; known when the customer was
            # created 12 hours before (the stamps' texts compared, i.e. whole seconds).
            slots[int(at) // 900 * 8 + _CHANNEL_NUMBER[channel]] += _COUNTS[
                (int(at) - created_s >= 43200, rating)
            ]
        visits.append(
            (cid, stamp, channel, purpose, outcome, actor, duration, rating, direction, stamp, actor)
        )
    created_iso = _stamp(created)
    last_visit = _stamp(visit_times[-1]) if visit_times else None
    birthday = ""
    if rand() < 0.4:
        month, day = 1 + int(rand() * 12), 1 + int(rand() * 28)
        birthday = (
            f"{1940 + int(rand() * 68)}-{month:02d}-{day:02d}"
            if rand() < 0.7
            else f"--{month:02d}-{day:02d}"
        )
    consent = rand() < 0.5
    row = (
        cid,
        first,
        last,
        preferred,
        "",
        "",
        birthday,
        email,
        email.casefold(),
        "",
        "",
        int(consent),
        created_iso if consent else None,
        norm,
        keys,
        last_visit or created_iso,
        last_visit,
        n_visits,
        created_iso,
        created_iso,
        actor,
        actor,
    )
    phones = []
    for position in range(_PHONE_COUNTS[int(rand() * len(_PHONE_COUNTS))]):
        raw, e164, national = _phone_parts(rand)
        phones.append(
            (cid, position, LABELS[position] if position else "mobile", raw, e164, e164[:0:-1], national)
        )
    notes = []
    if rand() < 0.3:
        kind, body = NOTES[int(rand() * len(NOTES))]
        notes.append(
            (cid, body, kind, int(rand() < 0.3), int(kind == "warning"), None, created_iso, actor)
        )
    return row, phones, visits, notes
