"""Deterministic synthetic customers for first runs, demos and benchmarks.

International on purpose: accents, apostrophes, hyphens, double surnames, non-Latin scripts,
phone numbers in mixed national and international formats, some customers without e-mail or
last name. The same seed always gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from csdesk.services.clock import iso
from csdesk.services.text import exact_keys, fold, search_norm
from csdesk.store import bulk
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.desk import Desk

FIRST = (
    "Maria José Sofía Lucía Chloé Zoë Anaïs Renée Björn Søren Ångström Łukasz Zoltán Ádám "
    "Siobhán Seán Niamh Aoife Mary-Kate Jean-Luc Anne-Marie Ole Kristín Þórunn Dağ Ayşe Çağla "
    "Mohammed Fatima Aisha Omar Yusuf Leila Priya Arjun Rahul Ananya Wei Li Hiroshi Yuki Sakura "
    "Min-jun Ji-woo Oluwaseun Chidi Amara Kwame Ngozi Thandiwe Mateo Diego Valentina Camila "
    "Lucas Emma Olivia Noah Liam Ava Mia Ethan James Sarah David Anna Peter John Michael Elena "
    "Marco Giulia Francesca Lorenzo Hannah Jonas Lena Felix Mathilde Émile Bartholomew Jo Al "
    "Ђорђе Светлана Дмитрий Ольга Νίκος Ελένη"
).split() + ["明", "陽翔", "さくら", "민준", "محمد", "فاطمة", "דוד"]

LAST = (
    "García Márquez|O'Brien|Smith-Jones|Müller|Schäfer|Nuñez|Peña|Łukasiewicz|Dvořák|Øvergaard|"
    "Ó Súilleabháin|MacDonald|McAllister|D'Angelo|Dell'Acqua|van der Berg|de la Cruz|"
    "Fernández López|Rodríguez|Hernández|Silva|Santos|Kowalski|Nowak|Novák|Horváth|Nagy|Kim|"
    "Park|Lee|Nguyễn|Trần|Wang|Zhang|Chen|Tanaka|Suzuki|Patel|Sharma|Singh|Okafor|Adeyemi|"
    "Mensah|Dlamini|Haddad|Khalil|Cohen|Levi|Jensen|Hansen|Andersson|Johansson|Virtanen|"
    "Korhonen|Papadopoulos|Yılmaz|Öztürk|Ivanova|Brown|Johnson|Williams|Taylor|Wilson|"
    "Martin|Thompson|White|Harris|Clark|Lewis|Walker|Hall|Young|Allen|Wright|Scott|Green|"
    "Baker|Adams|Nelson|Hill|Campbell|Mitchell|Roberts|Carter|Phillips|Evans|Turner|Torres|"
    "Parker|Collins|Edwards|Stewart|Flores|Morris|Murphy|Cook|Rogers|Morgan|Cooper|Reed|"
    "Bailey|Bell|Gómez|Kelly|Howard|Ward|Cox|Díaz|Richardson|Wood|Watson|Brooks|Bennett|"
    "Gray|James|Reyes|Cruz|Hughes|Price|Myers|Long|Foster|Sanders|Ross|Morales|Powell|"
    "Sullivan|Russell|Ortiz|Jenkins|Gutiérrez|Perry|Butler|Barnes|Fisher|Henderson|Coleman|"
    "Петров|Смирнова|Παπαδόπουλος|山田|佐藤|김|이|عبد الله|כהן"
).split("|")

PREFERRED = {"Maria": "Mari", "Michael": "Mike", "Bartholomew": "Bart", "Elena": "Lena",
             "Oluwaseun": "Seun", "Alexander": "Sasha", "Jean-Luc": "JL", "Francesca": "Fran",
             "Margaret": "Peggy", "Robert": "Bob", "Hiroshi": "Hiro", "Min-jun": "MJ"}

PURPOSES = (
    "fitted walking boots", "returned a rain jacket", "picked up a repair", "asked about trail "
    "shoes", "bought a gift card", "exchanged socks for a larger size", "resoled hiking boots",
    "tried on winter coats", "collected an online order", "asked about a warranty",
    "bought running shoes", "booked a gait analysis", "waterproofed leather boots",
    "looked at backpacks", "ordered boots in a wide fit",
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
LABELS = ("mobile", "mobile", "home", "work")


@dataclass(frozen=True)
class DemoPhone:
    raw: str
    e164: str
    national: str


def _phone(rng: random.Random) -> DemoPhone:
    """A number in one of several countries, written the way people really type them."""
    kind = rng.random()
    if kind < 0.7:  # home country (US): national formats of many shapes
        area = rng.choice(("555", "212", "312", "415", "617", "720", "206", "503"))
        exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        if area == "555":
            exchange = "010"
        line = f"{rng.randint(0, 9999):04d}"
        national = f"{area}{exchange}{line}"
        raw = rng.choice(
            (
                f"({area}) {exchange}-{line}",
                f"{area}-{exchange}-{line}",
                f"+1 {area} {exchange} {line}",
                f"{area}{exchange}{line}",
                f"{area}.{exchange}.{line}",
                f"1-{area}-{exchange}-{line}",
            )
        )
        return DemoPhone(raw, f"+1{national}", national)
    country = rng.choice(
        (
            ("44", "20", 8, lambda d: f"{d[:4]} {d[4:]}"),
            ("49", "30", 8, lambda d: f"{d[:4]} {d[4:]}"),
            ("33", "6", 8, lambda d: " ".join(d[i : i + 2] for i in range(0, 8, 2))),
            ("34", "6", 8, lambda d: f"{d[:2]} {d[2:5]} {d[5:]}"),
            ("81", "90", 8, lambda d: f"{d[:4]} {d[4:]}"),
            ("55", "11", 9, lambda d: f"9{d[1:5]}-{d[5:]}"),
        )
    )
    code, prefix, length, shape = country
    rest = "".join(str(rng.randint(0, 9)) for _ in range(length))
    if code == "55":
        rest = "9" + rest[1:]
    national = prefix + rest
    raw = rng.choice((f"+{code} {prefix} {shape(rest)}", f"00{code} {prefix} {shape(rest)}"))
    return DemoPhone(raw, f"+{code}{national}", national)


def _email(rng: random.Random, first: str, last: str, serial: int) -> str:
    local = ".".join(p for p in (fold(first), fold(last)) if p)
    local = "".join(ch for ch in local if ch.isascii() and (ch.isalnum() or ch == "."))
    local = local.strip(".") or "customer"
    return f"{local}{serial % 1000 if serial % 3 else ''}@{rng.choice(DOMAINS)}"


def generate(
    desk: Desk,
    customers: int,
    *,
    seed: int = 1,
    batch: int = 20_000,
    progress: Callable[[int, int], bool] | None = None,
) -> int:
    """Add `customers` demo customers (about 3 visits each). Returns how many were added.

    `progress(done, total)` is called after each batch; returning False cancels before the
    next batch (batches already written stay, each was its own transaction).
    """
    rng = random.Random(seed)
    now = desk.clock()
    actor = desk.actor.id
    db = desk.db
    next_id = bulk.next_customer_id(db)
    done = 0
    while done < customers:
        size = min(batch, customers - done)
        rows, phones, visits, notes = [], [], [], []
        for offset in range(size):
            cid = next_id + done + offset
            row, cust_phones, cust_visits, cust_notes = _one(rng, cid, now, actor)
            rows.append(row)
            phones.extend(cust_phones)
            visits.extend(cust_visits)
            notes.extend(cust_notes)
        with atomic(db):
            bulk.insert_customers(db, rows)
            bulk.insert_phones(db, phones)
            bulk.insert_visits(db, visits)
            bulk.insert_notes(db, notes)
        done += size
        if progress is not None and progress(done, customers) is False:
            break
    return done


def _one(rng: random.Random, cid: int, now: Any, actor: int) -> tuple[Any, list[Any], list[Any], list[Any]]:
    first = rng.choice(FIRST)
    last = "" if rng.random() < 0.06 else rng.choice(LAST)
    preferred = PREFERRED.get(first, "") if rng.random() < 0.5 else ""
    email = "" if rng.random() < 0.2 else _email(rng, first, last, cid)
    created = now - timedelta(days=rng.randint(30, 900), minutes=rng.randint(0, 1440))
    n_visits = rng.choice((0, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6))
    visit_times = sorted(
        created + timedelta(minutes=rng.randint(0, max(1, int((now - created).total_seconds() // 60))))
        for _ in range(n_visits)
    )
    visits = []
    for at in visit_times:
        channel = rng.choice(CHANNELS)
        at_iso = iso(at)
        visits.append(
            (
                cid, at_iso, channel, rng.choice(PURPOSES), rng.choice(OUTCOMES), actor,
                rng.randint(60, 900) if channel == "phone" else None,
                rng.choice((None, None, 4, 5, 5, 3)), "in" if channel == "phone" else None,
                at_iso, actor,
            )
        )
    last_visit = iso(visit_times[-1]) if visit_times else None
    created_iso = iso(created)
    birthday = ""
    if rng.random() < 0.4:
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        birthday = (
            f"{rng.randint(1940, 2008)}-{month:02d}-{day:02d}" if rng.random() < 0.7
            else f"--{month:02d}-{day:02d}"
        )
    consent = rng.random() < 0.5
    row = (
        cid, first, last, preferred, "", "", birthday, email, email.casefold(),
        "", "", int(consent), created_iso if consent else None,
        search_norm(first, last, preferred, email), exact_keys(first, last, preferred),
        last_visit or created_iso, last_visit, n_visits, created_iso, created_iso, actor, actor,
    )
    phones = []
    for position in range(rng.choice((1, 1, 1, 2, 2, 3))):
        p = _phone(rng)
        phones.append(
            (cid, position, LABELS[position % len(LABELS)] if position else "mobile",
             p.raw, p.e164, p.e164[1:][::-1], p.national)
        )
    notes = []
    if rng.random() < 0.3:
        kind, body = rng.choice(NOTES)
        notes.append(
            (cid, body, kind, int(rng.random() < 0.3), int(kind == "warning"), None,
             created_iso, actor)
        )
    return row, phones, visits, notes
