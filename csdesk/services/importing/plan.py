"""Reading a file into Records and planning what an import would do, without writing anything."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csdesk.domain import CustomerDraft
from csdesk.errors import UserError, ValidationError
from csdesk.services.importing import formats
from csdesk.services.importing.items import PAGE_ITEMS, PlanItem, PlanItems, forget_shared
from csdesk.services.importing.readers import read_vcards
from csdesk.services.importing.records import Record
from csdesk.services.importing.staging import Staged, reason, stage
from csdesk.services.importing.streaming import StreamedText, open_csv_stream
from csdesk.services.text import folded_phrase
from csdesk.store import customers as store
from csdesk.store import notes as notes_store
from csdesk.store.spool import SpoolMap

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.customers import CustomerService

MAX_BYTES = 200 * 1024 * 1024


# Rows planned together (their matches looked up in two statements); FIRST_PAGE_ROWS and the
# 1,000 rows between progress reports are multiples of it.
PLAN_BLOCK = 250
# A preview shows this many rows before the rest of the file is planned (the window's first page).
FIRST_PAGE_ROWS = 500

@dataclass
class Plan:
    file_name: str
    fmt: str
    items: PlanItems
    # Where the file was and what it held, and how it was read: enough to resume the import.
    path: str = ""
    sha256: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return self.items.count_of(action)

    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.items),
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "skipped": self.count("skip"),
        }


def parse_map(text: str) -> dict[str, str]:
    """'Client=name,Tel=phone:work' -> {'Client': 'name', 'Tel': 'phone:work'}."""
    result: dict[str, str] = {}
    for part in (p for p in text.split(",") if p.strip()):
        column, sep, target = part.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise UserError(f"“{part}” is not Column=field. Write e.g. --map 'Client=name,Tel=phone'.")
        result[column.strip()] = target.strip()
    return result


def read_records(
    path: Path, fmt: str = "auto", mapping: dict[str, str] | None = None
) -> tuple[str, list[Record]]:
    """The file's format (detected when 'auto') and its contacts."""
    found, recs, _sha = read_file(path, fmt, mapping)
    return found, recs


def read_file(
    path: Path, fmt: str = "auto", mapping: dict[str, str] | None = None
) -> tuple[str, list[Record], str]:
    """The file's format, its contacts and the SHA-256 of its bytes."""
    source = open_file(path, fmt, mapping)
    return source.fmt, list(source.records), source.sha256


@dataclass
class Source:
    """A file being read: its format, how many contacts it has, the contacts one at a time
    (a 100,000-row file is never held as rows and records at once) and its SHA-256.

    `total` is counted when first asked (a pass over the whole file): a preview asks once its
    first page is planned, so the first rows never wait for the count."""

    fmt: str
    count: Callable[[], int]
    records: Iterator[Record]
    sha256: str
    # A CSV file's text and column mapping: what pool.StagingPool's helpers read it with.
    text: StreamedText | None = None
    mapping: dict[str, str] | None = None
    _total: int | None = field(default=None, repr=False)

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self.count()
        return self._total


