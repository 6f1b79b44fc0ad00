"""A write that fails half-way, made by the database itself on either engine: a trigger that
refuses every insert into one table, so a test can prove the write before it rolled back too.

On the server the trigger lives in the test session's shared csdesk database, so it is always
dropped again when the block ends (the next test must not meet it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from csdesk.store.dialect import is_server_db


@contextmanager
def inserts_fail(db: Any, table: str, message: str) -> Iterator[None]:
    name = f"fail_{table}"
    if is_server_db(db):
        db.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$BEGIN RAISE EXCEPTION '{message}'; END$$"
        )
        db.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW "
                   f"EXECUTE FUNCTION {name}()")
        drop = [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"]
    else:
        db.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
        drop = [f"DROP TRIGGER {name}"]
    try:
        yield
    finally:
        for sql in drop:
            db.execute(sql)
