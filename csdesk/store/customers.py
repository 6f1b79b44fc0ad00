"""Customers and their phone numbers: rows in, rows out. Derived columns come from services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlite_utils

from csdesk.store.rows import Row, all_rows, one_row

CUSTOMER_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronunciation",
    "pronouns",
    "birthday",
    "email",
    "email_norm",
    "company",
    "address",
    "marketing_consent",
    "marketing_consent_at",
    "search_norm",
    "exact_keys",
)

# What a search result row needs; never SELECT * on the hot path.
LIST_COLUMNS = (
    "id, first_name, last_name, preferred_name, email, search_norm, exact_keys, "
    "last_seen_at, last_visit_at"
)


def insert(db: sqlite_utils.Database, row: Row, phones: Sequence[Row]) -> int:
    cur = db.execute(
        f"INSERT INTO customers ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
    customer_id = int(cur.lastrowid or 0)
    replace_phones(db, customer_id, phones)
    return customer_id


def update(db: sqlite_utils.Database, customer_id: int, row: Row, phones: Sequence[Row]) -> None:
    assignments = ", ".join(f"{key} = ?" for key in row)
    db.execute(f"UPDATE customers SET {assignments} WHERE id = ?", [*row.values(), customer_id])
    replace_phones(db, customer_id, phones)


def replace_phones(db: sqlite_utils.Database, customer_id: int, phones: Sequence[Row]) -> None:
    db.execute("DELETE FROM customer_phones WHERE customer_id = ?", [customer_id])
    for position, phone in enumerate(phones):
        db.execute(
            "INSERT INTO customer_phones (customer_id, position, label, raw, e164, digits_rev, national)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                customer_id,
                position,
                phone["label"],
                phone["raw"],
                phone["e164"],
                phone["digits_rev"],
                phone["national"],
            ],
        )


def get(db: sqlite_utils.Database, customer_id: int) -> Row | None:
    return one_row(db.execute("SELECT * FROM customers WHERE id = ?", [customer_id]))


def phones_for(db: sqlite_utils.Database, customer_ids: Iterable[int]) -> dict[int, list[Row]]:
    ids = list(dict.fromkeys(customer_ids))
    result: dict[int, list[Row]] = {i: [] for i in ids}
    if not ids:
        return result
    cur = db.execute(
        "SELECT id, customer_id, label, raw, e164 FROM customer_phones "
        f"WHERE customer_id IN ({', '.join('?' for _ in ids)}) ORDER BY customer_id, position",
        ids,
    )
    for pid, cid, label, raw, e164 in cur.fetchall():
        result[cid].append({"id": pid, "label": label, "raw": raw, "e164": e164})
    return result


def count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM customers").fetchone()[0])


def list_rows(db: sqlite_utils.Database, ids: Sequence[int]) -> list[Row]:
    if not ids:
        return []
    cur = db.execute(
        f"SELECT {LIST_COLUMNS} FROM customers WHERE id IN ({', '.join('?' for _ in ids)})",
        list(ids),
    )
    return all_rows(cur)


def fts_ids(db: sqlite_utils.Database, match: str, limit: int) -> list[int]:
    """Rowids matching an FTS5 expression built by services.search (never raw user text)."""
    cur = db.execute(
        "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? LIMIT ?", [match, limit]
    )
    return [r[0] for r in cur.fetchall()]


def recency_cutoff(db: sqlite_utils.Database, depth: int) -> str | None:
    """last_seen_at of the customer `depth` places down the recency order (None: fewer exist)."""
    found = db.execute(
        "SELECT last_seen_at FROM customers INDEXED BY customers_recent "
        "ORDER BY last_seen_at DESC, id DESC LIMIT 1 OFFSET ?",
        [depth],
    ).fetchone()
    return None if found is None else str(found[0])


def recent_matching(
    db: sqlite_utils.Database,
    needles: Sequence[str],
    *,
    column: str = "search_norm",
    since: str | None,
    limit: int,
) -> list[int]:
    """Ids of the most recently seen customers whose `column` contains every needle.

    Walks the covering recency index (no table reads) from the newest down to `since`, so the
    work is bounded however rare the needle; it stops as soon as `limit` are found.
    """
    if column not in ("search_norm", "exact_keys"):
        raise ValueError(column)
    conditions = " AND ".join(f"instr({column}, ?) > 0" for _ in needles)
    cur = db.execute(
        "SELECT id FROM customers INDEXED BY customers_recent "
        f"WHERE last_seen_at >= ? AND {conditions} "
        "ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [since or "", *needles, limit],
    )
    return [r[0] for r in cur.fetchall()]


def most_recent_of(db: sqlite_utils.Database, ids: Sequence[int], limit: int) -> list[int]:
    """The `limit` most recently seen among `ids`, ranked in SQL (no rows built in Python)."""
    if not ids:
        return []
    cur = db.execute(
        f"SELECT id FROM customers WHERE id IN ({', '.join('?' for _ in ids)}) "
        "ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [*ids, limit],
    )
    return [r[0] for r in cur.fetchall()]


def recent(db: sqlite_utils.Database, limit: int) -> list[Row]:
    cur = db.execute(
        f"SELECT {LIST_COLUMNS} FROM customers ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [limit],
    )
    return all_rows(cur)


def phone_customer_ids(
    db: sqlite_utils.Database, *, rev_prefix: str = "", national_prefix: str = "", limit: int
) -> list[int]:
    """Customers whose number ends with (reversed prefix) or starts with (national) these digits."""
    ids: list[int] = []
    if rev_prefix:
        cur = db.execute(
            "SELECT DISTINCT customer_id FROM customer_phones "
            "WHERE digits_rev >= ? AND digits_rev < ? LIMIT ?",
            [rev_prefix, rev_prefix + ":", limit],  # ':' sorts right after '9'
        )
        ids.extend(r[0] for r in cur.fetchall())
    if national_prefix and len(ids) < limit:
        cur = db.execute(
            "SELECT DISTINCT customer_id FROM customer_phones "
            "WHERE national >= ? AND national < ? LIMIT ?",
            [national_prefix, national_prefix + ":", limit],
        )
        ids.extend(r[0] for r in cur.fetchall())
    return list(dict.fromkeys(ids))[:limit]


def ids_by_e164(db: sqlite_utils.Database, e164: str) -> list[int]:
    cur = db.execute(
        "SELECT DISTINCT customer_id FROM customer_phones WHERE e164 = ? ORDER BY customer_id",
        [e164],
    )
    return [r[0] for r in cur.fetchall()]


def ids_by_email_prefix(db: sqlite_utils.Database, prefix: str, limit: int) -> list[int]:
    cur = db.execute(
        "SELECT id FROM customers WHERE email_norm >= ? AND email_norm < ? AND email_norm != '' "
        "LIMIT ?",
        [prefix, prefix + "\U0010ffff", limit],
    )
    return [r[0] for r in cur.fetchall()]


def ids_by_exact_name(
    db: sqlite_utils.Database, fts_phrase: str, key: str, cap: int
) -> tuple[list[int], bool]:
    """Customers with a whole name equal to `key`, looked for among at most `cap` customers the
    FTS phrase finds; the flag says whether that cap was reached (so the list may be partial)."""
    candidates = fts_ids(db, fts_phrase, cap)
    if not candidates:
        return [], False
    cur = db.execute(
        f"SELECT id FROM customers WHERE id IN ({', '.join('?' for _ in candidates)}) "
        "AND instr(exact_keys, ?) > 0",
        [*candidates, "|" + key + "|"],
    )
    return [r[0] for r in cur.fetchall()], len(candidates) >= cap


def export_page(db: sqlite_utils.Database, after_id: int, limit: int) -> list[Row]:
    """Customers in id order, a page at a time, so an export never holds the whole table."""
    cur = db.execute("SELECT * FROM customers WHERE id > ? ORDER BY id LIMIT ?", [after_id, limit])
    return all_rows(cur)


def phones_full(db: sqlite_utils.Database, customer_ids: Iterable[int]) -> dict[int, list[Row]]:
    """Phone rows with every stored column, for undo snapshots and merges."""
    ids = list(dict.fromkeys(customer_ids))
    result: dict[int, list[Row]] = {i: [] for i in ids}
    if not ids:
        return result
    cur = db.execute(
        "SELECT customer_id, label, raw, e164, digits_rev, national FROM customer_phones "
        f"WHERE customer_id IN ({', '.join('?' for _ in ids)}) ORDER BY customer_id, position",
        ids,
    )
    for row in all_rows(cur):
        result[row.pop("customer_id")].append(row)
    return result