def open_file(path: Path, fmt: str = "auto", mapping: dict[str, str] | None = None) -> Source:
    if fmt not in formats.FORMATS:
        raise UserError(f"Unknown format “{fmt}”. Use one of: {', '.join(formats.FORMATS)}.")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UserError("That file is larger than 200 MB. Split it into smaller files.")
        # Read as it is used, never whole (streaming): the hash and the encoding first.
        text = StreamedText.open(path)
        looks_vcard = text.head(4096).lstrip()[:11].upper().startswith("BEGIN:VCARD")
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}. Check the name and try again.") from exc
    except UnicodeDecodeError as exc:  # a UTF-16 file cut in the middle of a character
        raise UserError(f"{path.name} is not a text file csdesk can read ({exc.reason}).") from exc
    sha = text.sha256
    if fmt == "vcard" or (fmt == "auto" and (looks_vcard or path.suffix.lower() in (".vcf", ".vcard"))):
        cards = read_vcards(text.read())  # cards are read whole: a vCard file is small
        recs = (
            formats.vcard_record(props, n, closed=closed)
            for n, (props, closed) in enumerate(cards, start=1)
        )
        return Source("vcard", lambda: len(cards), recs, sha)
    # One line ending everywhere, so multi-line cells read the same from Windows and Unix files.
    header, count, rows = open_csv_stream(text)
    if mapping:
        fmt = "csv"
    elif fmt == "auto":
        fmt = formats.detect(header)
    colmap = formats.mapping_for(fmt, header, mapping)
    # line: the row number a spreadsheet shows (header is row 1, blank rows counted)
    recs = (formats.csv_record(colmap, cells, n, (first, last)) for n, first, last, cells in rows)
    return Source(fmt, count, recs, sha, text, mapping)



def _note(rec: Record) -> str:
    return rec.note


def namesake_warning(ids: Sequence[int]) -> list[str]:
    """The preview's warning for a new row whose whole name customers `ids` already have."""
    if not ids:
        return []
    which = ", ".join(f"#{i}" for i in ids[:3]) + (" and others" if len(ids) > 3 else "")
    return [
        f"possible duplicate: customer {which} has the same name; "
        "created anyway (imports match by e-mail or phone). `csdesk duplicates` lists pairs to merge"
    ]


# One pass over every customer's names costs ~3 µs a customer; one FTS query per distinct name
# ~0.6 ms at 1,000,000 customers, and a file has roughly a distinct name per few rows.
NAMESAKE_SCAN_MIN_CUSTOMERS = 50_000
NAMESAKE_SCAN_ROWS_PER_CUSTOMER = 1 / 20


