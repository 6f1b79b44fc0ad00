"""A big CSV file's rows staged by helper processes (services/importing/pool.py) plan and import
exactly as the serial preview does; cancel, a broken line and a dying helper behave as before."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.services.importing import pool
from csdesk.services.importing.plan import open_file
from tests.conftest import FakeClock
from tests.import_helpers import import_helpers

HEADER = ["Square Customer ID", "First Name", "Last Name", "Email Address", "Phone Number",
          "Birthday", "Memo", "Email Subscription Status"]  # fmt: skip
FIRST = ["Maria", "José", "Li", "Anne", "Zoë", "Bo", "", "Ana"]
LAST = ["García", "Wei", "Thompson", "Ruiz", "O'Neil", "", "Lopez"]


def _rows(count: int) -> Iterator[list[str]]:
    """Every kind of row the planner tells apart: new, repeats of an earlier row's e-mail or
    number, bad numbers and addresses left out, nothing usable, memos over several lines."""
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
        email = f"c{i}@example.com"
        if i % 11 == 0:
            email = f"c{i - 5}@example.com"  # the same e-mail as a row before it
        elif i % 13 == 0:
            email = "not-an-address@"
        elif i % 4 == 0:
            email = ""
        phone = [f"(312) 555-{i % 10_000:04d}", f"+44 20 7946 {i % 10_000:04d}", "12", ""][i % 4]
        if i % 17 == 0:
            phone = "(312) 555-0003"  # the same number as row 3
        memo = "likes\nblue laces" if i % 9 == 0 else ""
        birthday = ["1980-02-03", "31/31/1990", ""][i % 3]
        status = ["subscribed", "unsubscribed", ""][i % 3]
        if i % 23 == 0:
            first = last = email = phone = ""  # no name and no contact details
        yield [f"SQ{i}", first, last, email, phone, birthday, memo, status]


def _write(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        out.writerows(_rows(count))
    return path


@pytest.fixture
def helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any file planned with two helpers, from row 40 on, in chunks of 7 rows (many chunks)."""
    monkeypatch.setattr(pool, "helpers_for", lambda size, load=None: 2)
    monkeypatch.setattr(pool, "START_ROWS", 40)
    monkeypatch.setattr(pool, "CHUNK_ROWS", 7)


def _desk(path: Path) -> Desk:
    desk = Desk.open(path, clock=FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)))
    desk.auth.act_as_cli()
    return desk


def _plan_of(desk: Desk, src: Path) -> tuple[Any, list[Any]]:
    plan = desk.imports.preview(src)
    return plan, [(i.as_json(), i.packed, i.note) for i in plan.items]


def _tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(db)
    try:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("customers", "customer_phones", "customer_emails", "audit",
                          "import_items", "notes")
        }  # fmt: skip
    finally:
        con.close()


@pytest.mark.parametrize("rows", [2_000, 40 + 7 * 30])  # ends inside a chunk / right after one
def test_helpers_plan_and_import_the_same_rows_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    src = _write(tmp_path / "square.csv", rows)
    serial = _desk(tmp_path / "serial.db")
    plan_a, items_a = _plan_of(serial, src)
    serial.imports.apply(plan_a)
    serial.close()

    monkeypatch.setattr(pool, "helpers_for", lambda size, load=None: 2)
    monkeypatch.setattr(pool, "START_ROWS", 40)
    monkeypatch.setattr(pool, "CHUNK_ROWS", 7)
    started: list[int] = []

    def watch(done: int, total: int) -> bool:
        started.append(len(import_helpers()))
        return True

    parallel = _desk(tmp_path / "parallel.db")
    plan_b = parallel.imports.preview(src, progress=watch)
    items_b = [(i.as_json(), i.packed, i.note) for i in plan_b.items]
    parallel.imports.apply(plan_b)
    parallel.close()

    assert len(items_b) == rows
    assert items_b == items_a
    summary = plan_a.summary()
    assert summary["created"] and summary["skipped"]  # both kinds are in the file
    assert any("same e-mail as row" in i[0]["reason"] for i in items_a)
    assert any("left out" in w for i in items_a for w in i[0]["warnings"])
    assert _tables(tmp_path / "parallel.db") == _tables(tmp_path / "serial.db")
    if rows >= 1000:
        assert started and started[0] == 2  # the helpers were really at work
    assert import_helpers() == set()  # and are gone once the preview is done


