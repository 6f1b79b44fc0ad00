"""The shop's own settings a person edits: name and address on letters, time zone, currency...

One list of what may be set and how each value is checked, so the settings dialog and
`csdesk settings` agree. Admins only; every change is audited with before and after.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from csdesk.domain import Change
from csdesk.errors import UserError
from csdesk.services.auth import Permission, require
from csdesk.store import audit
from csdesk.store import settings as settings_store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context


def _text(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        # Runs of spaces folded, line breaks kept (an address has several lines).
        clean = "\n".join(" ".join(line.split()) for line in value.strip().splitlines())
        if len(clean) > limit:
            raise UserError(f"Keep it under {limit} characters.")
        return clean

    return check


def _timezone(value: str) -> str:
    clean = value.strip()
    if clean and clean not in zoneinfo.available_timezones():
        raise UserError(f"“{clean}” is not a time zone name. Use one like Europe/Berlin or America/New_York.")
    return clean


def _choice(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        clean = value.strip()
        if clean not in allowed:
            raise UserError(f"Choose one of: {', '.join(allowed)}.")
        return clean

    return check


def _region(value: str) -> str:
    import phonenumbers

    clean = value.strip().upper()
    if clean not in phonenumbers.SUPPORTED_REGIONS:
        raise UserError(f"“{value.strip()}” is not a country code. Use two letters, like US, GB or DE.")
    return clean


@dataclass(frozen=True)
class ShopSetting:
    key: str
    label: str
    default: str
    check: Callable[[str], str]


SETTINGS: tuple[ShopSetting, ...] = (
    ShopSetting("shop_name", "Shop name", "", _text(80)),
    ShopSetting("shop_address", "Address (one line per row, use \\n)", "", _text(300)),
    ShopSetting("shop_phone", "Phone", "", _text(40)),
    ShopSetting("shop_email", "E-mail", "", _text(120)),
    ShopSetting("shop_website", "Website", "", _text(120)),
    ShopSetting("shop_logo", "Logo image file", "", _text(500)),
    ShopSetting("phone_region", "Country for phone numbers typed without +", "US", _region),
    ShopSetting("timezone", "Time zone (empty: this computer's)", "", _timezone),
    ShopSetting("currency_symbol", "Currency symbol", "$", _text(5)),
    ShopSetting("date_style", "Dates in letters", "dmy", _choice("dmy", "mdy")),
)
BY_KEY = {s.key: s for s in SETTINGS}


class ShopSettings:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def values(self) -> dict[str, str]:
        return {s.key: str(self._ctx.setting(s.key, s.default) or "") for s in SETTINGS}

    def clean(self, key: str, value: str) -> str:
        """The value as it would be stored, or a UserError naming the setting."""
        setting = BY_KEY.get(key)
        if setting is None:
            raise UserError(f"There is no setting “{key}”. Known: {', '.join(BY_KEY)}.")
        try:
            return setting.check(value.replace("\\n", "\n"))
        except UserError as exc:
            raise UserError(f"{setting.label}: {exc.message}", field=key) from None

    def set(self, key: str, value: str) -> str:
        """Check and store one setting; returns the value as stored."""
        clean = self.clean(key, value)
        require(self._ctx.actor, Permission.MANAGE_SETTINGS)
        setting = BY_KEY[key]
        before = self._ctx.setting(key, setting.default)
        now = self._ctx.now_iso()
        with atomic(self._ctx.db):
            settings_store.put(self._ctx.db, key, clean)
            audit.record(
                self._ctx.db,
                at=now,
                staff_id=self._ctx.actor.id,
                action="update",
                entity="setting",
                entity_id=None,
                before={key: before},
                after={key: clean},
                source=self._ctx.source,
            )
        self._ctx.notify(Change("settings", extra={"key": key}))
        return clean
