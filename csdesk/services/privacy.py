"""A customer's privacy rights: see everything held about them, withdraw consent, be erased."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from csdesk import __version__
from csdesk.domain import Change
from csdesk.errors import NotFound, UserError
from csdesk.services.auth import Permission, require
from csdesk.store import audit, erase_traces
from csdesk.store import privacy as store
from csdesk.store import staff as staff_store
from csdesk.store.db import atomic
from csdesk.store.files import check_target, write_text

if TYPE_CHECKING:
    from csdesk.services.backup import BackupService
    from csdesk.services.context import Context
    from csdesk.services.drafts import DraftService

EXPORT_FORMAT = "csdesk-customer-export/1"
# Derived copies of the name and e-mail used for search; the export shows the originals.
_DERIVED = ("search_norm", "exact_keys", "email_norm")


@dataclass(frozen=True)
class ErasureResult:
    customer_id: int
    visits_anonymised: int
    notes_removed: int
    phones_removed: int
    emails_removed: int
    issues_anonymised: int
    followups_removed: int
    letters_removed: int
    audit_rows_redacted: int
    file_scrubbed: bool  # False: the file rewrite did not happen (scrub_problem says why)
    # "busy" (another program kept the WAL open), "no_space", "write_failed"; on a server
    # "tables_busy" (other counters kept tables busy: `csdesk check --repair` rewrites them)
    scrub_problem: str = ""
    drafts_removed: int = 0  # autosaved drafts of notes and visits about the customer
    copies: tuple[str, ...] = ()  # sentences naming the backups that still hold the customer
    queued_emails_removed: int = 0  # e-mail not yet sent: it will never go
    sent_emails_removed: int = 0  # the record of e-mail that was sent


class PrivacyService:
    def __init__(self, ctx: Context, *, drafts: DraftService, backups: BackupService) -> None:
        self._ctx = ctx
        self._drafts = drafts  # an erasure removes the customer's autosaved drafts too
        self._backups = backups  # and says which backups still hold the data

    # -- export --------------------------------------------------------------------------------
    def export(self, customer_id: int) -> dict[str, Any]:
        """Everything csdesk holds about one customer, as plain JSON-ready data. Audited."""
        require(self._ctx.actor, Permission.EXPORT)
        data = self._collect(customer_id)
        self._audit("export", customer_id, {"what": "customer data"})
        return data

    def export_to(self, customer_id: int, path: Path, *, overwrite: bool = False) -> Path:
        """Write the export as .json (machine-readable) or .html (a readable document)."""
        require(self._ctx.actor, Permission.EXPORT)
        check_target(path, overwrite=overwrite)  # a bad name is said before any work
        suffix = path.suffix.lower()
        if suffix not in (".json", ".html", ".htm"):
            raise UserError("Export to a file ending in .json or .html.")
        data = self._collect(customer_id)
        text = (
            json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            if suffix == ".json"
            else render_html(data)
        )
        write_text(path, text, overwrite=overwrite)
        # Audited once the file exists: a failed write exported nothing.
        self._audit("export", customer_id, {"what": "customer data", "file": path.name})
        return path

    def _collect(self, customer_id: int) -> dict[str, Any]:
        db = self._ctx.db
        row = store.customer_row(db, customer_id)
        if row is None:
            raise NotFound(f"No customer #{customer_id} (it may have been erased).")
        visits = store.visits(db, customer_id)
        notes = store.notes(db, customer_id)
        audit_rows = store.audit_rows(db, self._targets(customer_id, visits, notes, []))
        for entry in audit_rows:
            for key in ("before", "after"):
                entry[key] = None if entry[key] is None else json.loads(entry[key])
        return {
            "format": EXPORT_FORMAT,
            "exported_at": self._ctx.now_iso(),
            "exported_by": self._ctx.actor.name,
            "csdesk_version": __version__,
            "customer": {k: v for k, v in row.items() if k not in _DERIVED},
            "phones": store.phones(db, customer_id),
            "emails": store.emails(db, customer_id),
            "visits": visits,
            "notes": notes,
            # Every e-mail queued or sent to them (subject, both bodies, attachment's name, when,
            # by whom, to which address, and what became of it).
            "email_messages": store.outbox_rows(db, customer_id),
            "audit": audit_rows,
            # Staff ids above, by name, so the export reads without access to csdesk.
            "staff_names": {str(r["id"]): r["name"] for r in staff_store.all_staff(db)},
        }

    @staticmethod
    def _targets(
        customer_id: int,
        visits: list[dict[str, Any]],
        notes: list[dict[str, Any]],
        extra: list[tuple[str, int]],
    ) -> list[tuple[str, int]]:
        targets = {("customer", customer_id)}
        targets.update(("visit", v["id"]) for v in visits)
        targets.update(("note", n["id"]) for n in notes)
        targets.update(extra)
        return sorted(targets)

    # -- consent -------------------------------------------------------------------------------
    def set_marketing_consent(self, customer_id: int, consent: bool) -> str | None:
        """Record a yes or a withdrawal with today's date; returns the date (None if unchanged)."""
        require(self._ctx.actor, Permission.LOG)
        db = self._ctx.db
        row = store.customer_row(db, customer_id)
        if row is None:
            raise NotFound(f"No customer #{customer_id}.")
        if bool(row["marketing_consent"]) == consent:
            return None
        now = self._ctx.now_iso()
        with atomic(db):
            store.set_consent(db, customer_id, consent, now, self._ctx.actor.id)
            self._audit_in_tx(
                "consent",
                customer_id,
                {"marketing_consent": consent, "at": now},
                before={
                    "marketing_consent": bool(row["marketing_consent"]),
                    "at": row["marketing_consent_at"],
                },
            )
        self._ctx.notify(Change("customer", (customer_id,), customer_id))
        return now

    # -- erasure -------------------------------------------------------------------------------
    def erase(
        self, customer_id: int, progress: Callable[[int, int], bool] | None = None
    ) -> ErasureResult:
        """Remove a customer's personal data from the tables, the search index and the
        database's files.

        Visits stay as anonymous statistics (no customer, no free text). The erasure is audited
        with counts only. Backups made earlier still hold the data until they rotate away.
        The erase commits first; then the engine's leftovers of the old rows are rewritten
        (the file's free pages and WAL; on a server each touched table and its indexes, which
        can take minutes at a million customers): `progress(done, total)` reports that part,
        and returns False to leave the rest for later (the result then says 'busy').
        """
        require(self._ctx.actor, Permission.ERASE)
        db = self._ctx.db
        row = store.customer_row(db, customer_id)
        if row is None:
            raise NotFound(f"No customer #{customer_id} (it may already be erased).")
        visits = store.visits(db, customer_id)
        notes = store.notes(db, customer_id)
        phones = store.phones(db, customer_id)
        addresses = [e["address"] for e in store.emails(db, customer_id)] or [row["email"]]
        needles = [*addresses, *(p["raw"] for p in phones), *(p["e164"] or "" for p in phones)]
        now = self._ctx.now_iso()
        with atomic(db):
            mentioned = audit.entities_mentioning(db, [n for n in needles if len(n) >= 5])
            mentioned += store.related_ids(db, customer_id)
            erased = store.erase(
                db, customer_id, now, self._targets(customer_id, visits, notes, mentioned)
            )
            self._audit_in_tx("erase", customer_id, erased.counts)
        problem = erase_traces.scrub(db, erased.tables, progress)
        drafts = self._drafts.discard_customer(customer_id)
        copies = tuple(self._backups.copies_holding_data())
        self._ctx.notify(Change("customer", (customer_id,), customer_id, extra={"erased": True}))
        return ErasureResult(
            customer_id=customer_id, file_scrubbed=not problem, scrub_problem=problem,
            drafts_removed=drafts, copies=copies, **erased.counts,
        )

    # -- helpers -------------------------------------------------------------------------------
    def _audit(self, action: str, customer_id: int, after: dict[str, Any]) -> None:
        with atomic(self._ctx.db):
            self._audit_in_tx(action, customer_id, after)

    def _audit_in_tx(
        self, action: str, customer_id: int, after: dict[str, Any], *, before: Any = None
    ) -> None:
        audit.record(
            self._ctx.db,
            at=self._ctx.now_iso(),
            staff_id=self._ctx.actor.id,
            action=action,
            entity="customer",
            entity_id=customer_id,
            before=before,
            after=after,
            source=self._ctx.source,
        )


