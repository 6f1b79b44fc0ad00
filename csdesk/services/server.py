"""The shop's PostgreSQL server: set it up (`csdesk server init`) and move a file to it
(`csdesk migrate`). No Qt, no SQL: the store's server package does the talking."""

from __future__ import annotations

from dataclasses import dataclass

from csdesk.store.server import connect, schema


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