class Planner:
    """Plans rows one by one; remembers earlier rows so a file's own repeats are caught."""

    def __init__(self, ctx: Context, customers: CustomerService) -> None:
        self.db = ctx.db
        self.customers = customers
        self.seen = SpoolMap()  # 'e:mail' / 'p:+44…' -> line; bounded memory at any file size
        self.touched: dict[int, int] = {}  # existing customer id -> line that updates it
        # A first import into a new database (the big one) has nothing to match against.
        self.known = store.count(self.db)
        self.empty = self.known == 0
        # A big file into a big database: namesakes are answered at the end by one pass over
        # the customers (see build_plan); `pending` is the name of the row just planned.
        self.defer_namesakes = False
        self.pending: str | None = None
        self.pendings: list[str | None] = []  # plan_block's `pending` of each row, in order
        # plan_block's answers for its rows: e-mail / E.164 -> the first customer having it.
        self._email_ids: dict[str, int] | None = None
        self._phone_ids: dict[str, int] | None = None
        self.region = ctx.region  # read once: a setting lookup per phone was a query per row
        # Whole name -> its warning: a preview writes nothing, so the answer for a name stays
        # the same for the whole file, and names repeat (at 1M customers each look is an FTS query).
        self._namesake_warnings: dict[str, list[str]] = {}
        # Customers with ids from here on are invisible to namesakes and csdesk-id matches: an
        # import that writes while it plans (build_plan's `write`) creates them above every id
        # there was (store: bulk.new_customer_ids), and its later rows must be planned as if
        # they were not there, as a preview planned before the import does. None: all are seen.
        self.horizon: int | None = None
        # False: items keep their values unpacked, for a writer that takes them at once
        # (PlanItem.values); the preview's plan packs them for its pages.
        self.pack = True

    def plan(self, rec: Record) -> PlanItem:
        item, valid = stage(rec, self.region)
        return item if valid is None else self._decide(rec, item, *valid)

    def plan_block(self, recs: Sequence[Record]) -> list[PlanItem]:
        """plan() for several rows, the database asked for all their e-mails and numbers in
        two statements instead of one or two per row (a preview writes nothing, so the answers
        are the ones each row would have had)."""
        return self.plan_staged([(rec, *stage(rec, self.region)) for rec in recs])

    def plan_staged(self, staged: Sequence[Staged]) -> list[PlanItem]:
        """plan_block for rows already staged (staging.stage: here, or in pool's helpers)."""
        if not self.empty:
            valid = [v for _rec, _item, v in staged if v is not None]
            self._email_ids = store.first_ids_by_email(
                self.db, {e["email_norm"] for _row, _phones, emails in valid for e in emails}
            )
            self._phone_ids = store.first_ids_by_e164(
                self.db, {p["e164"] for _row, phones, _emails in valid for p in phones if p["e164"]}
            )
        items: list[PlanItem] = []
        try:
            for rec, item, v in staged:
                items.append(item if v is None else self._decide(rec, item, *v))
                self.pendings.append(self.pending)
                self.pending = None
        finally:
            self._email_ids = self._phone_ids = None
        return items

    def _decide(
        self,
        rec: Record,
        item: PlanItem,
        row: dict[str, Any],
        phones: list[dict[str, Any]],
        emails: list[dict[str, Any]],
    ) -> PlanItem:
        keys = [f"e:{e['email_norm']}" for e in emails] + [
            f"p:{p['e164']}" for p in phones if p["e164"]
        ]
        seen = self.seen
        for key in keys:
            line = seen.get(key)
            if line is not None:
                what = "e-mail" if key.startswith("e:") else "phone number"
                item.reason = f"same {what} as row {line} of this file"
                return item
        match, how = self._match(row, phones, rec.source_id, emails)
        for key in keys:
            self.seen[key] = rec.line
        if match is None:
            item.action, item.note = "create", _note(rec)
            item.keep(row, phones, emails, pack=self.pack)
            item.warnings += self._namesakes(row)
            return item
        if match in self.touched:
            item.reason = f"same customer as row {self.touched[match]} of this file"
            return item
        self.touched[match] = rec.line
        item.customer_id = match
        return self._update(item, rec, phones, match, how, emails)

    def _namesakes(self, row: dict[str, Any]) -> list[str]:
        """A same-named customer is not the same person (matching is by e-mail or phone), but
        the preview says so, so staff can check before or merge after."""
        if self.empty or not (row["first_name"] and row["last_name"]):
            return []
        key = folded_phrase(f"{row['first_name']} {row['last_name']}")
        if not key:
            return []
        if self.defer_namesakes:
            self.pending = key
            return []
        known = self._namesake_warnings.get(key)
        if known is None:
            known = self._namesake_warnings[key] = self._namesakes_of(key)
        return list(known)

    def _namesakes_of(self, key: str) -> list[str]:
        return namesake_warning(self.namesake_ids(key))

    def namesake_ids(self, key: str) -> list[int]:
        phrase = " ".join(f'"{t}"' for t in key.split())
        ids, _partial = store.ids_by_exact_name(self.db, phrase, key, 50)
        horizon = self.horizon
        return ids if horizon is None else [i for i in ids if i < horizon]

    def _match(
        self,
        row: dict[str, Any],
        phones: list[dict[str, Any]],
        source_id: int | None = None,
        emails: list[dict[str, Any]] | None = None,
    ) -> tuple[int | None, str]:
        if self.empty:
            return None, ""
        db = self.db
        if source_id is not None:
            # Our own export read back into the database it came from: the same id with the same
            # name is the same record (ids alone could be another database's customers).
            found = store.get(db, source_id) if self.horizon is None or source_id < self.horizon else None
            if found and found["exact_keys"] == row["exact_keys"]:
                return source_id, "csdesk id"
        by_email, by_phone = self._email_ids, self._phone_ids
        for email in emails or ():
            if by_email is not None:
                found_id = by_email.get(email["email_norm"])
            else:
                ids = store.ids_by_email(db, email["email_norm"])
                found_id = ids[0] if ids else None
            if found_id is not None:
                return found_id, "e-mail"
        for phone in phones:
            if phone["e164"]:
                if by_phone is not None:
                    found_id = by_phone.get(phone["e164"])
                else:
                    ids = store.ids_by_e164(db, phone["e164"])
                    found_id = ids[0] if ids else None
                if found_id is not None:
                    return found_id, "phone number"
        return None, ""

    def _update(
        self,
        item: PlanItem,
        rec: Record,
        phones: list[dict[str, Any]],
        cid: int,
        how: str,
        emails: list[dict[str, Any]],
    ) -> PlanItem:
        """Fill in what the customer lacks; never overwrite what staff already typed."""
        service = self.customers
        existing = service.get(cid)
        old = service.draft_of(existing)
        merged_phones = list(old.phones)
        known = {p.e164 or p.raw for p in existing.phones}
        for phone in phones:  # already validated: compare by E.164
            if (phone["e164"] or phone["raw"]) not in known:
                merged_phones.append((phone["label"], phone["raw"]))
                known.add(phone["e164"] or phone["raw"])
        # Every address the file has that the customer lacks is added after theirs.
        addresses = [(old.email_label, old.email)] if old.email else []
        addresses += list(old.other_emails)
        have = {a.casefold() for _label, a in addresses}
        addresses += [(e["label"], e["address"]) for e in emails if e["email_norm"] not in have]
        merged = CustomerDraft(
            first_name=old.first_name or rec.first_name,
            last_name=old.last_name or rec.last_name,
            preferred_name=old.preferred_name or rec.preferred_name,
            pronunciation=old.pronunciation,
            pronouns=old.pronouns or rec.pronouns,
            birthday=old.birthday or rec.birthday,
            email=addresses[0][1] if addresses else "",
            email_label=addresses[0][0] if addresses else "",
            other_emails=tuple(addresses[1:]),
            company=old.company or rec.company,
            address=old.address or rec.address,
            marketing_consent=old.marketing_consent if rec.consent is None else rec.consent,
            phones=tuple(merged_phones),
        )
        # What has no field of its own (a memo) becomes a note, once.
        note = rec.note
        if note and note not in {n["body"] for n in notes_store.for_customer(self.db, cid)}:
            item.note = note
        if merged == old and not item.note:
            item.action, item.reason = "unchanged", f"already up to date (matched by {how})"
            return item
        try:
            item.keep(*service.validate_all(merged, region=self.region), pack=self.pack)
        except ValidationError as exc:
            item.action, item.reason, item.note = "skip", reason(exc), ""
            return item
        item.action, item.reason = "update", f"matched customer #{cid} by {how}"
        return item


