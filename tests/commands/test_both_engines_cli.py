"""The main commands on both engines (issue 15): the same command line against the file and
against the shop's PostgreSQL server (`--db postgresql://...`) gives the same answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.commands.cli_runner import run
from tests.conftest import ENGINES

pytestmark = pytest.mark.parametrize("engine", ENGINES, indirect=True)


def test_add_search_visit_and_timeline(
    engine: str, db_target: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    from csdesk.domain import CustomerDraft
    from csdesk.services.desk import Desk

    desk = Desk.open(db_target)
    try:
        desk.customers.create(
            CustomerDraft(first_name="Zoë", last_name="Brennan", phones=[("mobile", "+1 555 010 4477")])
        )
    finally:
        desk.close()
    code, out, err = run(db_target, "search", "zoe bre", "--json", capsys=capsys)
    assert code == 0, err
    assert [c["id"] for c in json.loads(out)] == [1]
    code, out, err = run(db_target, "search", "4477", "--json", capsys=capsys)
    assert code == 0 and [c["id"] for c in json.loads(out)] == [1], err
    code, out, err = run(
        db_target, "visit", "--phone", "555-010-4477", "--purpose", "Returned a kettle", "--json",
        capsys=capsys,
    )
    assert code == 0, err
    visit = json.loads(out)
    assert visit["customer_id"] == 1 and visit["purpose"] == "Returned a kettle"
    code, out, err = run(db_target, "timeline", "1", capsys=capsys)
    assert code == 0 and "Returned a kettle" in out, err


def test_followups_issues_and_the_daily_export(
    engine: str, db_target: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from csdesk.domain import CustomerDraft
    from csdesk.services.desk import Desk

    desk = Desk.open(db_target)
    try:
        cid = desk.customers.create(CustomerDraft(first_name="Ann", last_name="Ortega")).id
    finally:
        desk.close()
    code, _, err = run(db_target, "followup", "new", "--customer", str(cid), "--title",
                       "Call back about the parcel", "--due", "today", capsys=capsys)
    assert code == 0, err
    code, out, err = run(db_target, "followups", "--json", capsys=capsys)
    assert code == 0, err
    assert [f["title"] for f in json.loads(out)] == ["Call back about the parcel"]
    code, out, err = run(db_target, "issue", "new", "--customer", str(cid), "--title",
                         "Parcel never came", "--json", capsys=capsys)
    assert code == 0, err
    code, out, err = run(db_target, "issues", "--json", capsys=capsys)
    assert code == 0 and [i["title"] for i in json.loads(out)] == ["Parcel never came"], err
    out_file = tmp_path / "day.csv"
    code, out, err = run(db_target, "export", "daily", "-o", str(out_file), "--json", capsys=capsys)
    assert code == 0, err
    assert json.loads(out)["rows"] == 2  # the follow-up planned and the issue logged
    text = out_file.read_text(encoding="utf-8-sig")
    assert "Call back about the parcel" in text and "Parcel never came" in text


@pytest.mark.own_database  # its files are searched for traces of the erased customer
def test_customer_export_and_erase(
    engine: str, db_target: Path | str, stored_bytes: Callable[[], bytes], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`csdesk customer export` and `erase` (issue 15, items 4 and 6): when the command ends the
    erased customer is in no row, index, dead tuple or statistics sample of the database."""
    from csdesk.services.desk import Desk
    from tests.services.helpers_security import customer_with_history

    desk = Desk.open(db_target)
    try:
        cid = customer_with_history(desk)
        desk.db.execute("ANALYZE")  # statistics that have seen the customer, as autovacuum's
    finally:
        desk.close()
    out_file = tmp_path / "c.json"
    code, _, err = run(db_target, "customer", "export", str(cid), "-o", str(out_file), capsys=capsys)
    assert code == 0, err
    assert json.loads(out_file.read_text(encoding="utf-8"))["customer"]["last_name"] == "Quixwort"
    assert b"Quixwort" in stored_bytes()
    code, out, err = run(db_target, "customer", "erase", str(cid), "--yes", capsys=capsys)
    assert code == 0 and "1 visits kept anonymously" in out, err
    assert "linger" not in err  # nothing was left for later
    stored = stored_bytes().lower()
    for secret in (b"quixwort", b"zebulon", b"4155550199", b"9910555514", b"harbour lane"):
        assert secret not in stored, secret
    code, out, err = run(db_target, "audit", "--json", "--limit", "1", capsys=capsys)
    assert code == 0 and json.loads(out)[0]["action"] == "erase", err
