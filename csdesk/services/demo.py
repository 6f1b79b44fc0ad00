"""Deterministic synthetic customers for first runs, demos and benchmarks.

International on purpose: accents, apostrophes, hyphens, double surnames, non-Latin scripts,
phone numbers in mixed national and international formats, some customers without e-mail or
last name. The same seed always gives the same data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

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


def generate(
    ctx: Context,
    customers: int,
    *,
    seed: int = 1,
    batch: int = 20_000,
    progress: Callable[[int, int], bool] | None = None,
) -> int:
    """Add `customers` demo customers (about 3 visits each). Returns how many were added.

    `progress(done, total)` is called after each batch; returning False cancels. On an empty
    database everything is one transaction loaded in bulk (indexes built once at the end), so a
    cancel leaves the database empty; otherwise each batch is its own transaction.
    """
    rng = random.Random(seed)
    now = ctx.clock().timestamp()
    actor = ctx.actor.id
    db = ctx.db
    fresh = not bulk.has_customers(db) and customers >= 5 * batch

    def batches() -> Iterator[tuple[int, list[Any], list[Any], list[Any], list[Any]]]:
        done = 0
        while done < customers:
            size = min(batch, customers - done)
            rows, phones, visits, notes = [], [], [], []
            # Each batch's ids just before it is written (on a server from the identity, so
            # counters adding customers meanwhile never collide with the demo's).
            for cid in bulk.new_customer_ids(db, size):
                row, cust_phones, cust_visits, cust_notes = _one(rng, cid, now, actor)
                rows.append(row)
                phones.extend(cust_phones)
                visits.extend(cust_visits)
                notes.extend(cust_notes)
            done += size
            yield done, rows, phones, visits, notes

    def write(rows: list[Any], phones: list[Any], visits: list[Any], notes: list[Any]) -> None:
        bulk.insert_customers(db, rows)
        bulk.insert_phones(db, phones)
        bulk.insert_visits(db, visits)
        bulk.insert_notes(db, notes)

    added = 0
    if fresh:
        try:
            # A rollback journal for the load (see rollback_journal): the same all-or-nothing.
            with bulk.rollback_journal(db), bulk.loading(db):
                for done, *parts in batches():
                    write(*parts)
                    added = done
                    if progress is not None and progress(done, customers) is False:
                        raise _Cancelled
        except _Cancelled:
            return 0
        return added
    for done, *parts in batches():
        with atomic(db), bulk.fts_after_inserts(db, ("customers", "customer_phones", "notes")):
            write(*parts)
        added = done
        if progress is not None and progress(done, customers) is False:
            break
    return added


class _Cancelled(Exception):
    pass


# The days' dates, shared: a million customers have ~3 million visit and creation times, and
# strftime(gmtime()) for each was a tenth of the demo's CPU.
_DAYS: dict[int, str] = {}


def _stamp(epoch: float) -> str:
    # Same text as clock.iso() for UTC (time.strftime of time.gmtime, to the second below).
    seconds = int(epoch)
    day, rest = divmod(seconds, 86400)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{date}{hour:02d}:{minute:02d}:{second:02d}+00:00"


_VISIT_COUNTS = (0, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6)
_RATINGS = (None, None, 4, 5, 5, 3)
_PHONE_COUNTS = (1, 1, 1, 2, 2, 3)


def _one(
    rng: random.Random, cid: int, now: float, actor: int
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
        norm = norm + email_tokens(email) + " " if norm else " " + email_tokens(email) + " "
    created = now - 86400 * (30 + int(rand() * 870)) - int(rand() * 86400)
    n_visits = _VISIT_COUNTS[int(rand() * len(_VISIT_COUNTS))]
    span = now - created
    visit_times = sorted([created + int(rand() * span) for _ in range(n_visits)])
    visits = []
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
