"""The issue and follow-up commands: exit codes, one-line errors, stable JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.domain import CustomerDraft, Role
from csdesk.services.desk import Desk
from csdesk.store import staff as staff_store
from csdesk.store.db import atomic

ISSUE_KEYS = [
    "id", "customer_id", "customer", "title", "description", "category", "priority", "channel",
    "owner", "status", "due_at", "seconds_left", "time_label", "overdue", "resolution",
    "satisfaction", "goodwill_cents", "version",
]  # fmt: skip
FOLLOWUP_KEYS = [
    "id", "customer_id", "customer", "issue_id", "title", "due_at", "owner", "done_at", "outcome",
    "seconds_left", "time_label", "overdue", "version",
]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    desk = Desk.open(path)
    desk.customers.create(CustomerDraft(first_name="Ada", last_name="Byron"))
    with atomic(desk.db):
        staff_store.insert(desk.db, "Lena", Role.LEAD.value, desk.now_iso())
    desk.close()
    return path


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(["--db", str(db), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_issue_new_json_and_list(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        db, capsys, "issue", "new", "--customer", "1", "--title", "late delivery",
        "--priority", "high", "--category", "delivery", "--goodwill", "$12.50",
        "--goodwill-kind", "gift", "--json",
    )  # fmt: skip
    assert code == 0
    issue = json.loads(out)
    assert list(issue) == ISSUE_KEYS
    assert (issue["title"], issue["priority"], issue["category"]) == (
        "late delivery",
        "high",
        "Delivery",
    )
    assert (issue["goodwill_cents"], issue["customer"], issue["status"]) == (
        1250,
        "Ada Byron",
        "open",
    )
    assert issue["time_label"].endswith("left") and issue["overdue"] is False
    code, out, _ = run(db, capsys, "issues", "--json")
    assert code == 0 and [i["id"] for i in json.loads(out)] == [issue["id"]]
    code, out, _ = run(db, capsys, "issues", "--overdue", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(db, capsys, "issues")
    assert code == 0 and "late delivery" in out and "Ada Byron" in out


def test_status_changes_and_refusals(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(db, capsys, "issue", "new", "--customer", "1", "--title", "kettle")
    code, _, err = run(db, capsys, "issue", "status", "1", "resolved")
    assert (
        code == 1 and err.startswith("csdesk: Say how it was resolved") and "Traceback" not in err
    )
    code, _, err = run(db, capsys, "issue", "status", "1", "closed")
    assert code == 1 and "cannot become closed" in err
    code, out, _ = run(db, capsys, "issue", "status", "1", "in-progress", "--comment", "on it")
    assert code == 0 and "in progress" in out
    code, out, _ = run(
        db, capsys, "issue", "status", "1", "resolved", "--resolution", "replaced",
        "--satisfaction", "5", "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0 and (data["status"], data["resolution"], data["satisfaction"]) == (
        "resolved", "replaced", 5,
    )  # fmt: skip
    assert data["seconds_left"] is None
    code, out, _ = run(db, capsys, "issues", "--status", "resolved", "--json")
    assert [i["id"] for i in json.loads(out)] == [1]
    code, out, _ = run(db, capsys, "issue", "status", "1", "reopen", "--comment", "broke again")
    assert code == 0 and "now open" in out
    code, out, _ = run(db, capsys, "issue", "show", "1", "--json")
    kinds = [e["kind"] for e in json.loads(out)["events"]]
    assert kinds == ["created", "status", "status", "reopened"]
    code, _, err = run(db, capsys, "issue", "status", "1", "lost")
    assert code == 1 and "not a status" in err
    code, _, err = run(db, capsys, "issue", "status", "99", "closed")
    assert code == 3 and "No issue #99" in err


def test_goodwill_limit_follows_staff_option(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("issue", "new", "--customer", "1", "--title", "refund", "--goodwill", "120", "--json")
    code, _, err = run(db, capsys, *args)
    assert code == 4 and "Front desk (staff) may give up to 50.00" in err
    code, out, _ = run(db, capsys, "issues", "--status", "all", "--json")
    assert json.loads(out) == []  # no partial write
    code, out, _ = run(db, capsys, "--staff", "Lena", *args)
    assert code == 0 and json.loads(out)["goodwill_cents"] == 12000
    code, _, err = run(db, capsys, "--staff", "Nobody", *args)
    assert code == 3 and "Nobody" in err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--goodwill", "-5"), 1, "cannot be negative"),
        (("--goodwill", "lots"), 1, "is not an amount"),
        (("--goodwill-kind", "gift"), 2, "--goodwill-kind needs"),
        (("--priority", "whenever"), 2, "whenever"),
        (("--category", "weather"), 1, "no category"),
        (("--owner", "Ghost"), 1, "No staff member"),
        # A date that cannot be read is a usage error, like every other command's (issue 13.11).
        (("--due", "2026-02-30"), 2, "There is no 2026-02-30"),
        (("--title", "   "), 1, "title"),
    ],
)
def test_bad_input_table(
    db: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, message: str
) -> None:
    got, _, err = run(db, capsys, "issue", "new", "--customer", "1", "--title", "x", *args)
    assert got == code and message in err and "Traceback" not in err
    assert json.loads(run(db, capsys, "issues", "--status", "all", "--json")[1]) == []


def test_followups_cli(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        db, capsys, "followup", "new", "--customer", "1", "--title", "call back", "--due",
        "today", "--json",
    )  # fmt: skip
    followup = json.loads(out)
    assert code == 0 and list(followup) == FOLLOWUP_KEYS and followup["customer"] == "Ada Byron"
    run(db, capsys, "followup", "new", "--customer", "1", "--title", "letter", "--due", "in 9 days")
    code, out, _ = run(db, capsys, "followups", "--json")
    assert code == 0 and [f["title"] for f in json.loads(out)] == ["call back"]
    code, out, _ = run(db, capsys, "followups", "--due", "all", "--json")
    assert [f["title"] for f in json.loads(out)] == ["call back", "letter"]
    code, out, _ = run(db, capsys, "followup", "done", str(followup["id"]), "--outcome", "Called")
    assert code == 0 and "Called" in out
    code, _, err = run(db, capsys, "followup", "done", str(followup["id"]))
    assert code == 1 and "already done" in err
    code, _, err = run(db, capsys, "followups")
    assert code == 0 and "Nothing due" in err
    code, _, err = run(
        db, capsys, "followup", "new", "--customer", "1", "--title", "x", "--due", "someday"
    )
    assert code == 2 and "not a date I know" in err  # a usage error, as for every command
    code, _, err = run(
        db, capsys, "followup", "new", "--customer", "1", "--title", "x", "--due", "friday",
        "--issue", "42",
    )  # fmt: skip
    assert code == 3 and "No issue #42" in err
