"""The shop's settings: one typed registry (services.setting_registry) and one audited setter
that every face uses.

`csdesk settings`, the Settings dialog, Letters ▸ Page setup and the services that apply a
setting (letters, issues, sign-in) all go through here, so what is shown is what is enforced.
Admins change settings; every change is one transaction with one audit row holding before and
after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change
from csdesk.errors import UserError
from csdesk.services import setting_kinds as kind
from csdesk.services.auth import Permission, require
from csdesk.services.setting_registry import (
    BY_KEY,
    MARGIN_MAX,
    MARGIN_MIN,
    MISSING,
    PAGE_SIZES,
    SETTINGS,
    ShopSetting,
    known,
    read,
)
from csdesk.store import audit
from csdesk.store import settings as settings_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context

__all__ = [
    "BY_KEY", "MARGIN_MAX", "MARGIN_MIN", "PAGE_SIZES", "SETTINGS", "ShopSetting", "ShopSettings",
    "known", "read",
]  # fmt: skip


class ShopSettings:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def get(self, key: str) -> Any:
        return read(self._ctx.setting, key)

    def values(self) -> dict[str, str]:
        """Every setting as it is shown (`csdesk settings`), defaults included."""
        return {s.key: s.show(self.get(s.key)) for s in SETTINGS}

    def clean(self, key: str, value: object) -> Any:
        """The value as it would be stored, or a UserError naming the setting."""
        setting = known(key)
        if isinstance(value, str) and setting.check is not kind.logo:
            value = value.replace("\\n", "\n")
        try:
            return setting.check(value)
        except UserError as exc:
            raise UserError(f"{setting.label}: {exc.message}", field=key) from None

    def set(self, key: str, value: object) -> Any:
        """Check and store one setting; returns the value as stored."""
        return self.set_many({key: value})[key]

    def set_many(self, values: Mapping[str, object]) -> dict[str, Any]:
        """The one audited setter: check every value first (one refusal changes nothing), then
        store those that differ in one transaction with one audit row. Admins only."""
        require(self._ctx.actor, Permission.MANAGE_SETTINGS)
        cleaned = {key: self.clean(key, value) for key, value in values.items()}
        db = self._ctx.db
        stored = {key: settings_store.get(db, key, MISSING) for key in cleaned}
        # Unchanged values are not written again; nor is a fixed default never stored (a default
        # that follows the country is stored, so choosing it keeps it when the country changes).
        changed = {
            k: v
            for k, v in cleaned.items()
            if (stored[k] is MISSING
            and (callable(BY_KEY[k].default) or self.get(k) != v))
            or (stored[k] is not MISSING
            and stored[k] != v)
        }
        before = {k: None if stored[k] is MISSING else stored[k] for k in cleaned}
        if changed:
            with atomic(db):
                for key, value in changed.items():
                    settings_store.put(db, key, value)
                audit.record(
                    db,
                    at=self._ctx.now_iso(),
                    staff_id=self._ctx.actor.id,
                    action="update",
                    entity="setting",
                    entity_id=None,
                    before={k: before[k] for k in changed},
                    after=changed,
                    source=self._ctx.source,
                )
            for key in changed:
                self._ctx.notify(Change("settings", extra={"key": key}))
        return cleaned
