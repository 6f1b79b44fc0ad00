"""`csdesk visit` and `csdesk timeline`: exit codes, messages and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csdesk.cli import EXIT_NOT_FOUND, EXIT_USER_ERROR, main
from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk

NUMBER = "+1 212 555 0199"


def run(db: Path, *args: str) -> int:
    try:
        main(["--db", str(db), *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def shop(db_path: Path) -> tuple[Path, int]:
    desk = Desk.open(db_path)
    cid = desk.customers.create(
        CustomerDraft(first_name="Maria", last_name="García", phones=(("mobile", NUMBER),))
    ).id
    desk.close()
    return db_path, cid


def test_visit_by_id_json(shop: tuple[Path, int], capsys: pytest.CaptureFixture[str]) -> None:
    db, cid = shop
    code = run(
        db,
        "visit",
        "--customer",
        str(cid),
        "--purpose",
        "fitted walking boots",
        "--outcome",
        "happy",
        "--satisfaction",
        "5",
        "--json",
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == [
        "id",
        "customer_id",
        "customer_name",
        "created_customer",
        "at",
        "channel",
        "purpose",
        "outcome",
        "satisfaction",
        "direction",
        "duration_s",
    ]
    assert (out["customer_id"], out["channel"], out["purpose"], out["satisfaction"]) == (
        cid,
        "in_person",
        "fitted walking boots",
        5,
    )
    assert out["created_customer"] is False


def test_visit_by_phone_any_format(
    shop: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, cid = shop
    code = run(
        db,
        "visit",
        "--phone",
        "(212) 555-0199",
        "--channel",
        "phone",
        "--direction",
        "out",
        "--duration",
        "240",
    )
    assert code == 0
    assert f"#{cid}" in capsys.readouterr().out
    desk = Desk.open(db)
    visit = desk.visits.last(cid)
    assert visit is not None and (visit.direction, visit.duration_s) == ("out", 240)
    assert desk.customers.get(cid).visit_count == 1
    desk.close()


def test_unknown_number_fails_clearly(
    shop: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = shop
    code = run(db, "visit", "--phone", "+44 20 7946 0958")
    err = capsys.readouterr().err
    assert code == EXIT_NOT_FOUND
    assert "No customer has the number +44 20 7946 0958" in err and "--create" in err
    assert "Traceback" not in err
    desk = Desk.open(db)
    assert desk.customers.count() == 1
    desk.close()


def test_create_with_unknown_number(
    shop: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = shop
    code = run(
        db, "visit", "--phone", "+44 20 7946 0958", "--create", "--channel", "in-person", "--json"
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["created_customer"] is True
    desk = Desk.open(db)
    [customer] = desk.customers.by_phone("+442079460958")
    assert customer.id == out["customer_id"] and customer.visit_count == 1
    desk.close()
    # A second call finds the customer just created, without --create.
    assert run(db, "visit", "--phone", "+44 20 7946 0958") == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["visit"], 2, "exactly one of --customer"),
        (["visit", "--customer", "1", "--phone", NUMBER], 2, "exactly one"),
        (["visit", "--customer", "999"], EXIT_NOT_FOUND, "No customer #999"),
        (["visit", "--customer", "1", "--channel", "fax"], 2, "'fax' is not one of"),
        (["visit", "--phone", "not a number", "--create"], EXIT_USER_ERROR, "phone number"),
        (["visit", "--customer", "1", "--purpose", "x" * 5000], EXIT_USER_ERROR, "under 4000"),
        (["timeline", "999"], EXIT_NOT_FOUND, "No customer #999"),
        (["timeline", "1", "--kind", "gossip"], 2, "'gossip' is not one of"),
    ],
)
def test_errors_are_one_line_and_non_zero(
    shop: tuple[Path, int],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    db, _ = shop
    assert run(db, *args) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    # A usage error (2) is click's usage lines and then its one "Error:" line, as everywhere.
    lines = err.strip().splitlines()
    assert len(lines) == 1 or (code == 2 and lines[-1].startswith("Error: ") and message in lines[-1])


def test_shared_number_asks_which_customer(
    shop: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = shop
    desk = Desk.open(db)
    desk.customers.create(CustomerDraft(first_name="Luis", phones=(("home", NUMBER),)))
    desk.close()
    assert run(db, "visit", "--phone", NUMBER) == EXIT_USER_ERROR
    assert "2 customers share" in capsys.readouterr().err


def test_timeline_newest_first_json_and_text(
    shop: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, cid = shop
    assert run(db, "visit", "--customer", str(cid), "--purpose", "first") == 0
    assert (
        run(db, "visit", "--customer", str(cid), "--purpose", "second", "--channel", "email") == 0
    )
    desk = Desk.open(db)
    desk.notes.add(cid, "Allergic to latex", kind="warning")
    desk.close()
    capsys.readouterr()
    assert run(db, "timeline", str(cid), "--json") == 0
    entries = json.loads(capsys.readouterr().out)
    assert list(entries[0]) == [
        "kind",
        "ref_id",
        "at",
        "channel",
        "title",
        "detail",
        "staff_id",
    ]
    ats = [e["at"] for e in entries]
    assert ats == sorted(ats, reverse=True)
    assert {e["title"] for e in entries} == {
        "In person: first",
        "E-mail: second",
        "Note (warning): Allergic to latex",
    }
    assert run(db, "timeline", str(cid), "--kind", "note", "--json") == 0
    assert [e["kind"] for e in json.loads(capsys.readouterr().out)] == ["note"]
    assert run(db, "timeline", str(cid), "--limit", "1", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert run(db, "timeline", str(cid)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and any("In person: first" in line for line in lines)


def test_search_shows_note_matches(
    shop: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, cid = shop
    desk = Desk.open(db)
    desk.notes.add(cid, "Allergic to latex insoles")
    desk.close()
    assert run(db, "search", "latex", "--json") == 0
    [hit] = json.loads(capsys.readouterr().out)
    assert (hit["id"], hit["matched"], hit["snippet"]) == (cid, "note", "Allergic to latex insoles")
    assert run(db, "search", "latex") == 0
    assert "note: Allergic to latex insoles" in capsys.readouterr().out


@pytest.mark.parametrize("typed", ["not-a-phone", "12", "🙂 555"])
def test_visit_with_something_that_is_not_a_phone_number_says_so(
    shop: tuple[Path, int], capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    db, _ = shop
    code = run(db, "visit", "--phone", typed)
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR  # was 3, "No customer has the number"
    assert "No customer has the number" not in err
    assert "phone number" in err
    assert run(db, "visit", "--phone", typed, "--create") == EXIT_USER_ERROR
    desk = Desk.open(db)
    try:
        assert desk.customers.count() == 1  # --create made nobody
    finally:
        desk.close()
