"""A restore's preparation: the candidate copied aside, checked and brought up to date there,
and the restore over a database that cannot even be opened; nothing live is touched before
the copy passes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from csdesk.errors import NameNotFound, UserError
from csdesk.store import backup as store
from csdesk.store.db import DatabaseFailed
from csdesk.store.holders import Holder, other_holders
from csdesk.store.integrity import check_file
from csdesk.store.migrations import known_migrations, migrations


@dataclass
class Staged:
    customers: int
    applied: list[str] = field(default_factory=list)


def busy_message(path: Path | None, holders: list[Holder] | None = None) -> str:
    who = f" ({', '.join(h.describe() for h in holders)})" if holders else ""
    return (
        f"csdesk is open in another window, or another command is running{who}, on "
        f"{path or 'the database'}. Close it and try again; nothing was changed."
    )


def refuse_if_in_use(path: Path) -> None:
    """A restore needs the database to itself: refuse, naming who has it open."""
    holders = other_holders(path)
    if holders:
        raise UserError(busy_message(path, holders))


def _is_server_dump(path: Path) -> bool:
    """pg_dump's custom format starts with these five bytes (`csdesk backup` on a server)."""
    try:
        with path.open("rb") as f:
            return f.read(5) == b"PGDMP"
    except OSError:
        return False


def stage(
    source: Path,
    staging: Path,
    *,
    live_id: str | None,
    other_database: bool,
    page_size: int | None = None,
) -> Staged:
    """Copy the candidate aside, check it and bring it to this version's schema there: nothing
    live is touched before it passes, and nothing can fail after the live data is replaced."""
    refuse = f"{source} cannot be restored:"
    try:
        store.copy_file(source, staging)
    except DatabaseFailed as exc:
        if _is_server_dump(source):
            raise UserError(
                f"{refuse} it is a backup of a csdesk server (PostgreSQL's pg_dump format), not of "
                "a database file. Restore it onto the server: csdesk --db postgresql://… restore "
                f"{source}. Nothing was changed."
            ) from exc
        raise UserError(f"{refuse} it is not a readable SQLite database ({exc}).") from exc
    db = store.open_copy(staging)
    try:
        conn = db.conn
        applied = store.migrations_applied(conn, migrations.name)
        if applied is None:
            raise UserError(f"{refuse} it is not a csdesk database. Nothing was changed.")
        known = set(known_migrations())
        newer = [name for name in applied if name not in known]
        if newer:
            raise UserError(
                f"{refuse} it comes from a newer csdesk ({newer[-1]}). Update csdesk first."
            )
        report = store.check(conn)
        if not report.ok:
            raise UserError(
                f"{refuse} it is damaged ({report.problems[0]}). Nothing was changed; "
                "try an older backup."
            )
        ident = store.database_id(conn)
        if ident is not None and live_id is not None and ident != live_id and not other_database:
            raise UserError(
                f"{refuse} it is a backup of another database (identity {ident[:12]}, this one "
                f"is {live_id[:12]}). To replace this database with it anyway, add "
                "--other-database. Nothing was changed."
            )
        try:
            migrations.apply(db)  # an older backup gets this version's schema, aside
        except DatabaseFailed as exc:
            raise UserError(f"{refuse} it could not be brought up to date ({exc}).") from exc
        if live_id is not None:
            # The file keeps its own identity whatever is restored into it: its backups stay
            # in its own folder, apart from the database the backup came from.
            store.set_database_id(conn, live_id)
        if store.foreign_key_problems(conn):
            raise UserError(
                f"{refuse} its records do not fit together (foreign keys). Nothing was changed; "
                "try an older backup."
            )
        customers = store.count_customers(conn)
    finally:
        db.close()
    if page_size:
        store.match_page_size(staging, page_size)
    return Staged(customers, applied)


def restore_damaged(db_path: Path, source: Path, folder: Path, *, opened_error: str = "") -> Path:
    """Restore over a database that cannot even be opened: the damaged file is kept aside.

    Only a file that is really damaged is moved: a busy one is refused, and so is one that
    another process still has open (it would go on writing into the moved file).
    Returns where the damaged file (and its -wal/-shm) were moved to.
    """

    if not source.is_file():
        raise NameNotFound(f"There is no file {source}. Check the name and try again.")
    report = check_file(db_path, quick=True)
    if report.busy:
        raise UserError(busy_message(db_path, other_holders(db_path)))
    holders = other_holders(db_path)
    if holders:
        raise UserError(busy_message(db_path, holders))
    if report.ok:
        # Not damaged: whatever stopped it opening (a newer csdesk's file, permissions) is
        # the answer, and the file stays where it is.
        raise UserError(opened_error or f"{db_path} could not be opened; nothing was changed.")
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".restore-{db_path.stem}.db"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = folder / f"{db_path.stem}-{stamp}-damaged.db"
    try:
        stage(source, staging, live_id=None, other_database=True)
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            current = Path(str(db_path) + suffix)
            if current.exists():
                os.replace(current, Path(str(aside) + suffix))
        store.copy_file(staging, db_path)
    finally:
        staging.unlink(missing_ok=True)
    return aside
