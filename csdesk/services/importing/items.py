"""A plan's items: what an import will do with each row, held in pages on disk (any file size).

Split from plan.py: the helper processes that validate rows (pool.py) make the same PlanItem
the serial preview makes, without the planner and its database.
"""

from __future__ import annotations

import marshal
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from csdesk.store.spool import Spool

# One tuple of keys per dict shape, shared by every packed row; values that repeat across rows
# (given names, surnames, labels, their folded forms) shared the same way.
_SHAPES: dict[tuple[str, ...], tuple[str, ...]] = {}
_SHARED_VALUES = frozenset(
    ("first_name", "last_name", "preferred_name", "pronouns", "company", "search_norm",
     "exact_keys", "label", "birthday")
)  # fmt: skip
_VALUES: dict[str, str] = {}


# Each shape's positions of the values that are shared (worked out once per shape, not per row).
_SHARED_AT: dict[tuple[str, ...], tuple[int, ...]] = {}


def _pack(values: dict[str, Any]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    keys = tuple(values)
    shared = _SHARED_AT.get(keys)
    if shared is None:
        keys = _SHAPES.setdefault(keys, keys)
        shared = _SHARED_AT[keys] = tuple(i for i, k in enumerate(keys) if k in _SHARED_VALUES)
    else:
        keys = _SHAPES[keys]
    if len(_VALUES) > 50_000:  # a bound, whatever files come through this process
        _VALUES.clear()
    packed = list(values.values())
    for i in shared:
        v = packed[i]
        if isinstance(v, str):
            packed[i] = _VALUES.setdefault(v, v)
    return keys, tuple(packed)


def _unpack(packed: tuple[tuple[str, ...], tuple[Any, ...]]) -> dict[str, Any]:
    return dict(zip(packed[0], packed[1], strict=True))


@dataclass(slots=True)
class PlanItem:
    """What the import will do with one row. action: create, update, unchanged or skip."""

    line: int
    action: str
    name: str
    reason: str = ""
    customer_id: int | None = None
    warnings: list[str] = field(default_factory=list)
    note: str = field(default="", repr=False)
    # The validated row, phones and e-mails as tuples of values (see keep): a plan holds one item
    # per row of the file, and as dicts they took ~3.5 KB each (350 MB for 100,000 rows).
    packed: tuple[Any, ...] = field(default=(), repr=False)
    # The same values as they were validated, for an item written as soon as it is planned
    # (ImportService.import_file): packing them for the plan's pages and unpacking them to write
    # them was a third of that import's own CPU, and once written nothing reads them again
    # (the writer drops them). Never in a page (_dump_page).
    values: tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]] | None = field(
        default=None, repr=False, compare=False
    )

    def keep(
        self,
        row: dict[str, Any],
        phones: list[dict[str, Any]],
        emails: list[dict[str, Any]],
        *,
        pack: bool = True,
    ) -> None:
        if not pack:
            self.values = (row, phones, emails)
            return
        self.packed = (_pack(row), tuple(_pack(p) for p in phones), tuple(_pack(e) for e in emails))

    @property
    def row(self) -> dict[str, Any]:
        if self.values is not None:
            return self.values[0]
        return _unpack(self.packed[0]) if self.packed else {}

    @property
    def phones(self) -> list[dict[str, Any]]:
        if self.values is not None:
            return self.values[1]
        return [_unpack(p) for p in self.packed[1]] if self.packed else []

    @property
    def emails(self) -> list[dict[str, Any]]:
        if self.values is not None:
            return self.values[2]
        return [_unpack(e) for e in self.packed[2]] if self.packed else []

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "action": self.action,
            "name": self.name,
            "customer_id": self.customer_id,
            "reason": self.reason,
            "warnings": list(self.warnings),
        }


PAGE_ITEMS = 1000
_CODES = {"create": ord("c"), "update": ord("u"), "unchanged": ord("n"), "skip": ord("s")}
_CACHED_PAGES = 4


def _dump_page(items: Sequence[PlanItem]) -> bytes:
    """A page as marshal bytes of plain tuples: pickling the dataclasses cost ~7 µs an item to
    write and ~15 to read back (once for the preview's pages, again for apply); this ~2 and ~4.
    The key tuples and values the items share (see _pack) are written once a page."""
    return marshal.dumps(
        [
            (i.line, i.action, i.name, i.reason, i.customer_id, tuple(i.warnings), i.note, i.packed)
            for i in items
        ]
    )


def _load_page(data: bytes) -> list[PlanItem]:
    # Our own bytes from our own spool, never a file's: marshal reads back only plain values.
    return [
        PlanItem(line, action, name, reason, cid, list(warnings), note, packed)
        for line, action, name, reason, cid, warnings, note, packed in marshal.loads(data)
    ]


