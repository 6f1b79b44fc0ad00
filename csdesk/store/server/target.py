"""Is `--db` a server? And what may be shown of it: never the password.

Pure text, no psycopg import: the CLI asks this for every command, and a file path must stay
a file path. Parsing the details is libpq's job (psycopg.conninfo, in connect.py).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")

# libpq's keyword=value connection strings ("service=shop", "host=till dbname=csdesk"): the
# keywords libpq knows that a person would lead with. A file is never named like this.
_CONNINFO_KEYS = frozenset(
    {"host", "hostaddr", "port", "dbname", "user", "service", "sslmode", "passfile", "password",
     "options", "application_name", "connect_timeout", "target_session_attrs", "sslrootcert"}
)
_CONNINFO_START = re.compile(r"^\s*([a-z_]+)\s*=")
# password=secret or password='se cret' in a conninfo string.
_CONNINFO_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)

REDACTED = "********"


def is_server(target: object) -> bool:
    """A PostgreSQL URL (postgresql://, postgres://) or a libpq conninfo string (service=shop)."""
    text = str(target).strip()
    if text.lower().startswith(SCHEMES):
        return True
    found = _CONNINFO_START.match(text)
    return bool(found and found.group(1) in _CONNINFO_KEYS)


def redact(target: str) -> str:
    """The same target without its password, fit for a message, a log line or the audit log."""
    text = target.strip()
    if text.lower().startswith(SCHEMES):
        parts = urlsplit(text)
        netloc = parts.netloc
        if "@" in netloc:
            auth, hosts = netloc.rsplit("@", 1)
            if ":" in auth:
                auth = auth.split(":", 1)[0] + ":" + REDACTED
            netloc = f"{auth}@{hosts}"
        query = parse_qsl(parts.query, keep_blank_values=True)
        query = [(k, REDACTED if k.lower() == "password" else v) for k, v in query]
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="/:*"), ""))
    return _CONNINFO_PASSWORD.sub(lambda m: m.group(1) + REDACTED, text)


def has_password(target: str) -> bool:
    """Was a password written into the target itself (rather than in ~/.pgpass or PGPASSFILE)?"""
    return redact(target) != target.strip()

