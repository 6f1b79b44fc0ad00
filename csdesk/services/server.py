"""The shop's PostgreSQL server: set it up (`csdesk server init`) and move a file to it
(`csdesk migrate`). No Qt, no SQL: the store's server package does the talking."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from csdesk.errors import UserError
from csdesk.services.clock import utc_now
from csdesk.services.context import Context
from csdesk.services.search import SearchService
from csdesk.services.text import digits
from csdesk.store.server import connect, schema
from csdesk.store.server import copy as server_copy
from csdesk.store.server.copy import CopyReport, Progress
from csdesk.store.server.sql import PgDatabase


@dataclass(frozen=True)
class InitReport:
    server: str  # host, port, database, user: never the password
    migrations: list[str]
    created: bool  # False: the database already was csdesk's (brought up to date)

    def as_dict(self) -> dict[str, object]:
        return {"server": self.server, "migrations": self.migrations, "created": self.created}


def init_server(target: str) -> InitReport:
    """Create the csdesk schema on an empty database, or bring a csdesk one up to date."""
    conn = connect.connect(target)
    try:
        created = not schema.is_csdesk(conn)
        try:
            names = schema.init(conn)
        except connect.EngineError as exc:
            raise connect.translate(exc, target) from None
        return InitReport(connect.info(conn).describe(), names, created)
    finally:
        conn.close()


def new_server_book(target: str) -> InitReport:
    """`csdesk init URL`: a new, empty customer book on the server, as `csdesk init PATH` starts
    a new file. A database that already is csdesk's is left alone and refused (as an existing
    file is), one holding other tables is refused by init itself."""
    conn = connect.connect(target)
    try:
        if schema.is_csdesk(conn):
            raise UserError(
                f"There already is a csdesk database on {connect.info(conn).describe()}; nothing "
                "was changed."
            )
    finally:
        conn.close()
    return init_server(target)


@dataclass(frozen=True)
class SampleCheck:
    query: str
    file_ids: list[int]
    server_ids: list[int]

    @property
    def ok(self) -> bool:
        return self.file_ids == self.server_ids


@dataclass
class MigrateReport:
    server: str
    copy: CopyReport
    sample: list[SampleCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.copy.ok and all(s.ok for s in self.sample)

    def as_dict(self) -> dict[str, object]:
        return {
            "server": self.server,
            "ok": self.ok,
            "rows": self.copy.rows,
            "copy_seconds": round(self.copy.copy_s, 3),
            "verify_seconds": round(self.copy.verify_s, 3),
            "tables": [
                {"table": t.table, "file_rows": t.file_rows, "server_rows": t.server_rows,
                 "checksum": t.file_sha256, "same": t.ok}
                for t in self.copy.tables
            ],
            "search_sample": [
                {"query": s.query, "customers": s.file_ids, "same": s.ok} for s in self.sample
            ],
        }


def sample_queries(search_file: Any, limit: int = 6) -> list[str]:
    """Searches a person would type, drawn from the file's own customers: three letters of a
    first name, a whole last name, first and last name, an e-mail start, a number's last four."""
    ids = [h.customer_id for h in search_file.search("", limit=500)]
    picks = ids[:: max(1, len(ids) // limit)][:limit]
    queries: list[str] = []
    for hit in search_file.search("", limit=500):
        if hit.customer_id not in picks:
            continue
        words = hit.display_name.split(" (")[0].split()
        if words:
            queries.append(words[0][:3])
            queries.append(" ".join(words[:2]))
            queries.append(words[-1])
        if hit.email:
            queries.append(hit.email.split("@")[0][:5])
        numbers = [digits(p) for p in hit.phones if len(digits(p)) >= 7]
        if numbers:
            queries.append(numbers[0][-4:])
            queries.append(hit.phones[0])
    return list(dict.fromkeys(q for q in queries if q.strip()))


def migrate_file(
    path: Path, target: str, progress: Progress, *, replace_partial: bool = False
) -> MigrateReport:
    """Copy the file at `path` to the server, then check counts, checksums and a search sample.
    `replace_partial`: start again over the partial copy a cut-off migrate left."""
    src = server_copy.open_source(path)
    try:
        conn = connect.connect(target)
        try:
            try:
                schema.init(conn)  # sets up an empty database; refuses another program's
                report = server_copy.copy_file(src, conn, target, progress, source=path,
                                               replace_partial=replace_partial)
            except connect.EngineError as exc:
                raise connect.translate(exc, target) from None
            result = MigrateReport(connect.info(conn).describe(), report)
            result.sample = compare_search(src, conn)
            return result
        finally:
            conn.close()
    finally:
        src.close()


def compare_search(src: Any, conn: Any, queries: list[str] | None = None) -> list[SampleCheck]:
    """The same searches through the one SearchService on the file and on the server."""
    on_file = SearchService(
        Context(sqlite_utils.Database(src, execute_plugins=False), clock=utc_now, source="migrate")
    )
    on_server = SearchService(Context(PgDatabase(conn), clock=utc_now, source="migrate"))  # type: ignore[arg-type]
    checks = []
    for query in queries if queries is not None else sample_queries(on_file):
        checks.append(SampleCheck(
            query,
            [h.customer_id for h in on_file.search(query, limit=50)],
            [h.customer_id for h in on_server.search(query, limit=50)],
        ))
    return checks