_HTML = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>What we hold about customer #{{ d.customer.id }}</title>
<style>
body { font-family: sans-serif; max-width: 50em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
</style></head><body>
<h1>What we hold about you</h1>
<p>Customer #{{ d.customer.id }}, exported {{ d.exported_at }} by {{ d.exported_by }}.</p>
<h2>Your details</h2>
<table>{% for key, value in d.customer.items() %}
<tr><th>{{ key | replace('_', ' ') }}</th><td>
{%- if value is none %}{% elif key == 'marketing_consent' %}{{ 'yes' if value else 'no' }}
{%- elif key.endswith('_by') %}{{ d.staff_names.get(value | string, value) }}
{%- else %}{{ value }}{% endif %}</td></tr>
{% endfor %}</table>
<h2>Phone numbers</h2>
{% if d.phones %}<table><tr><th>label</th><th>number</th></tr>{% for p in d.phones %}
<tr><td>{{ p.label }}</td><td>{{ p.raw }}</td></tr>{% endfor %}</table>
{% else %}<p>None.</p>{% endif %}
<h2>E-mail addresses</h2>
{% if d.emails %}<table><tr><th>label</th><th>address</th></tr>{% for e in d.emails %}
<tr><td>{{ e.label }}</td><td>{{ e.address }}</td></tr>{% endfor %}</table>
{% else %}<p>None.</p>{% endif %}
<h2>Visits and contacts ({{ d.visits | length }})</h2>
{% if d.visits %}<table><tr><th>when</th><th>how</th><th>purpose</th><th>outcome</th></tr>
{% for v in d.visits %}<tr><td>{{ v.at }}</td><td>{{ v.channel }}</td><td>{{ v.purpose }}</td>
<td>{{ v.outcome }}</td></tr>{% endfor %}</table>{% else %}<p>None.</p>{% endif %}
<h2>Notes ({{ d.notes | length }})</h2>
{% if d.notes %}<table><tr><th>written</th><th>kind</th><th>note</th></tr>
{% for n in d.notes %}<tr><td>{{ n.created_at }}</td><td>{{ n.kind }}</td><td>{{ n.body }}</td></tr>
{% endfor %}</table>{% else %}<p>None.</p>{% endif %}
<h2>E-mail to you ({{ d.email_messages | length }})</h2>
{% if d.email_messages %}<table><tr><th>queued</th><th>sent</th><th>to</th><th>subject</th>
<th>attachment</th><th>state</th></tr>
{% for m in d.email_messages %}<tr><td>{{ m.created_at }}</td><td>{{ m.sent_at or '' }}</td>
<td>{{ m.to_address }}</td><td>{{ m.subject }}</td><td>{{ m.attachment_name }}</td>
<td>{{ m.state }}</td></tr>{% endfor %}</table>
{% else %}<p>None.</p>{% endif %}
<h2>Record of changes ({{ d.audit | length }})</h2>
{% if d.audit %}<table><tr><th>when</th><th>what</th><th>details</th></tr>
{% for a in d.audit %}<tr><td>{{ a.at }}</td><td>{{ a.action }} {{ a.entity }}</td>
<td>{{ a.after | tojson if a.after is not none else '' }}</td></tr>{% endfor %}</table>
{% else %}<p>None.</p>{% endif %}
</body></html>
"""
)


def render_html(data: dict[str, Any]) -> str:
    return _HTML.render(d=data)
