"""Recognising a server and never showing its password: plain functions, no server needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.store.server.target import REDACTED, has_password, is_server, redact


@pytest.mark.parametrize(
    "target",
    [
        "postgresql://csdesk@backoffice:5432/csdesk",
        "postgres://csdesk@backoffice/csdesk",
        "POSTGRESQL://a@b/c",
        "postgresql:///csdesk?host=/var/run/postgresql",
        "service=shop",
        "host=backoffice dbname=csdesk user=csdesk sslmode=require",
        "  dbname=csdesk",
    ],
)
def test_servers_are_recognised(target: str) -> None:
    assert is_server(target)


@pytest.mark.parametrize(
    "target", ["csdesk.db", "/home/ann/shop.db", "C:\\Shop\\csdesk.db", "postgresql.db", "notes=x.db",
               "", Path("postgresql.db")]
)
def test_files_stay_files(target: object) -> None:
    assert not is_server(target)


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("postgresql://ann:s3cret@host:5432/shop", f"postgresql://ann:{REDACTED}@host:5432/shop"),
        ("postgresql://ann:p%40ss@host/shop?sslmode=require",
         f"postgresql://ann:{REDACTED}@host/shop?sslmode=require"),
        ("postgresql://ann@host/shop?password=s3cret&sslmode=verify-full",
         f"postgresql://ann@host/shop?password={REDACTED}&sslmode=verify-full"),
        ("host=h dbname=shop password=s3cret user=ann", f"host=h dbname=shop password={REDACTED} user=ann"),
        ("host=h password='se cret x' dbname=shop", f"host=h password={REDACTED} dbname=shop"),
        ("postgresql://ann@host/shop", "postgresql://ann@host/shop"),
    ],
)
def test_redaction_removes_every_password(target: str, shown: str) -> None:
    assert redact(target) == shown
    assert "s3cret" not in redact(target) and "cret" not in redact(target)
    assert has_password(target) == (target != shown)