class PlanItems(Sequence[PlanItem]):
    """A plan's items in pages of PAGE_ITEMS, on disk (store.spool) but for the page being
    filled and the few pages last read: memory stays a few MB at any file size.

    Each item's action is kept in memory too (one byte), so counts and the preview's filter
    need no page. Items read from here are copies of what is stored: a change to one (apply
    sets customer ids, or skips a customer gone meanwhile) is kept only by `save`."""

    def __init__(self) -> None:
        self._spool = Spool()
        self._stored = 0  # full pages on disk
        self._tail: list[PlanItem] = []  # the page being filled
        self._actions = bytearray()
        # Customer ids apply gives (0: none), apart from the pages: storing them re-pickled
        # every page for one number an item (a fifth of the writing).
        self._ids = array("q")
        self._cache: OrderedDict[int, list[PlanItem]] = OrderedDict()
        self._lock = threading.RLock()  # the window reads pages on its UI thread and a worker

    def append(self, item: PlanItem) -> None:
        with self._lock:
            self._tail.append(item)
            self._actions.append(_CODES[item.action])
            self._ids.append(item.customer_id or 0)
            if len(self._tail) == PAGE_ITEMS:
                self._spool.put(self._stored, _dump_page(self._tail))
                self._stored += 1
                self._tail = []

    def _page(self, number: int) -> list[PlanItem]:
        if number == self._stored:
            return self._tail
        page = self._cache.get(number)
        if page is None:
            page = _load_page(self._spool.get(number))
            self._cache[number] = page
            if len(self._cache) > _CACHED_PAGES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(number)
        return page

    def __len__(self) -> int:
        return len(self._actions)

    @overload
    def __getitem__(self, index: int) -> PlanItem: ...
    @overload
    def __getitem__(self, index: slice) -> list[PlanItem]: ...
    def __getitem__(self, index: int | slice) -> PlanItem | list[PlanItem]:
        with self._lock:
            if isinstance(index, slice):
                start, stop, step = index.indices(len(self))
                if step != 1:
                    return [self[i] for i in range(start, stop, step)]
                # A page at a time (apply reads a batch like this): not one lookup per item.
                found: list[PlanItem] = []
                while start < stop:
                    number, offset = divmod(start, PAGE_ITEMS)
                    taken = self._page(number)[offset : offset + stop - start]
                    if not taken:  # pages are full but the last: cannot happen, never loop
                        raise IndexError(start)
                    for at, item in enumerate(taken, start):
                        item.customer_id = self._ids[at] or None
                    found += taken
                    start += len(taken)
                return found
            if index < 0:
                index += len(self)
            if not 0 <= index < len(self):
                raise IndexError(index)
            item = self._page(index // PAGE_ITEMS)[index % PAGE_ITEMS]
            item.customer_id = self._ids[index] or None
            return item

    def __iter__(self) -> Iterator[PlanItem]:
        for number in range(self._stored + 1):
            with self._lock:
                page = self._page(number)
            for offset, item in enumerate(page):
                item.customer_id = self._ids[number * PAGE_ITEMS + offset] or None
                yield item

    def __eq__(self, other: object) -> bool:  # like the list it stands for
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def save(self, first: int, items: Sequence[PlanItem]) -> None:
        """Store changed `items`, which are this plan's items from `first` on."""
        with self._lock:
            changed: set[int] = set()  # pages whose items now say something else
            for offset, item in enumerate(items):
                index = first + offset
                self._ids[index] = item.customer_id or 0
                if self._actions[index] != _CODES[item.action]:
                    self._page(index // PAGE_ITEMS)[index % PAGE_ITEMS] = item
                    self._actions[index] = _CODES[item.action]
                    changed.add(index // PAGE_ITEMS)
            for number in sorted(changed):
                if number < self._stored:
                    page = self._page(number)
                    self._spool.put(number, _dump_page(page))

    def replace(self, changed: dict[int, PlanItem]) -> None:
        """Store these items (position -> item) in place, each page written once."""
        with self._lock:
            pages: dict[int, list[PlanItem]] = {}
            for index in sorted(changed):
                number = index // PAGE_ITEMS
                page = pages.get(number)
                if page is None:
                    page = pages[number] = self._page(number)
                page[index % PAGE_ITEMS] = changed[index]
            for number, page in pages.items():
                if number < self._stored:
                    self._spool.put(number, _dump_page(page))

    def count_of(self, action: str) -> int:
        return self._actions.count(_CODES[action])

    def positions(self, action: str | None = None) -> Sequence[int]:
        """Where the items with this action are (all items with None), in order."""
        if action is None:
            return range(len(self))
        code = _CODES.get(action, 0)
        return [i for i, a in enumerate(self._actions) if a == code]

    def close(self) -> None:
        self._spool.close()


def forget_shared() -> None:
    """Drop the lookup of shared values (the items keep what they share): after a whole plan."""
    _VALUES.clear()

