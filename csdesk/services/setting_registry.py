"""The shop's settings, typed: one registry of what may be set, its kind and its default, and
`read`, the one way a setting's value in force is read. (The audited setter is
services.shop_settings; this module needs no services, so any service may read settings.)

Together with services.shop_settings: one typed registry and one audited setter that every
face uses.

`csdesk settings`, the Settings dialog, Letters ▸ Page setup and the services that apply a
setting (letters, issues, sign-in) all go through here, so what is shown is what is enforced.
Each setting has a kind (services.setting_kinds: how typed text is read, how a value from code is
checked, how it is shown) and a default; some defaults follow the shop's country. Admins change
settings; every change is one transaction with one audit row holding before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from csdesk.errors import NameNotFound, UserError
from csdesk.services import setting_kinds as kind
from csdesk.services.issue_rules import DEFAULT_GOODWILL_LIMITS, DEFAULT_TARGET_HOURS

Reader = Callable[[str, object], object]  # desk.setting / context.setting: stored value or default
MISSING: Any = object()  # "never stored", unlike a stored null (a goodwill limit set to unlimited)

PAGE_SIZES = ("A4", "Letter")
SMTP_SECURITY = ("starttls", "ssl", "none")
MARGIN_MIN, MARGIN_MAX = 5.0, 50.0  # millimetres; outside this printers clip or letters shrink
_MDY_REGIONS = ("US", "CA", "PH")  # where letters write "December 2, 2026"
_LETTER_PAPER_REGIONS = ("US", "CA", "MX", "PH")


def _region_of(read: Reader) -> str:
    return str(read("phone_region", "US") or "US")


def _date_style_default(read: Reader) -> str:
    return "mdy" if _region_of(read) in _MDY_REGIONS else "dmy"


def _page_size_default(read: Reader) -> str:
    return "Letter" if _region_of(read) in _LETTER_PAPER_REGIONS else "A4"


@dataclass(frozen=True)
class ShopSetting:
    key: str
    label: str
    default: object  # the value, or a function of the other settings (a country's paper size)
    check: kind.Check
    show: Callable[[object], str] = str

    def default_for(self, read: Reader) -> object:
        return self.default(read) if callable(self.default) else self.default


def _limit(role: str, label: str) -> ShopSetting:
    return ShopSetting(
        f"goodwill_limit_{role}",
        f"Goodwill {label} may give per issue (unlimited: no limit)",
        DEFAULT_GOODWILL_LIMITS[role],
        kind.money_limit,
        kind.show_money_limit,
    )


SETTINGS: tuple[ShopSetting, ...] = (
    ShopSetting("shop_name", "Shop name", "", kind.text(80)),
    ShopSetting("shop_address", "Address (one line per row, use \\n)", "", kind.text(300)),
    ShopSetting("shop_phone", "Phone", "", kind.text(40)),
    ShopSetting("shop_email", "E-mail", "", kind.text(120)),
    ShopSetting("shop_website", "Website", "", kind.text(120)),
    ShopSetting("shop_logo", "Logo image file (PNG, JPEG, GIF or SVG)", "", kind.logo),
    ShopSetting("phone_region", "Country for phone numbers typed without +", "US", kind.region),
    ShopSetting("timezone", "Time zone (empty: this computer's)", "", kind.timezone),
    ShopSetting("currency_symbol", "Currency symbol", "$", kind.text(5)),
    ShopSetting("date_style", "Dates in letters (dmy or mdy; default from the country)",
                _date_style_default, kind.choice("dmy", "mdy")),
    ShopSetting("letter_page_size", "Paper for letters (A4 or Letter; default from the country)",
                _page_size_default, kind.choice(*PAGE_SIZES)),
    ShopSetting("letter_margin_mm", "Letter margins in mm", 18.0,
                kind.decimal(MARGIN_MIN, MARGIN_MAX, f"margins are {MARGIN_MIN:g} to {MARGIN_MAX:g} mm"),
                lambda v: f"{float(v):g}"),  # type: ignore[arg-type]
    ShopSetting("idle_lock_minutes", "Lock the window after this many idle minutes (0: never)", 5,
                kind.whole_number(0, 240, "lock after 1 to 240 minutes, or 0 for never")),
    ShopSetting("sign_in_required", "Everyone signs in with their own PIN (yes or no)", True,
                kind.yes_no, lambda v: "yes" if v else "no"),
    _limit("staff", "staff"),
    _limit("lead", "a shift lead"),
    _limit("admin", "an admin"),
    ShopSetting("issue_targets_hours", "Hours to resolve an issue, by priority",
                dict(DEFAULT_TARGET_HOURS), kind.target_hours, kind.show_target_hours),
    ShopSetting("issue_business_days", "Working days for issue due times", [0, 1, 2, 3, 4],
                kind.business_days, kind.show_business_days),
    # The shop's own mail server (issue 18). No provider is built in: README "Sending e-mail".
    # The password is not a setting: it lives in the OS keychain (services/mail_secret.py).
    ShopSetting("smtp_host", "Mail server (SMTP) for sending e-mail", "", kind.host_name),
    ShopSetting("smtp_port", "Mail server port (0: 587 for starttls, 465 for ssl, 25 for none)", 0,
                kind.whole_number(0, 65535, "a port is 1 to 65535, or 0 for the usual one")),
    ShopSetting("smtp_security", "Mail server security (starttls, ssl, or none: this computer only)",
                "starttls", kind.choice(*SMTP_SECURITY)),
    ShopSetting("smtp_user", "Mail server user name (often the address)", "", kind.text(200)),
    ShopSetting("mail_from_name", "E-mail sender name (empty: the shop name)", "", kind.text(120)),
    ShopSetting("mail_from_address", "E-mail sender address", "", kind.email_address),
    ShopSetting("mail_reply_to", "Replies go to (empty: the sender address)", "", kind.email_address),
)  # fmt: skip
BY_KEY = {s.key: s for s in SETTINGS}


def known(key: str) -> ShopSetting:
    setting = BY_KEY.get(key)
    if setting is None:
        raise NameNotFound(f"There is no setting “{key}”. Known: {', '.join(BY_KEY)}.")
    return setting


def read(reader: Reader, key: str) -> Any:
    """The value in force: what is stored, else the default. A stored value that no longer
    passes its check (an older csdesk wrote it, or a file was edited) counts as not set."""
    setting = known(key)
    stored = reader(key, MISSING)
    if stored is MISSING or (stored == "" and callable(setting.default)):
        return setting.default_for(reader)
    try:
        return setting.check(stored)
    except UserError:
        return setting.default_for(reader)