def test_into_a_database_with_customers_the_matches_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _write(tmp_path / "square.csv", 1_500)
    first = _write(tmp_path / "first.csv", 600)  # these customers are there already
    for name in ("serial.db", "parallel.db"):
        desk = _desk(tmp_path / name)
        desk.imports.apply(desk.imports.preview(first))
        desk.close()
    serial = _desk(tmp_path / "serial.db")
    _plan, items_a = _plan_of(serial, src)
    serial.close()
    monkeypatch.setattr(pool, "helpers_for", lambda size, load=None: 2)
    monkeypatch.setattr(pool, "START_ROWS", 40)
    monkeypatch.setattr(pool, "CHUNK_ROWS", 7)
    parallel = _desk(tmp_path / "parallel.db")
    plan_b, items_b = _plan_of(parallel, src)
    parallel.close()
    assert items_b == items_a
    assert plan_b.summary()["unchanged"] + plan_b.summary()["updated"] > 0  # matched rows


@pytest.mark.usefixtures("helpers")
def test_cancel_stops_the_helpers_and_imports_nothing(desk: Desk, tmp_path: Path) -> None:
    desk.auth.act_as_cli()
    src = _write(tmp_path / "square.csv", 3_000)
    seen: list[int] = []

    def cancel(done: int, total: int) -> bool:
        seen.append(len(import_helpers()))
        return False

    with pytest.raises(UserError, match="Preview cancelled; nothing was imported"):
        desk.imports.preview(src, progress=cancel)
    assert seen == [2]
    assert import_helpers() == set()
    assert desk.customers.count() == 0 and desk.imports.batches() == []


@pytest.mark.usefixtures("helpers")
def test_a_helper_that_dies_gives_one_clear_error_and_changes_nothing(
    desk: Desk, tmp_path: Path
) -> None:
    desk.auth.act_as_cli()
    src = _write(tmp_path / "square.csv", 3_000)

    def kill_one(done: int, total: int) -> bool:
        for pid in import_helpers():
            os.kill(pid, signal.SIGKILL)
            break
        return True

    with pytest.raises(UserError, match=r"a helper process reading the file stopped \(exit code -9\)"):
        desk.imports.preview(src, progress=kill_one)
    assert import_helpers() == set()
    assert desk.customers.count() == 0 and desk.imports.batches() == []


def test_a_broken_line_is_reported_by_the_helpers_as_by_one_process(tmp_path: Path) -> None:
    src = _write(tmp_path / "square.csv", 300)
    with src.open("a", encoding="utf-8") as fh:
        fh.write("SQx,Bo," + "L" * 1_000_001 + ",,,,,\n")  # over the cell limit
    lines = (tmp_path / "square.csv").read_text(encoding="utf-8").count("\n")
    serial = open_file(src)
    read: list[int] = []
    with pytest.raises(UserError) as one:
        read.extend(rec.line for rec in serial.records)
    assert f"Line {lines} of this CSV file cannot be read" in one.value.message
    source = open_file(src)
    assert source.text is not None
    helpers = pool.StagingPool(source.text, source.fmt, source.mapping, "US", workers=2, start=40, chunk=7)
    got: list[int] = []
    try:
        with pytest.raises(UserError) as many:
            for rec, _item, _valid in helpers.staged(source.records, "US"):
                got.append(rec.line)
    finally:
        helpers.close()
    assert many.value.message == one.value.message
    assert got == read == list(range(2, 302))  # every row before the broken one, in order


def test_a_small_file_is_planned_without_helpers(desk: Desk, tmp_path: Path) -> None:
    desk.auth.act_as_cli()
    src = _write(tmp_path / "square.csv", 2_000)
    assert src.stat().st_size < pool.MIN_BYTES and pool.helpers_for(src.stat().st_size) == 0
    seen: list[int] = []
    desk.imports.preview(src, progress=lambda done, total: seen.append(len(import_helpers())) or True)
    assert seen == [0, 0]
    cores = os.cpu_count() or 1
    assert pool.helpers_for(pool.MIN_BYTES, load=0.0) == (min(2, cores) if cores >= 2 else 0)
    assert pool.helpers_for(pool.MIN_BYTES, load=cores) == 0  # no core to spare: none


def test_the_first_page_is_planned_before_the_helpers_start(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Their start-up (a Python importing csdesk's rules) would compete with the first page.
    desk.auth.act_as_cli()
    monkeypatch.setattr(pool, "helpers_for", lambda size, load=None: 2)
    src = _write(tmp_path / "square.csv", 6_000)
    at_first_page: list[int] = []
    later: list[int] = []
    desk.imports.preview(
        src,
        first_page=lambda plan: at_first_page.append(len(import_helpers())),
        progress=lambda done, total: later.append(len(import_helpers())) or True,
    )
    assert at_first_page == [0]
    assert later[0] == 2  # at 1,000 rows: started right after the first page
