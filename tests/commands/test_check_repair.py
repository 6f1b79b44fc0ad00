"""`csdesk check` sees every index and search index; `check --repair` rebuilds them from the
tables; a name search on a broken index says what to do instead of a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from tests.commands.cli_runner import run


@pytest.fixture
def shop(db_path: Path) -> Path:
    desk = Desk.open(db_path)
    for first, last in [("Maria", "Garcia"), ("John", "Smith"), ("Ana", "Lopez")] * 40:
        desk.customers.create(CustomerDraft(first_name=first, last_name=last))
    desk.close()
    return db_path


def sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(str(db), isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


BREAKAGES = {
    "search index dropped": ("DROP TABLE customers_fts",),
    "search index damaged": (
        "UPDATE customers_fts_data SET block = zeroblob(length(block)) WHERE id > 10",
    ),
    "search index structure damaged": (
        "UPDATE customers_fts_data SET block = X'00ff00ff' WHERE id = 10",
    ),
    "index dropped": ("DROP INDEX customers_recent",),
    "notes index dropped": ("DROP TABLE notes_fts",),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_check_sees_it_and_repair_rebuilds_it(
    shop: Path, breakage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(shop, *BREAKAGES[breakage])
    code, out, err = run(shop, "check", "--json", capsys=capsys)
    report = json.loads(out)
    assert code == 2 and report["ok"] is False and report["problems"], breakage
    code, _, err = run(shop, "check", capsys=capsys)
    assert code == 2 and "--repair" in err and "Traceback" not in err
    code, out, err = run(shop, "check", "--repair", capsys=capsys)
    assert code == 0, err
    assert "repaired:" in out and "is healthy" in out
    code, out, err = run(shop, "search", "garc", "--limit", "100", "--json", capsys=capsys)
    assert code == 0, err
    hits = json.loads(out)
    assert len(hits) == 40 and {h["display_name"] for h in hits} == {"Maria Garcia"}


@pytest.mark.parametrize("breakage", ["search index dropped"])
def test_a_name_search_on_a_broken_index_says_what_to_do(
    shop: Path, breakage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(shop, *BREAKAGES[breakage])
    code, out, err = run(shop, "search", "garc", capsys=capsys)
    assert code == 1 and "csdesk check --repair" in err
    assert "Traceback" not in err and "Smith" not in out and "Lopez" not in out
