"""Writing one batch of an import plan in one transaction (ImportService's apply, resume and
import_file): the new customers set-wise, the updates one by one with their before-snapshots."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

from csdesk.services.customers import _audit_view
from csdesk.services.importing.items import PlanItem
from csdesk.store import audit, bulk
from csdesk.store import customers as store
from csdesk.store import imports as log
from csdesk.store import notes as notes_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context

_COLUMNS = [c.strip() for c in bulk.CUSTOMER_COLUMNS.split(",")]
_row_values = itemgetter(*_COLUMNS)  # dict -> tuple in bulk.CUSTOMER_COLUMNS order
_DEFAULTS: dict[str, Any] = {c: "" for c in _COLUMNS} | {"last_visit_at": None, "visit_count": 0}


def write_chunk(ctx: Context, batch_id: int, chunk: list[PlanItem]) -> tuple[int, int]:
    """Write one batch of a plan's items in one transaction: (created, updated). Sets the new
    customers' ids on their items; an update whose customer is gone meanwhile becomes a skip."""
    db = ctx.db
    now, actor, source = ctx.now_iso(), ctx.actor.id, ctx.source
    rows: list[tuple[Any, ...]] = []
    phones: list[tuple[Any, ...]] = []
    emails: list[tuple[Any, ...]] = []
    notes: list[tuple[Any, ...]] = []
    audits: list[tuple[Any, ...]] = []
    items: list[tuple[int, str, Any]] = []
    updated = 0
    with atomic(db):
        # Ids for this chunk's new customers (on a server from the identity: the counters
        # adding customers while the import runs get others, never these).
        new_ids = iter(
            bulk.new_customer_ids(db, sum(1 for item in chunk if item.action == "create"))
        )
        for item in chunk:
            if item.action == "create":
                cid = next(new_ids)
                row, item_phones, item_emails = item.row, item.phones, item.emails
                consent_at = now if row["marketing_consent"] else None
                rows.append(
                    _row_values(
                        {
                            **_DEFAULTS,
                            **row,
                            "id": cid,
                            "last_seen_at": now,
                            "created_at": now,
                            "updated_at": now,
                            "created_by": actor,
                            "updated_by": actor,
                            "marketing_consent_at": consent_at,
                        }
                    )
                )
                phones.extend(
                    (cid, pos, p["label"], p["raw"], p["e164"], p["digits_rev"], p["national"])
                    for pos, p in enumerate(item_phones)
                )
                emails.extend(
                    (cid, pos, e["label"], e["address"], e["email_norm"])
                    for pos, e in enumerate(item_emails)
                )
                if item.note:
                    notes.append((cid, item.note, "remember", 0, 0, None, now, actor))
                audits.append(
                    (
                        now,
                        actor,
                        "create",
                        "customer",
                        cid,
                        None,
                        _audit_view(row, item_phones, item_emails),
                        source,
                    )
                )
                items.append((cid, "create", None))
                item.customer_id = cid
            elif item.action == "update" and _update_one(ctx, item, now, actor, audits, items):
                updated += 1
        # After the updates above (they keep their triggers): only new rows are fed set-wise.
        with bulk.fts_after_inserts(db, ("customers", "customer_phones", "notes")):
            bulk.insert_customers(db, rows, emails)
            bulk.insert_phones(db, phones)
            bulk.insert_notes(db, notes)
        audit.record_many(db, audits)
        log.add_items(db, batch_id, items)
        log.add_counts(
            db,
            batch_id,
            created=len(rows),
            updated=updated,
            skipped=len(chunk) - len(rows) - updated,
            at=now,
        )
    return len(rows), updated

def _update_one(
    ctx: Context, item: PlanItem, now: str, actor: int, audits: list[Any], items: list[Any]
) -> bool:
    db = ctx.db
    cid = int(item.customer_id or 0)
    before = store.get(db, cid)
    if before is None:  # deleted or merged away since the preview
        item.action, item.reason = "skip", f"customer #{cid} no longer exists"
        return False
    before_phones = store.phones_full(db, [cid])[cid]
    before_emails = store.emails_full(db, [cid])[cid]
    row = dict(item.row, updated_at=now, updated_by=actor)
    item_phones, item_emails = item.phones, item.emails
    if bool(row["marketing_consent"]) != bool(before["marketing_consent"]):
        row["marketing_consent_at"] = now
    store.update(db, cid, row, item_phones, item_emails)
    audits.append(
        (
            now,
            actor,
            "update",
            "customer",
            cid,
            _audit_view(before, before_phones, before_emails),
            _audit_view(row, item_phones, item_emails),
            ctx.source,
        )
    )
    items.append(
        (cid, "update", {"row": before, "phones": before_phones, "emails": before_emails})
    )
    if item.note:
        note_id = notes_store.insert(
            db,
            {
                "customer_id": cid,
                "body": item.note,
                "kind": "remember",
                "created_at": now,
                "created_by": actor,
            },
        )
        items.append((cid, "note", {"note_id": note_id}))
    return True
