"""The shop's settings: one typed registry (services.setting_registry) and one audited setter
that every face uses.

`csdesk settings`, the Settings dialog, Letters ▸ Page setup and the services that apply a
setting (letters, issues, sign-in) all go through here, so what is shown is what is enforced.
Admins change settings; every change is one transaction with one audit row holding before and
after.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from csdesk.domain import Change
from csdesk.errors import UserError
from csdesk.services import setting_kinds as kind
from csdesk.services.auth import Permission, require
from csdesk.services.conflicts import refused_by
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

    def versions(self, keys: Iterable[str] | None = None) -> dict[str, int]:
        """The version of each setting as it is read now (0: never stored). An editor keeps
        these and hands them back to set_many, so someone else's save since is not overwritten."""
        return settings_store.versions(self._ctx.db, keys or BY_KEY)

    def set_many(
        self, values: Mapping[str, object], *, versions: Mapping[str, int] | None = None
    ) -> dict[str, Any]:
        """The one audited setter: check every value first (one refusal changes nothing), then
        store those that differ in one transaction with one audit row. Admins only.

        `versions` (from versions(), read when the editor opened): a setting saved by someone
        else since, to a value other than this one, raises Conflict saying who, when and which
        settings, and nothing is stored. Saving again with the versions now read keeps these."""
        require(self._ctx.actor, Permission.MANAGE_SETTINGS)
        cleaned = {key: self.clean(key, value) for key, value in values.items()}
        if "smtp_security" in cleaned or "smtp_host" in cleaned:
            # Two settings, one rule: refused here, not only at the first send (README: none is
            # for a mail server on this computer).
            from csdesk.services.mail_transport import check_security

            check_security(str(cleaned.get("smtp_host", self.get("smtp_host"))),
                           str(cleaned.get("smtp_security", self.get("smtp_security"))))
        db = self._ctx.db
        if versions is None:
            changed = self._store(cleaned)
        else:
            with atomic(db):  # the versions and the values read together, under the write lock
                self._check_versions(cleaned, versions)
                changed = self._store(cleaned)
        for key in changed:
            self._ctx.notify(Change("settings", extra={"key": key}))
        return cleaned

    def _check_versions(self, cleaned: Mapping[str, Any], versions: Mapping[str, int]) -> None:
        now = settings_store.versions(self._ctx.db, cleaned)
        stale = [
            key for key in cleaned
            if key in versions and now[key] != versions[key] and self.get(key) != cleaned[key]
        ]  # fmt: skip
        if stale:
            last = audit.last_setting_change(self._ctx.db, stale)
            raise refused_by(self._ctx, last, what="the settings")  # which: from their save

    def _store(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """Write what differs (one transaction, one audit row); returns what was written."""
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
        return changed
