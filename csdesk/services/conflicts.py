"""Nobody overwrites anybody: the one way a service says "someone saved this after you read it".

Every record two people can edit carries a `version`, bumped by each save; a save names the version
it was read at, and the store's `UPDATE ... WHERE id = ? AND version = ?` changes nothing when it
is stale. The service then raises `refused(...)`: a Conflict that says who changed it, when, at which
computer and what, read from the audit log (the save they made recorded its before and after).
Appends (visits, notes, audit rows) never conflict: only edits of what is already there do.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from csdesk.domain import parse_iso
from csdesk.errors import Conflict
from csdesk.services import dates
from csdesk.store import audit as audit_store
from csdesk.store.rows import Row

if TYPE_CHECKING:
    from csdesk.services.context import Context

# Bookkeeping columns a person never typed: not "what changed".
_QUIET = frozenset({"updated_at", "updated_by", "search_norm", "exact_keys", "email_norm",
                    "body_norm", "version", "marketing_consent_at"})
_LABELS = {"first_name": "first name", "last_name": "last name", "preferred_name": "preferred name",
           "marketing_consent": "marketing consent", "other_emails": "other e-mails",
           "email": "e-mail", "read_before_serving": "read-before-serving",
           "expires_on": "expiry", "duration_s": "duration", "body": "text"}


def _loads(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def what_changed(before: Any, after: Any) -> list[str]:
    """The fields a save changed, in words ("first name", "phones"), from its audit row."""
    if not isinstance(after, dict):
        return []
    old = before if isinstance(before, dict) else {}
    return [
        _LABELS.get(key, key.replace("_", " "))
        for key, value in after.items()
        if key not in _QUIET and old.get(key) != value
    ]


KEEP_YOURS = (
    "Nothing of yours was saved and what you typed is still here: save again to keep yours over "
    "theirs, or cancel to keep theirs."
)


def refused(
    ctx: Context, entity: str, entity_id: int, *, what: str, then: str = KEEP_YOURS
) -> Conflict:
    """The Conflict for a stale save of `entity` #entity_id ("Maria's details", "this note").
    `then`: what the person can do now (the face that offers Reload says so)."""
    return refused_by(ctx, audit_store.last_for(ctx.db, entity, entity_id), what=what, then=then)


def refused_by(ctx: Context, last: Row | None, *, what: str, then: str = KEEP_YOURS) -> Conflict:
    """The Conflict naming the save in audit row `last` (None: nobody known)."""
    who, when, where, changed = "Someone else", "", "", []
    if last is not None:
        who = last["staff_name"] or who
        local = parse_iso(last["at"]).astimezone(
            dates.zone(str(ctx.setting("timezone", "") or ""))
        )
        when = local.strftime("%H:%M")
        where = last.get("computer") or ""
        changed = what_changed(_loads(last["before"]), _loads(last["after"]))
        if not changed and last["action"] not in ("create", "update"):
            changed = [str(last["action"]).replace("_", " ")]  # "set pin", "complete"
    said = f"{who} changed {what}"
    if when:
        said += f" at {when}"
    if where:
        said += f" (at {where})"
    if changed:
        said += ": " + ", ".join(changed[:6])
    return Conflict(
        f"{said}, after you opened it. {then}",
        who=who,
        at=last["at"] if last is not None else None,
        computer=where,
        changed=tuple(changed),
        said=said,
    )
