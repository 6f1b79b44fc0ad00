"""Staff accounts, PINs, sign-in with backoff, and the one place that says who may do what."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from csdesk.domain import Change, Role, Staff
from csdesk.errors import Conflict, NotFound, PermissionDenied, UserError
from csdesk.services.clock import iso, parse
from csdesk.services.conflicts import refused
from csdesk.services.setting_registry import read as read_setting
from csdesk.services.text import clean_line
from csdesk.store import audit
from csdesk.store import staff as store
from csdesk.store.db import atomic
from csdesk.store.rows import Row

if TYPE_CHECKING:
    from csdesk.services.context import Context

# scrypt at N=2^14, r=8 costs 16 MiB and ~0.1 s per try: cheap for one sign-in, slow for a guesser
# holding a copy of the file. The parameters travel with each hash so they can be raised later.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_PIN = re.compile(r"[0-9]{4,8}")  # not \d: that also accepts Arabic-Indic and other digits

FRONT_DESK = store.DEFAULT_NAME  # who acts when nobody signed in (shops without sign-in)
CLI_ACTOR = "Command line"  # the actor of administrative commands (audited with source 'cli')
IDLE_LOCK_KEY = "idle_lock_minutes"
SIGN_IN_KEY = "sign_in_required"
FREE_TRIES = 3  # wrong PINs before any waiting starts (typos happen)
MAX_DELAY_S = 15 * 60


class Permission(enum.StrEnum):
    VIEW = "view"
    LOG = "log"
    EXPORT = "export"
    CORRECT_OTHERS = "correct_others"
    IMPORT = "import"
    MERGE = "merge"
    APPROVE_GOODWILL = "approve_goodwill"
    VIEW_AUDIT = "view_audit"
    BACKUP = "backup"
    MANAGE_STAFF = "manage_staff"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_TEMPLATES = "manage_templates"
    RESTORE = "restore"
    ERASE = "erase"
    WRITE_HANDOVER = "write_handover"
    VIEW_TEAM_INSIGHTS = "view_team_insights"


_STAFF = frozenset({Permission.VIEW, Permission.LOG})
_LEAD = _STAFF | {
    Permission.EXPORT,
    Permission.CORRECT_OTHERS,
    Permission.IMPORT,
    Permission.MERGE,
    Permission.APPROVE_GOODWILL,
    Permission.VIEW_AUDIT,
    Permission.BACKUP,
    Permission.WRITE_HANDOVER,
    Permission.VIEW_TEAM_INSIGHTS,
}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.STAFF: _STAFF,
    Role.LEAD: frozenset(_LEAD),
    Role.ADMIN: frozenset(Permission),
}

# Finishes the sentence "… cannot {what}".
_WHAT = {
    Permission.VIEW: "look up customers",
    Permission.LOG: "log visits or notes",
    Permission.EXPORT: "export customer data",
    Permission.CORRECT_OTHERS: "correct entries made by someone else",
    Permission.IMPORT: "import customers or undo an import",
    Permission.MERGE: "merge duplicate customers",
    Permission.APPROVE_GOODWILL: "approve goodwill",
    Permission.VIEW_AUDIT: "view the audit log",
    Permission.BACKUP: "make backups",
    Permission.MANAGE_STAFF: "manage staff accounts",
    Permission.MANAGE_SETTINGS: "change settings",
    Permission.MANAGE_TEMPLATES: "change letter templates",
    Permission.RESTORE: "restore a backup",
    Permission.ERASE: "erase a customer",
    Permission.WRITE_HANDOVER: "write the handover note",
    Permission.VIEW_TEAM_INSIGHTS: "see other staff members' figures",
}
ROLE_LABELS = {Role.STAFF: "staff", Role.LEAD: "a shift lead", Role.ADMIN: "an admin"}


def allowed(actor: Staff, permission: Permission) -> bool:
    return actor.active and permission in GRANTS[actor.role]


def require(actor: Staff, permission: Permission) -> None:
    """Raise PermissionDenied saying why; call it before anything is written."""
    if not actor.active:
        raise PermissionDenied(f"{actor.name}'s account is deactivated. Ask an admin.")
    if permission not in GRANTS[actor.role]:
        who = "an admin" if permission not in _LEAD else "a shift lead or an admin"
        raise PermissionDenied(
            f"{actor.name} is {ROLE_LABELS[actor.role]} and cannot {_WHAT[permission]}. Ask {who}."
        )


def require_correction(actor: Staff, author_id: int | None) -> None:
    """Anyone corrects their own entries; someone else's (or an entry nobody signed) needs
    CORRECT_OTHERS. The one rule for every edit, delete and undo of a visit or a note."""
    require(actor, Permission.LOG)
    if author_id is None or author_id != actor.id:
        require(actor, Permission.CORRECT_OTHERS)


# -- PIN hashing -----------------------------------------------------------------------------------
def check_pin_format(pin: str) -> None:
    if not _PIN.fullmatch(pin):
        raise UserError("A PIN is 4 to 8 digits (0-9).", field="pin")


def hash_pin(pin: str) -> str:
    check_pin_format(pin)
    salt = os.urandom(16)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(
        ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_pin(pin: str, stored: str | None) -> bool:
    """Constant-time comparison; a malformed stored value never verifies."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(pin, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * r * (n + p + 2)
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def backoff_seconds(failures: int) -> int:
    """Wait after `failures` wrong PINs in a row: 0, 0, 5, 10, 20, ... at most 15 minutes."""
    if failures < FREE_TRIES:
        return 0
    return int(min(5 * 2 ** (failures - FREE_TRIES), MAX_DELAY_S))


