"""Drafts: what someone is typing (a visit, a note) survives a crash or a power cut.

One small JSON file per draft in paths.data_dir()/drafts/<database id>/, written atomically:
temp file, fsync, os.replace, fsync of the folder. A reader sees the old draft or the new one,
never half of one. Files, not the database: saving a draft on every pause in typing must not
contend with the shop's writes, and a draft must survive even if the database is locked.

The UI saves on a short timer while a form is open, offers `list()` on start, and calls
`discard()` once the visit or note is saved (services do not discard on their own: the CLI
logging a visit for the same customer must not throw away what the counter is typing).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csdesk import paths
from csdesk.errors import UserError

_KIND = re.compile(r"[a-z][a-z_]{0,30}")
MAX_DRAFT_BYTES = 64_000


@dataclass(frozen=True)
class Draft:
    kind: str  # "visit", "note", "call", ...
    customer_id: int | None  # None: a walk-in or a customer not created yet
    fields: dict[str, Any]  # what the form held, as the form wants it back
    saved_at: str

    @property
    def key(self) -> str:
        return draft_key(self.kind, self.customer_id)


def draft_key(kind: str, customer_id: int | None) -> str:
    if not _KIND.fullmatch(kind):
        raise ValueError(f"a draft kind is a short lower-case word, not {kind!r}")
    return f"{kind}-{'new' if customer_id is None else int(customer_id)}"


def drafts_dir_for(db_path: Path | str | None) -> Path:
    """A folder per database, so a demo database never offers the real shop's drafts. A server
    (a PostgreSQL URL, as a str) gets its own folder too, named from the target without its
    password: drafts stay on this computer, whatever happens to the connection."""
    if db_path is None:
        return paths.data_dir() / "drafts" / "memory"
    if isinstance(db_path, str):
        from csdesk.store.server.target import redact

        ident = "server-" + hashlib.sha256(redact(db_path).encode()).hexdigest()[:16]
        return paths.data_dir() / "drafts" / ident
    ident = hashlib.sha256(str(Path(db_path).resolve()).encode()).hexdigest()[:16]
    return paths.data_dir() / "drafts" / ident


class DraftService:
    def __init__(self, folder: Path, clock: Any = None) -> None:
        self.folder = folder
        self._clock = clock

    def save(self, kind: str, customer_id: int | None, fields: dict[str, Any], *,
             saved_at: str = "") -> Draft:
        draft = Draft(kind, customer_id, dict(fields), saved_at or self._now())
        data = json.dumps(
            {"kind": kind, "customer_id": customer_id, "fields": draft.fields,
             "saved_at": draft.saved_at},
            ensure_ascii=False, default=str,
        ).encode()
        if len(data) > MAX_DRAFT_BYTES:
            raise UserError("This draft is too long to keep safe; shorten the text a little.")
        try:
            self._write_atomically(self.folder / f"{draft.key}.json", data)
        except OSError as exc:
            raise UserError(f"Could not keep a safety copy of what you typed ({exc.strerror}). "
                            "Save it soon; check free disk space.") from exc
        return draft

    def get(self, kind: str, customer_id: int | None) -> Draft | None:
        return self._read(self.folder / f"{draft_key(kind, customer_id)}.json")

    def pending(self) -> list[Draft]:
        """Every draft left behind, newest first; unreadable files are skipped."""
        if not self.folder.is_dir():
            return []
        found = [d for p in self.folder.glob("*.json") if (d := self._read(p)) is not None]
        return sorted(found, key=lambda d: d.saved_at, reverse=True)

    def discard(self, kind: str, customer_id: int | None) -> bool:
        path = self.folder / f"{draft_key(kind, customer_id)}.json"
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        self._sync_folder()
        return True

    def discard_customer(self, customer_id: int) -> int:
        """Every draft about one customer, whatever its kind (an erasure leaves none behind)."""
        removed = 0
        if not self.folder.is_dir():
            return removed
        for path in self.folder.glob("*.json"):
            draft = self._read(path)
            if draft is not None and draft.customer_id == customer_id:
                path.unlink(missing_ok=True)
                removed += 1
        if removed:
            self._sync_folder()
        return removed

    # -- internals -----------------------------------------------------------------------------
    def _now(self) -> str:
        from csdesk.services.clock import iso, utc_now

        return iso((self._clock or utc_now)())

    def _write_atomically(self, target: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # '.part', not '.json': a file cut short by a crash is never listed as a draft.
        fd, tmp = tempfile.mkstemp(prefix=".draft-", suffix=".part", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._sync_folder()

    def _sync_folder(self) -> None:
        """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
        if os.name != "posix":
            return
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _read(path: Path) -> Draft | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            cid = raw["customer_id"]
            draft = Draft(str(raw["kind"]), None if cid is None else int(cid),
                          dict(raw["fields"]), str(raw["saved_at"]))
            draft_key(draft.kind, draft.customer_id)
            return draft
        except (OSError, ValueError, KeyError, TypeError):
            return None
