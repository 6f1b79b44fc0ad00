"""ImportService.import_file: each batch written as soon as it is planned (`csdesk import`
without --dry-run) puts the same rows in the database as preview() then apply(); cancel, a
helper that dies and a broken line behave as the issue asks."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.services.importing import plan as plan_module
from csdesk.services.importing import pool
from csdesk.services.importing import service as import_service
from tests.import_helpers import import_helpers
from tests.services.test_import_pool import _desk, _tables, _write


def _items(plan: Any) -> list[Any]:
    """What a plan says of each row (import_file's keeps no values: they are in the database)."""
    return [(i.as_json(), i.note) for i in plan.items]


def _helpers_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "helpers_for", lambda size, load=None: 2)
    monkeypatch.setattr(pool, "START_ROWS", 40)
    monkeypatch.setattr(pool, "CHUNK_ROWS", 7)


@pytest.mark.parametrize(
    ("helpers", "known", "deferred"),
    [
        (True, 0, False),  # into an empty database
        (False, 0, False),  # the same without helpers (a small file, a busy machine)
        (True, 600, False),  # matches, updates, a namesake asked name by name
        (True, 600, True),  # the namesakes of a big file into a big database: one pass at the end
    ],
)
def test_writing_while_planning_imports_the_same_rows_as_preview_then_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helpers: bool, known: int, deferred: bool
) -> None:
    # Batches of 100 rows: many batches, and a batch that ends inside a planner block (250).
    monkeypatch.setattr(import_service, "BATCH_ROWS", 100)
    if deferred:
        monkeypatch.setattr(plan_module, "NAMESAKE_SCAN_MIN_CUSTOMERS", 100)
    src = _write(tmp_path / "square.csv", 1_730)
    # A name only this file has, twice in its first batch: the deferred namesake pass at the
    # end must not warn about the customers this import wrote.
    header, rest = src.read_text(encoding="utf-8").split("\n", 1)
    src.write_text(
        f"{header}\nSQn1,Nova,Quill,nq1@example.com,,,,\nSQn2,Nova,Quill,nq2@example.com,,,,\n{rest}",
        encoding="utf-8",
    )
    first = _write(tmp_path / "first.csv", known)
    for name in ("serial.db", "pipeline.db"):
        desk = _desk(tmp_path / name)
        if known:
            desk.imports.apply(desk.imports.preview(first))
        desk.close()
    serial = _desk(tmp_path / "serial.db")
    plan_a = serial.imports.preview(src)
    result_a = serial.imports.apply(plan_a)
    items_a = _items(plan_a)
    serial.close()

    if helpers:
        _helpers_on(monkeypatch)
    batches: list[tuple[int, int, int]] = []

    def watch(done: int, total: int) -> bool:
        batches.append((done, total, len(import_helpers())))
        return True

    pipeline = _desk(tmp_path / "pipeline.db")
    plan_b, result_b = pipeline.imports.import_file(src, progress=watch)
    items_b = _items(plan_b)
    batch = pipeline.imports.batches()[0]
    pipeline.close()

    assert items_b == items_a  # actions, reasons, warnings, ids given, notes
    assert all(not i.packed and i.values is None for i in plan_b.items)  # held no longer
    assert result_b == result_a
    assert _tables(tmp_path / "pipeline.db") == _tables(tmp_path / "serial.db")
    assert [done for done, _t, _h in batches] == [*range(100, 1_732, 100), 1_732]
    assert {total for _d, total, _h in batches} == {1_732}
    if helpers:  # the helpers were still reading while the first batches were written
        assert batches[0][2] == 2
    assert import_helpers() == set()
    assert (batch["status"], batch["rows_total"], batch["file_sha256"]) == ("done", 1_732, plan_a.sha256)
    summary = plan_b.summary()
    assert summary["created"] and summary["skipped"]
    if known:
        assert summary["updated"] + summary["unchanged"] > 0
        # The file's names are the first file's too: warned about those customers only, never
        # about the ones this import wrote a batch earlier (all ids under the first new one).
        warned = [w for i in items_b for w in i[0]["warnings"] if "possible duplicate" in w]
        assert warned
        assert all(int(n) <= known for w in warned for n in _ids_in(w))
    else:
        assert not any("possible duplicate" in w for i in items_b for w in i[0]["warnings"])