@dataclass(frozen=True)
class StaffEntry:
    id: int
    name: str
    role: Role
    active: bool
    has_pin: bool
    version: int = 1  # a change made on it names this: someone else's change since is refused


class SignInDelayed(UserError):
    """Too many wrong PINs: the UI shows a countdown from `seconds`."""

    def __init__(self, name: str, seconds: int) -> None:
        super().__init__(
            f"Too many wrong PINs for {name}. Try again in {_duration(seconds)}.", field="pin"
        )
        self.seconds = seconds


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class ShopDetails(Protocol):
    """What AuthService uses of services.shop_settings.ShopSettings. Named by shape, not imported:
    shop_settings takes its permission rules from this module, and imports point one way."""

    def clean(self, key: str, value: object) -> Any: ...

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: object) -> Any: ...


class AuthService:
    def __init__(self, ctx: Context, *, shop: ShopDetails) -> None:
        self._ctx = ctx
        self._shop = shop

    # -- setup and staff management -----------------------------------------------------------
    def needs_setup(self) -> bool:
        """True until an active admin with a PIN exists: the first run asks for one."""
        return store.count_admins_with_pin(self._ctx.db) == 0

    def setup_admin(self, name: str, pin: str) -> Staff:
        """First run: create the admin and sign them in. Refused once an admin exists."""
        if not self.needs_setup():
            raise PermissionDenied("csdesk already has an admin. Ask them to add your account.")
        staff = self._create(name, Role.ADMIN, pin, action="setup")
        self._ctx.actor = staff
        return staff

    def add_staff(self, name: str, role: Role | str, pin: str) -> Staff:
        require(self._ctx.actor, Permission.MANAGE_STAFF)
        return self._create(name, Role(role), pin, action="create")

    def _create(self, name: str, role: Role, pin: str, *, action: str) -> Staff:
        name = " ".join(clean_line(name).split())  # no controls or bidi overrides
        if not 1 <= len(name) <= 60:
            raise UserError("Give the staff member a name of 1 to 60 characters.", field="name")
        if name.casefold() == CLI_ACTOR.casefold():
            raise UserError(f"“{CLI_ACTOR}” is reserved for the command line.", field="name")
        pin_hash = hash_pin(pin)  # validates the PIN before anything is written
        db = self._ctx.db
        existing = store.by_name(db, name)
        if existing is not None and not existing["active"]:
            raise UserError(
                f"{existing['name']} is deactivated. Reactivate them instead "
                f"(`csdesk staff reactivate \"{existing['name']}\"`, or Staff accounts ▸ Reactivate).",
                field="name",
            )
        if existing is not None:
            raise UserError(f"There is already a staff member called “{name}”.", field="name")
        now = self._ctx.now_iso()
        with atomic(db):
            staff_id = store.insert(db, name, role.value, now, pin_hash)
            self._audit(action, staff_id, after={"name": name, "role": role.value})
        self._ctx.notify(Change("staff", (staff_id,)))
        return Staff(id=staff_id, name=name, role=role, active=True)

    def deactivate(self, name: str, *, version: int | None = None) -> Staff:
        """`version`: the one the caller read (StaffEntry.version); a change by someone else
        since raises Conflict saying who, when and what, and changes nothing."""
        require(self._ctx.actor, Permission.MANAGE_STAFF)
        row = self._row(name)
        db = self._ctx.db
        self._check_version(row, version)
        if row["role"] == "admin" and store.count_admins_with_pin(db, exclude_id=row["id"]) == 0:
            raise UserError(
                f"{row['name']} is the last admin. Add another admin before deactivating them."
            )
        if not row["active"]:
            raise UserError(f"{row['name']} is already deactivated.")
        with atomic(db):
            if not store.set_active(db, row["id"], False, self._ctx.now_iso(), version=version):
                raise self._refused(row)
            self._audit("deactivate", row["id"], before={"active": True}, after={"active": False})
        self._ctx.notify(Change("staff", (row["id"],)))
        return Staff(id=row["id"], name=row["name"], role=Role(row["role"]), active=False)

    def reactivate(self, name: str, *, version: int | None = None) -> Staff:
        """Give a deactivated member their account back: same role, same PIN, same history."""
        require(self._ctx.actor, Permission.MANAGE_STAFF)
        row = self._row(name)
        self._check_version(row, version)
        if row["active"]:
            raise UserError(f"{row['name']} is already active.")
        with atomic(self._ctx.db):
            if not store.set_active(
                self._ctx.db, row["id"], True, self._ctx.now_iso(), version=version
            ):
                raise self._refused(row)
            self._audit("reactivate", row["id"], before={"active": False}, after={"active": True})
        self._ctx.notify(Change("staff", (row["id"],)))
        return Staff(id=row["id"], name=row["name"], role=Role(row["role"]), active=True)

    def set_pin(self, name: str, pin: str, *, version: int | None = None) -> None:
        """Admins reset anyone's PIN; everyone may change their own. `version` as deactivate."""
        row = self._row(name)
        if row["id"] != self._ctx.actor.id:
            require(self._ctx.actor, Permission.MANAGE_STAFF)
        self._check_version(row, version)
        pin_hash = hash_pin(pin)
        with atomic(self._ctx.db):
            if not store.set_pin_hash(self._ctx.db, row["id"], pin_hash, version=version):
                raise self._refused(row)
            store.clear_failures(self._ctx.db, row["id"])
            self._audit("set_pin", row["id"])

    def list_staff(self) -> list[StaffEntry]:
        db = self._ctx.db
        return [
            StaffEntry(
                id=r["id"],
                name=r["name"],
                role=Role(r["role"]),
                active=bool(r["active"]),
                has_pin=store.pin_hash(db, r["id"]) is not None,
                version=int(r["version"]),
            )
            for r in store.all_staff(db)
            if r["name"] != CLI_ACTOR
        ]

    def front_desk_active(self) -> bool:
        """False when an admin deactivated the shared Front desk member: nobody works as it."""
        row = store.by_name(self._ctx.db, FRONT_DESK)
        return row is None or bool(row["active"])

    def has_pin(self, staff_id: int) -> bool:
        return store.pin_hash(self._ctx.db, staff_id) is not None

    def record_denial(self, what: str, reason: str, *, named: str | None = None) -> None:
        """A refused attempt is audited like a write: who tried (the actor, or whom the attempt
        named when it was refused before anyone was identified), what, and why. Its own
        transaction, since whatever was refused wrote nothing."""
        actor = self._ctx.actor
        identified = named is None or actor.name.casefold() == named.strip().casefold()
        with atomic(self._ctx.db):
            audit.record(
                self._ctx.db,
                at=self._ctx.now_iso(),
                staff_id=actor.id if identified else None,
                action="denied",
                entity="permission",
                entity_id=None,
                after={"attempt": what, "reason": reason, "named": named},
                source=self._ctx.source,
            )

    def sign_in_names(self) -> list[str]:
        """Who the sign-in screen offers: active staff with a PIN."""
        return [s.name for s in self.list_staff() if s.active and s.has_pin]

    def act_as_cli(self) -> Staff:
        """Administrative commands need no PIN (the file is readable anyway): act as CLI_ACTOR."""
        db = self._ctx.db
        row = store.by_name(db, CLI_ACTOR)
        if row is None and self._ctx.read_only:
            # A read-only database records nothing (not even who read it), so the actor needs no
            # row: backups and exports of a file on read-only media still work.
            self._ctx.actor = Staff(id=0, name=CLI_ACTOR, role=Role.ADMIN)
            return self._ctx.actor
        if row is None:
            with atomic(db):
                staff_id = store.insert(db, CLI_ACTOR, "admin", self._ctx.now_iso())
        else:
            staff_id = row["id"]
            if row["role"] != "admin" or not row["active"]:
                with atomic(db):
                    store.set_role(db, staff_id, "admin")
                    store.set_active(db, staff_id, True, self._ctx.now_iso())
        self._ctx.actor = Staff(id=staff_id, name=CLI_ACTOR, role=Role.ADMIN)
        return self._ctx.actor

    # -- signing in ----------------------------------------------------------------------------
    def wait_seconds(self, name: str) -> int:
        """Seconds before `name` may try another PIN (0: now)."""
        row = store.by_name(self._ctx.db, name)
        if row is None:
            return 0
        state = store.failures(self._ctx.db, row["id"])
        if not state or not state["locked_until"]:
            return 0
        left = (parse(state["locked_until"]) - self._ctx.clock()).total_seconds()
        return max(0, int(-(-left // 1)))

    def sign_in(self, name: str, pin: str) -> Staff:
        """Check the PIN; on success the staff member becomes ctx.actor.

        Wrong PINs are counted (persisted) and audited; after a few, each try must wait longer.
        """
        db = self._ctx.db
        row = store.by_name(db, name)
        if row is None or not row["active"] or row["name"] == CLI_ACTOR:
            raise UserError(f"No active staff member called “{name}”.", field="name")
        wait = self.wait_seconds(row["name"])
        if wait:
            raise SignInDelayed(row["name"], wait)
        # A stray Enter or a half-typed PIN is not a guess: say so, and count nothing.
        check_pin_format(pin)
        now = self._ctx.clock()
        if self._ctx.read_only:
            # Nothing can be counted or recorded in a read-only file (whoever holds it can try
            # PINs offline anyway); the PIN still has to be right to read or back it up.
            if not verify_pin(pin, store.pin_hash(db, row["id"])):
                raise UserError("That PIN is not right. Try again.", field="pin")
            self._ctx.actor = Staff(id=row["id"], name=row["name"], role=Role(row["role"]))
            return self._ctx.actor
        if not verify_pin(pin, store.pin_hash(db, row["id"])):
            state = store.failures(db, row["id"])
            count = (state["failures"] if state else 0) + 1
            delay = backoff_seconds(count)
            until = iso(now + timedelta(seconds=delay)) if delay else None
            with atomic(db):
                store.put_failures(db, row["id"], count, iso(now), until)
                self._audit(
                    "sign_in_failed",
                    row["id"],
                    after={"failures": count, "wait_s": delay},
                    staff_id=None,  # whoever typed it is unknown: that is the point
                )
            if delay:
                raise SignInDelayed(row["name"], delay)
            raise UserError("That PIN is not right. Try again.", field="pin")
        previous = self._ctx.actor
        with atomic(db):
            store.clear_failures(db, row["id"])
            action = "switch_user" if previous.id != row["id"] else "sign_in"
            self._audit(action, row["id"], before={"actor": previous.name}, staff_id=row["id"])
        self._ctx.actor = Staff(id=row["id"], name=row["name"], role=Role(row["role"]))
        return self._ctx.actor

    switch_user = sign_in

    # -- settings that belong to security ------------------------------------------------------
    # Read and written through the one registry (services.setting_registry) and the one audited
    # setter (services.shop_settings), like every setting.
    @property
    def idle_lock_minutes(self) -> int:
        """Minutes without input before the window locks; 0 means never."""
        return int(read_setting(self._ctx.setting, IDLE_LOCK_KEY))

    def set_idle_lock_minutes(self, minutes: int) -> None:
        self._shop.set(IDLE_LOCK_KEY, minutes)

    @property
    def sign_in_required(self) -> bool:
        """True: everyone signs in with a PIN (once an admin exists). False: the counter works as
        the front-desk member without a PIN, and a PIN is only needed for lead or admin work."""
        return bool(read_setting(self._ctx.setting, SIGN_IN_KEY))

    def set_sign_in_required(self, required: bool) -> None:
        self._shop.set(SIGN_IN_KEY, bool(required))

    def set_shop_details(self, **values: str) -> list[str]:
        """The shop's name, address and phone (letters and the title bar); returns changed keys."""
        require(self._ctx.actor, Permission.MANAGE_SETTINGS)
        cleaned = {key: self._shop.clean(key, value) for key, value in values.items()}  # all or none
        changed = [key for key, value in cleaned.items() if self._shop.get(key) != value]
        for key in changed:
            self._shop.set(key, cleaned[key])  # one audit row per detail, as the audit log shows them
        return changed

    # -- helpers -------------------------------------------------------------------------------
    def _check_version(self, row: Row, version: int | None) -> None:
        # Checked before the rules too: "already deactivated" would hide who did it and when.
        if version is not None and int(row["version"]) != version:
            raise self._refused(row)

    def _refused(self, row: Row) -> Conflict:
        return refused(
            self._ctx, "staff", int(row["id"]), what=f"{row['name']}'s account",
            then="Nothing was changed: look at their change, then do it again to make yours.",
        )

    def _row(self, name: str) -> Row:
        row = store.by_name(self._ctx.db, name)
        if row is None or row["name"] == CLI_ACTOR:
            raise NotFound(
                f"No staff member called “{name}”. `csdesk staff list` shows who exists."
            )
        return row

    def _audit(
        self,
        action: str,
        entity_id: int,
        *,
        before: object = None,
        after: object = None,
        staff_id: int | str | None = "actor",
    ) -> None:
        who = self._ctx.actor.id if staff_id == "actor" else staff_id
        audit.record(
            self._ctx.db,
            at=self._ctx.now_iso(),
            staff_id=who if isinstance(who, int) else None,
            action=action,
            entity="staff",
            entity_id=entity_id,
            before=before,
            after=after,
            source=self._ctx.source,
        )
