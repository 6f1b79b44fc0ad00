"""Customers and their phone numbers: rows in, rows out. Derived columns come from services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

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


def insert(
    db: sqlite_utils.Database,
    row: Row,
    phones: Sequence[Row],
    emails: Sequence[Row] | None = None,
) -> int:
    """`emails`: every address, the primary first; None: just the row's own e-mail."""
    cur = db.execute(
        f"INSERT INTO customers ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
    customer_id = int(cur.lastrowid or 0)
    replace_phones(db, customer_id, phones)
    replace_emails(db, customer_id, primary_only(row) if emails is None else emails)
    return customer_id


def update(
    db: sqlite_utils.Database,
    customer_id: int,
    row: Row,
    phones: Sequence[Row],
    emails: Sequence[Row] | None = None,
) -> None:
    """`emails`: every address, the primary first. None keeps the other addresses and makes the
    row's e-mail (if it has the key) the primary, for callers that only know one address."""
    assignments = ", ".join(f"{key} = ?" for key in row)
    db.execute(f"UPDATE customers SET {assignments} WHERE id = ?", [*row.values(), customer_id])
    replace_phones(db, customer_id, phones)
    if emails is None and "email" in row:
        others = [
            e
            for e in emails_full(db, [customer_id])[customer_id][1:]
            if e["email_norm"] != row.get("email_norm", str(row["email"]).casefold())
        ]
        emails = [*primary_only(row), *others]
    if emails is not None:
        replace_emails(db, customer_id, emails)


def primary_only(row: Row) -> list[Row]:
    email = str(row.get("email") or "")
    if not email:
        return []
    return [{"label": "other", "address": email, "email_norm": row.get("email_norm") or email.casefold()}]


def replace_emails(db: sqlite_utils.Database, customer_id: int, emails: Sequence[Row]) -> None:
    """Every address in order; the first is copied to customers.email (the primary)."""
    wanted = [(e["label"], e["address"], e["email_norm"]) for e in emails]
    have = [
        (e["label"], e["address"], e["email_norm"]) for e in emails_full(db, [customer_id])[customer_id]
    ]
    if wanted == have:
        return  # unchanged: keep the rows (and their ids)
    db.execute("DELETE FROM customer_emails WHERE customer_id = ?", [customer_id])
    db.conn.executemany(
        "INSERT INTO customer_emails (customer_id, position, label, address, email_norm) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (customer_id, position, e["label"], e["address"], e["email_norm"])
            for position, e in enumerate(emails)
        ],
    )
    primary = emails[0] if emails else {"address": "", "email_norm": ""}
    db.execute(
        "UPDATE customers SET email = ?, email_norm = ? WHERE id = ? AND (email != ? OR email_norm != ?)",
        [primary["address"], primary["email_norm"], customer_id, primary["address"], primary["email_norm"]],
    )


def emails_full(db: sqlite_utils.Database, customer_ids: Iterable[int]) -> dict[int, list[Row]]:
    """Every address of these customers, the primary first: label, address, email_norm."""
    ids = list(dict.fromkeys(customer_ids))
    result: dict[int, list[Row]] = {i: [] for i in ids}
    if not ids:
        return result
    cur = db.execute(
        "SELECT customer_id, label, address, email_norm FROM customer_emails "
        f"WHERE customer_id IN ({', '.join('?' for _ in ids)}) ORDER BY customer_id, position",
        ids,
    )
    for row in all_rows(cur):
        result[row.pop("customer_id")].append(row)
    return result


def emails_for(db: sqlite_utils.Database, customer_ids: Iterable[int]) -> dict[int, list[Row]]:
    """For display: id, label and address of each, the primary first."""
    ids = list(dict.fromkeys(customer_ids))
    result: dict[int, list[Row]] = {i: [] for i in ids}
    if not ids:
        return result
    cur = db.execute(
        "SELECT id, customer_id, label, address FROM customer_emails "
        f"WHERE customer_id IN ({', '.join('?' for _ in ids)}) ORDER BY customer_id, position",
        ids,
    )
    for eid, cid, label, address in cur.fetchall():
        result[cid].append({"id": eid, "label": label, "address": address})
    return result


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
            "SELECT customer_id FROM customer_phones "
            "WHERE digits_rev >= ? AND digits_rev < ? ORDER BY digits_rev, id LIMIT ?",
            [rev_prefix, rev_prefix + ":", limit * OVERSCAN],  # ':' sorts right after '9'
        )
        ids.extend(first_customers(cur, limit))
    if national_prefix and len(ids) < limit:
        cur = db.execute(
            "SELECT customer_id FROM customer_phones "
            "WHERE national >= ? AND national < ? ORDER BY national, id LIMIT ?",
            [national_prefix, national_prefix + ":", limit * OVERSCAN],
        )
        ids.extend(first_customers(cur, limit))
    return list(dict.fromkeys(ids))[:limit]


# Range scans list rows in index order (key, id) and keep each customer's first: the same
# customers on every engine. SELECT DISTINCT ... LIMIT without an order let PostgreSQL pick
# other ones than SQLite whenever more than `limit` matched. A customer rarely has several
# matching numbers or addresses, so a few times `limit` rows hold `limit` customers.
OVERSCAN = 3


def first_customers(cur: Any, limit: int) -> list[int]:
    return list(dict.fromkeys(r[0] for r in cur.fetchall()))[:limit]


def ids_by_e164(db: sqlite_utils.Database, e164: str) -> list[int]:
    cur = db.execute(
        "SELECT DISTINCT customer_id FROM customer_phones WHERE e164 = ? ORDER BY customer_id",
        [e164],
    )
    return [r[0] for r in cur.fetchall()]


def ids_by_e164_prefix(db: sqlite_utils.Database, prefix: str, limit: int) -> list[int]:
    """Customers with a number starting with `prefix` ('+1720'): a range scan of the E.164 index."""
    cur = db.execute(
        "SELECT customer_id FROM customer_phones WHERE e164 >= ? AND e164 < ? ORDER BY e164, id LIMIT ?",
        [prefix, prefix + ":", limit * OVERSCAN],
    )
    return first_customers(cur, limit)


def ids_by_email_prefix(db: sqlite_utils.Database, prefix: str, limit: int) -> list[int]:
    """Customers with any address starting with `prefix` (casefolded): a range scan of the
    address index, the primary and every other address alike."""
    if not prefix:
        return []
    cur = db.execute(
        "SELECT customer_id FROM customer_emails INDEXED BY emails_norm "
        "WHERE email_norm >= ? AND email_norm < ? ORDER BY email_norm, id LIMIT ?",
        [prefix, prefix + "\U0010ffff", limit * OVERSCAN],
    )
    return first_customers(cur, limit)


def ids_by_email(db: sqlite_utils.Database, email_norm: str) -> list[int]:
    cur = db.execute(
        "SELECT DISTINCT customer_id FROM customer_emails WHERE email_norm = ? ORDER BY customer_id",
        [email_norm],
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

