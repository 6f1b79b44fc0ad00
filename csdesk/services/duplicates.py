"""Likely duplicate customers, and merging two customers into one."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change, CustomerDraft, display_name
from csdesk.errors import NotFound, UserError
from csdesk.services.auth import Permission, require
from csdesk.services.customers import _audit_view
from csdesk.services.text import fold
from csdesk.store import audit, merge
from csdesk.store import customers as store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.customers import CustomerService

NAME_SCAN = 20_000  # most recently seen customers compared by name; bounds the work
CLOSE_NAME = 0.88


@dataclass(frozen=True)
class DuplicatePair:
    keep_id: int  # the older record: the suggested one to keep
    other_id: int
    keep_name: str
    other_name: str
    reason: str  # "same phone +441234…", "same e-mail …", "very close names"


@dataclass(frozen=True)
class MergeResult:
    customer_id: int
    merged_id: int
    moved: dict[str, int]


def _name(row: dict[str, Any]) -> str:
    return display_name(row["first_name"], row["last_name"], row["preferred_name"], row["company"],
                        row["email"], row["name_phone"] or "", row["id"])


class DuplicateService:
    def __init__(self, ctx: Context, *, customers: CustomerService) -> None:
        self._ctx = ctx
        self._customers = customers

    def pairs(self, limit: int = 200) -> list[DuplicatePair]:
        require(self._ctx.actor, Permission.VIEW)
        db = self._ctx.db
        found: dict[tuple[int, int], str] = {}

        def add(ids: list[int], reason: str) -> None:
            ids = sorted(set(ids))
            for other in ids[1:]:
                found.setdefault((ids[0], other), reason)

        for email, ids in merge.same_email_groups(db, limit):
            add(ids, f"same e-mail {email}")
        for e164, ids in merge.same_phone_groups(db, limit):
            add(ids, f"same phone {e164}")
        if len(found) < limit:
            for a, b in self._close_names(limit - len(found)):
                found.setdefault((min(a, b), max(a, b)), "very close names")
        chosen = list(found.items())[:limit]
        rows = {r["id"]: r for r in merge.brief_rows(db, [i for pair, _ in chosen for i in pair])}
        return [
            DuplicatePair(a, b, _name(rows[a]), _name(rows[b]), why)
            for (a, b), why in chosen
            if a in rows and b in rows
        ]

    def _close_names(self, limit: int) -> list[tuple[int, int]]:
        """Same folded last name and first names that differ by a typo or an accent."""
        by_last: dict[str, list[tuple[int, str]]] = {}
        for row in merge.name_rows(self._ctx.db, NAME_SCAN):
            by_last.setdefault(fold(row["last_name"]).strip(), []).append(
                (row["id"], fold(row["first_name"]).strip())
            )
        pairs: list[tuple[int, int]] = []
        for group in by_last.values():
            if len(group) < 2 or len(group) > 200:  # a very common surname is not evidence
                continue
            for i, (id_a, first_a) in enumerate(group):
                for id_b, first_b in group[i + 1 :]:
                    if (
                        first_a
                        and first_b
                        and (
                            first_a == first_b
                            or SequenceMatcher(None, first_a, first_b).ratio() >= CLOSE_NAME
                        )
                    ):
                        pairs.append((id_a, id_b))
                        if len(pairs) >= limit:
                            return pairs
        return pairs

    def merge(self, keep_id: int, other_id: int) -> MergeResult:
        """Fold `other` into `keep`: every visit, note (and registered table) moves; phones and
        e-mails are united; earliest created_at, latest last_seen_at; visits recounted."""
        require(self._ctx.actor, Permission.MERGE)
        if keep_id == other_id:
            raise UserError("Choose two different customers to merge.")
        ctx, db = self._ctx, self._ctx.db
        service = self._customers
        keep, other = service.get(keep_id), service.get(other_id)
        a, b = service.draft_of(keep), service.draft_of(other)
        phones = list(a.phones)
        known = {p.e164 or p.raw for p in keep.phones}
        for p in other.phones:
            if (p.e164 or p.raw) not in known:
                phones.append((p.label, p.raw))
                known.add(p.e164 or p.raw)
        if (keep.marketing_consent_at or "") >= (other.marketing_consent_at or ""):
            consent = keep.marketing_consent
        else:
            consent = other.marketing_consent
        # Every address of both, the kept customer's primary first (or the other's, if none).
        addresses = [(e.label, e.address) for e in (*keep.emails, *other.emails)]
        if not addresses and (keep.email or other.email):  # rows from before the emails table
            addresses = [("other", a) for a in (keep.email, other.email) if a]
        unique: list[tuple[str, str]] = []
        for label, address in addresses:
            if address.casefold() not in {a.casefold() for _l, a in unique}:
                unique.append((label, address))
        merged = CustomerDraft(
            **{
                f: getattr(a, f) or getattr(b, f)
                for f in (
                    "first_name",
                    "last_name",
                    "preferred_name",
                    "pronunciation",
                    "pronouns",
                    "birthday",
                    "company",
                    "address",
                )
            },
            marketing_consent=consent,
            phones=tuple(phones),
            email=unique[0][1] if unique else "",
            email_label=unique[0][0] if unique else "",
            other_emails=tuple(unique[1:]),
        )
        row, phone_rows, email_rows = service.validate_all(merged)
        now, actor = ctx.now_iso(), ctx.actor.id
        keep_row = store.get(db, keep_id)
        other_row = store.get(db, other_id)
        if keep_row is None or other_row is None:
            raise NotFound("One of these customers was removed meanwhile. Refresh and try again.")
        row.update(
            updated_at=now,
            updated_by=actor,
            created_at=min(keep_row["created_at"], other_row["created_at"]),
            last_seen_at=max(keep_row["last_seen_at"], other_row["last_seen_at"]),
            marketing_consent_at=keep.marketing_consent_at
            if consent == keep.marketing_consent
            else other.marketing_consent_at,
        )
        with atomic(db):
            moved = merge.reassign(db, other_id, keep_id)
            store.update(db, keep_id, row, phone_rows, email_rows)
            merge.recount(db, keep_id)
            merge.delete_customer(db, other_id)
            audit.record(
                db,
                at=now,
                staff_id=actor,
                action="merge",
                entity="customer",
                entity_id=keep_id,
                before={
                    "kept": _audit_view(keep_row, store.phones_full(db, [keep_id])[keep_id]),
                    "merged_id": other_id,
                    "merged": _audit_view(other_row, [{"raw": p.raw} for p in other.phones]),
                },
                after=_audit_view(row, phone_rows, email_rows) | {"moved": moved},
                source=ctx.source,
            )
        ctx.notify(Change("customer", (keep_id, other_id), keep_id))
        return MergeResult(keep_id, other_id, moved)