def build_plan(
    ctx: Context,
    customers: CustomerService,
    file_name: str,
    fmt: str,
    recs: Iterable[Record],
    progress: Callable[[int, int], bool] | None = None,
    total: int | Callable[[], int] | None = None,
    first_page: Callable[[Plan], None] | None = None,
    staged: Iterable[Staged] | None = None,
    write: Callable[[PlanItems, list[PlanItem]], bool] | None = None,
) -> Plan:
    """Plan every row; progress(done, total) every 1,000 rows, False cancels (UserError).
    `recs` may be read as it goes (open_file); then `total` says how many there are, or is a
    function counting them, called once the first FIRST_PAGE_ROWS rows are planned (counting
    a big file takes seconds the first page does not wait for).
    `first_page(plan)` is called once FIRST_PAGE_ROWS rows are planned (not for a shorter file),
    with a Plan on the same items, which go on growing: its first FIRST_PAGE_ROWS items are
    final but for the "same name" warnings of a file planned in one pass (see below), which
    the returned plan has. Whoever got it may still read those rows after a cancel.
    `staged`: the same rows as `recs`, already staged (pool.StagingPool): planned from it.
    `write(items, planned)`: an import that writes while it plans (ImportService.import_file)
    is handed each block's items as they are planned (and the plan's items they belong to), in
    file order, before later rows are planned; False stops the planning there (the plan then
    holds the rows planned so far, without the deferred "same name" pass). The rows it writes
    are invisible to the rest of the plan (Planner.horizon), so every row is planned as a
    preview before the import would plan it."""
    planner = Planner(ctx, customers)
    if write is not None:
        planner.horizon = store.max_id(ctx.db) + 1
        planner.pack = False
    if total is None:
        recs = list(recs)
        total = len(recs)
    count: Callable[[], int] | None = None
    rows = 0
    if callable(total):
        count = total
    else:
        rows = total

    def decide(rows: int) -> None:
        # Namesakes of a big file into a big database: one pass at the end (see Planner).
        planner.defer_namesakes = (
            planner.known >= NAMESAKE_SCAN_MIN_CUSTOMERS
            and rows >= planner.known * NAMESAKE_SCAN_ROWS_PER_CUSTOMER
        )

    if count is None:
        decide(rows)
    else:  # until the count says the file is small, plan as for a big one (deferred names)
        planner.defer_namesakes = planner.known >= NAMESAKE_SCAN_MIN_CUSTOMERS
    items = PlanItems()
    named: dict[str, array[int]] = {}  # whole name -> positions of new rows with it (deferred)
    shared = False
    if staged is None:
        staged = ((rec, *stage(rec, planner.region)) for rec in recs)
    rows_staged = iter(staged)
    try:
        # In blocks (see Planner.plan_block) that end at the first page and at each progress.
        while block := list(islice(rows_staged, PLAN_BLOCK)):
            planned = planner.plan_staged(block)
            pendings, planner.pendings = planner.pendings, []
            for item, pending in zip(planned, pendings, strict=True):
                items.append(item)
                if pending is not None:
                    named.setdefault(pending, array("q")).append(len(items) - 1)
                if first_page is not None and not shared and len(items) == FIRST_PAGE_ROWS:
                    shared = True
                    first_page(Plan(file_name, fmt, items))
                if count is not None and len(items) == FIRST_PAGE_ROWS:
                    rows = count()
                    decide(rows)
                if progress is not None and len(items) % 1000 == 0 and not progress(len(items), rows):
                    if not shared:  # else the first page's reader still holds it; it closes with it
                        items.close()
                    raise UserError("Preview cancelled; nothing was imported.")
            if write is not None and not write(items, planned):
                forget_shared()
                return Plan(file_name, fmt, items)
    finally:
        planner.seen.close()
    if count is not None and len(items) < FIRST_PAGE_ROWS:
        decide(len(items))  # a file shorter than the first page was never counted: it is small
    if named:
        # The same warning the per-name lookup gives, for every name in one pass; a file
        # counted small after all (its first rows were deferred) asks for those names one by one.
        if planner.defer_namesakes:
            found = store.ids_by_whole_names(ctx.db, set(named), per_name=4, below=planner.horizon)
        else:
            found = {key: planner.namesake_ids(key) for key in named}
        warned: dict[int, list[str]] = {}  # position -> its warning
        for key, positions in named.items():
            warning = namesake_warning(found.get(key, []))
            for position in positions if warning else ():
                warned[position] = warning
        # In file order, a page at a time: each page is read and written once.
        changed: dict[int, PlanItem] = {}
        page = -1
        for position in sorted(warned):
            if changed and position // PAGE_ITEMS != page:
                items.replace(changed)
                changed = {}
            page = position // PAGE_ITEMS
            item = items[position]
            item.warnings += warned[position]
            changed[position] = item
        items.replace(changed)
    forget_shared()  # the items hold what they share; the lookup itself is not kept
    return Plan(file_name, fmt, items)
