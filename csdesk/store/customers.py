"""Customers and their phone numbers: rows in, rows out. Derived columns come from services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlite_utils

from csdesk.store import search_index
from csdesk.store.db import execute_many
from csdesk.store.dialect import using_index
from csdesk.store.rows import Row, all_rows, inserted_id, one_row

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


def insert(
    db: sqlite_utils.Database,
    row: Row,
    phones: Sequence[Row],
    emails: Sequence[Row] | None = None,
) -> int:
    """`emails`: every address, the primary first; None: just the row's own e-mail."""
    cur = db.execute(
        f"INSERT INTO customers ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
        list(row.values()),
    )
    customer_id = inserted_id(cur)
    replace_phones(db, customer_id, phones)
    replace_emails(db, customer_id, primary_only(row) if emails is None else emails)
    return customer_id


def update(
    db: sqlite_utils.Database,
    customer_id: int,
    row: Row,
    phones: Sequence[Row],
    emails: Sequence[Row] | None = None,
    *,
    version: int | None = None,
) -> bool:
    """`emails`: every address, the primary first. None keeps the other addresses and makes the
    row's e-mail (if it has the key) the primary, for callers that only know one address.
    `version`: the one the edit was read at; False (and nothing changed) when someone saved
    since. Every update bumps the version, so an edit open elsewhere sees this one."""
    assignments = ", ".join(f"{key} = ?" for key in row)
    guard = "" if version is None else " AND version = ?"
    cur = db.execute(
        f"UPDATE customers SET {assignments}, version = version + 1 WHERE id = ?{guard}",
        [*row.values(), customer_id, *([] if version is None else [version])],
    )
    if cur.rowcount != 1:
        return False
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
    return True


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
    execute_many(db,
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


def max_id(db: sqlite_utils.Database) -> int:
    """The highest customer id there is (0 for none): the ids given after it are newer."""
    return int(db.execute("SELECT coalesce(max(id), 0) FROM customers").fetchone()[0])


def seen_before(db: sqlite_utils.Database, before: str, limit: int) -> list[int]:
    """Customers whose last interaction is older than `before` (the most recent of them first),
    walking the recency index: "we miss you" to those not seen in 90 days."""
    cur = db.execute(
        f"SELECT id FROM customers {using_index(db, 'customers_recent')} WHERE last_seen_at < ? "
        "ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        [before, limit],
    )
    return [int(r[0]) for r in cur.fetchall()]


def ids_by_e164(db: sqlite_utils.Database, e164: str) -> list[int]:
    cur = db.execute(
        "SELECT DISTINCT customer_id FROM customer_phones WHERE e164 = ? ORDER BY customer_id",
        [e164],
    )
    return [r[0] for r in cur.fetchall()]


def ids_by_email(db: sqlite_utils.Database, email_norm: str) -> list[int]:
    cur = db.execute(
        "SELECT DISTINCT customer_id FROM customer_emails WHERE email_norm = ? ORDER BY customer_id",
        [email_norm],
    )
    return [r[0] for r in cur.fetchall()]


def _first_ids(db: sqlite_utils.Database, table: str, column: str, values: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    wanted = sorted(values)
    for start in range(0, len(wanted), 500):  # well under any engine's limit of parameters
        part = wanted[start : start + 500]
        cur = db.execute(
            f"SELECT {column}, min(customer_id) FROM {table} "
            f"WHERE {column} IN ({', '.join('?' for _ in part)}) GROUP BY {column}",
            part,
        )
        found.update((str(value), int(cid)) for value, cid in cur.fetchall())
    return found


def first_ids_by_email(db: sqlite_utils.Database, email_norms: set[str]) -> dict[str, int]:
    """ids_by_email(...)[0] for many addresses in one statement: address -> its first customer."""
    return _first_ids(db, "customer_emails", "email_norm", email_norms)


def first_ids_by_e164(db: sqlite_utils.Database, numbers: set[str]) -> dict[str, int]:
    """ids_by_e164(...)[0] for many numbers in one statement: E.164 -> its first customer."""
    return _first_ids(db, "customer_phones", "e164", numbers)


def ids_by_exact_name(
    db: sqlite_utils.Database, fts_phrase: str, key: str, cap: int
) -> tuple[list[int], bool]:
    """Customers with a whole name equal to `key`, looked for among at most `cap` customers the
    FTS phrase finds; the flag says whether that cap was reached (so the list may be partial)."""
    candidates = search_index.queries(db).fts_ids(db, fts_phrase, cap)
    if not candidates:
        return [], False
    cur = db.execute(
        f"SELECT id FROM customers WHERE id IN ({', '.join('?' for _ in candidates)}) "
        "AND instr(exact_keys, ?) > 0",
        [*candidates, "|" + key + "|"],
    )
    return [r[0] for r in cur.fetchall()], len(candidates) >= cap


def ids_by_whole_names(
    db: sqlite_utils.Database, keys: set[str], per_name: int, below: int | None = None
) -> dict[str, list[int]]:
    """For each folded whole name in `keys`, the first `per_name` customers (by id, only ids
    under `below` if given) having it among their exact_keys: ids_by_exact_name for many names
    in one pass over the customers."""
    found: dict[str, list[int]] = {}
    wanted = set(keys)  # a name leaves it once it has its `per_name` customers
    if not wanted:
        return found
    cur = db.execute(
        "SELECT id, exact_keys FROM customers WHERE id < ? ORDER BY id",
        [below if below is not None else 2**62],
    )
    for cid, exact in cur:
        for key in exact.split("|"):
            if key in wanted:
                ids = found.setdefault(key, [])
                if not ids or ids[-1] != cid:
                    ids.append(cid)
                    if len(ids) == per_name:
                        wanted.discard(key)
        if not wanted:  # every name has its customers: the rest of the table cannot change that
            break
    return found


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

