"""The main commands on both engines (issue 15): the same command line against the file and
against the shop's PostgreSQL server (`--db postgresql://...`) gives the same answers."""

from __future__ import annotations

import json
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