def _ids_in(warning: str) -> list[str]:
    return [part.strip(",").lstrip("#") for part in warning.split() if part.startswith("#")]


def test_a_cancel_keeps_the_whole_batches_written_and_says_cancelled(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.auth.act_as_cli()
    monkeypatch.setattr(import_service, "BATCH_ROWS", 250)
    _helpers_on(monkeypatch)
    src = _write(tmp_path / "square.csv", 3_000)
    seen: list[int] = []

    def cancel_after_two(done: int, total: int) -> bool:
        seen.append(done)
        return len(seen) < 2

    plan, result = desk.imports.import_file(src, progress=cancel_after_two)
    assert seen == [250, 500]
    assert result.cancelled
    assert result.created + result.updated + result.skipped == 500
    assert desk.customers.count() == result.created > 0
    batch = desk.imports.batches()[0]
    assert batch["status"] == "cancelled"
    assert batch["created_count"] + batch["skipped_count"] == 500
    assert import_helpers() == set()  # the planning stopped with the writing
    # The rest can be brought in later, as after a cancelled apply().
    rest = desk.imports.resume(result.batch_id)
    assert rest.created + rest.skipped == 3_000
    assert len(plan.items) >= 500


def test_a_helper_that_dies_after_batches_are_in_says_so_once_and_leaves_them_resumable(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.auth.act_as_cli()
    monkeypatch.setattr(import_service, "BATCH_ROWS", 100)
    _helpers_on(monkeypatch)
    src = _write(tmp_path / "square.csv", 3_000)
    written: list[int] = []

    def kill_one(done: int, total: int) -> bool:
        written.append(done)
        if len(written) == 2:
            os.kill(min(import_helpers()), signal.SIGKILL)
        return True

    with pytest.raises(UserError) as stopped:
        desk.imports.import_file(src, progress=kill_one)
    message = stopped.value.message
    batch = desk.imports.batches()[0]
    done = batch["created_count"] + batch["updated_count"] + batch["skipped_count"]
    assert message.startswith(
        f"Import #{batch['id']} of square.csv stopped after {done:,} of 3,000 rows: "
        "a helper process reading the file stopped (exit code -9"
    )
    assert "preview" not in message and f"csdesk resume-import {batch['id']}" in message
    assert message.count("stopped after") == 1
    assert batch["status"] == "interrupted" and done == written[-1] and done % 100 == 0
    assert desk.customers.count() == batch["created_count"]
    assert import_helpers() == set()
    finished = desk.imports.resume(batch["id"])
    assert finished.created + finished.skipped == 3_000


def test_a_broken_line_is_reported_before_anything_is_written(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.auth.act_as_cli()
    monkeypatch.setattr(import_service, "BATCH_ROWS", 100)
    _helpers_on(monkeypatch)
    src = _write(tmp_path / "square.csv", 2_999)
    with src.open("a", encoding="utf-8") as fh:
        fh.write("SQx,Bo," + "L" * 1_000_001 + ",,,,,\n")  # over the cell limit, at the end
    lines = src.read_text(encoding="utf-8").count("\n")
    with pytest.raises(UserError) as preview:
        desk.imports.preview(src)
    with pytest.raises(UserError) as imported:
        desk.imports.import_file(src)
    assert imported.value.message == preview.value.message
    assert f"Line {lines} of this CSV file cannot be read" in imported.value.message
    assert desk.customers.count() == 0 and desk.imports.batches() == []
    assert import_helpers() == set()
