"""Invisible characters are not stored (explore items 17 and 18): a NUL from a CSV import went
raw into the CSV and vCard exports, and "\u202eevil\u202c RLO" showed as "live RLO" while the
search for "evil" found it. One rule (csdesk/text.py clean_line/clean_text) for every face."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services import computer
from csdesk.services.desk import Desk
from csdesk.text import clean_line, clean_text

RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


@pytest.mark.parametrize(
    ("typed", "line", "text"),
    [
        ("Null\x00Byte", "NullByte", "NullByte"),
        (f"{RLO}evil{PDF} RLO", "evil RLO", "evil RLO"),
        (f"{LRI}Ada{PDI}\x1b[31m", "Ada[31m", "Ada[31m"),
        ("C1\x85next\x9bx", "C1 nextx", "C1\nnextx"),
        ("two\r\nlines\tand a tab", "two lines and a tab", "two\nlines\tand a tab"),
        # right to left needs no override: letters, and the marks a script uses, stay as typed
        ("محمد عبد الله", "محمد عبد الله", "محمد عبد الله"),
        ("שרה\u200f כהן", "שרה\u200f כהן", "שרה\u200f כהן"),
        ("می\u200cخواهم", "می\u200cخواهم", "می\u200cخواهم"),
    ],
)
def test_the_rule(typed: str, line: str, text: str) -> None:
    assert clean_line(typed) == line
    assert clean_text(typed) == text


def test_typed_customer_is_stored_without_hidden_characters(desk: Desk) -> None:
    made = desk.customers.create(
        CustomerDraft(
            first_name=f"{RLO}evil{PDF}", last_name="RLO\x00", company="Acme\x07",
            address="1 Main St\n\x00Springfield", phones=(("mobile\x00", "+1 212\x00 555 0100"),),
        )
    )
    got = desk.customers.get(made.id)
    assert (got.first_name, got.last_name, got.company) == ("evil", "RLO", "Acme")
    assert got.address == "1 Main St\nSpringfield"  # the address keeps its lines
    assert got.phones[0].raw == "+1 212 555 0100" and got.phones[0].label == "mobile"
    hits = desk.search.search("evil")
    assert [h.customer_id for h in hits] == [made.id]
    assert RLO not in hits[0].display_name and hits[0].display_name.startswith("evil")


def test_right_to_left_names_are_stored_as_typed(desk: Desk) -> None:
    made = desk.customers.create(CustomerDraft(first_name="محمد", last_name="עברי\u200f"))
    got = desk.customers.get(made.id)
    assert (got.first_name, got.last_name) == ("محمد", "עברי\u200f")
    assert [h.customer_id for h in desk.search.search("محمد")] == [made.id]


def test_notes_visits_and_settings(desk: Desk) -> None:
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    note = desk.notes.add(cid, f"Size\x00 43\n{RLO}left\tfoot")
    assert note.body == "Size 43\nleft\tfoot"
    edited = desk.notes.edit(note.id, body="a\x00b")
    assert edited.body == "ab"
    visit = desk.visits.log(cid, purpose=f"boots{RLO}", outcome="ok\x00\nthanks")
    assert (visit.purpose, visit.outcome) == ("boots", "ok\nthanks")
    assert desk.visits.edit(visit.id, purpose="\x00laces").purpose == "laces"
    desk.auth.act_as_cli()
    assert desk.shop.set("shop_name", f"{RLO}Trail & Co{PDF}\x00") == "Trail & Co"
    assert desk.shop.get("shop_name") == "Trail & Co"


def test_computer_name() -> None:
    assert computer.set_computer_name(f"{RLO}Counter\x00 2") == "Counter 2"
    assert computer.computer_name() == "Counter 2"


def test_import_keeps_the_person_says_so_and_exports_are_clean(
    desk: Desk, tmp_path: Path
) -> None:
    desk.auth.act_as_cli()
    src = tmp_path / "nul.csv"
    src.write_text(
        "First Name,Last Name,Email,Notes\n"
        f"Null\x00,Byte,nul@example.com,likes{RLO} red\n"
        "Plain,Person,plain@example.com,\n",
        encoding="utf-8",
    )
    plan = desk.imports.preview(src)
    first, second = plan.items
    assert first.action == "create" and first.name == "Null Byte"
    assert "invisible control characters removed from the first name, note" in first.warnings
    assert second.warnings == []
    desk.imports.apply(plan)
    (hit,) = desk.search.search("Null")
    got = desk.customers.get(hit.customer_id)
    assert got.first_name == "Null"
    assert [n.body for n in desk.notes.for_customer(got.id)] == ["likes red"]
    csv_out, vcf_out = tmp_path / "c.csv", tmp_path / "c.vcf"
    desk.exports.to_csv(csv_out)
    desk.exports.to_vcard(vcf_out)
    for out in (csv_out, vcf_out):
        data = out.read_bytes()
        assert b"\x00" not in data and RLO.encode() not in data and b"Null" in data


def test_the_command_line_goes_through_the_same_rule(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.commands.cli_runner import run

    code, out, _ = run(db_path, "computer", f"{RLO}Counter\x07 3", capsys=capsys)
    assert code == 0 and "now “Counter 3”" in out and RLO not in out
    desk = Desk.open(db_path)
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    desk.close()
    code, _, err = run(db_path, "visit", "--customer", str(cid), "--purpose", f"{RLO}boots\x1b",
                       capsys=capsys)
    assert code == 0, err
    desk = Desk.open(db_path)
    assert [v.purpose for v in desk.visits.for_customer(cid)] == ["boots"]
    desk.close()


def test_issues_follow_ups_and_staff_names(desk: Desk) -> None:
    from datetime import timedelta

    from csdesk.domain import IssueDraft, Role
    from tests.services.helpers_security import make_admin

    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    issue = desk.issues.log(IssueDraft(customer_id=cid, title=f"{RLO}zip\x00 broken",
                                       description="left\x07 boot\nright boot"))
    assert (issue.title, issue.description) == ("zip broken", "left boot\nright boot")
    assert desk.issues.comment(issue.id, f"called{RLO}\x00").comment == "called"
    due = desk.context.clock() + timedelta(days=1)
    followup = desk.followups.add(cid, f"call\x00 back{PDF}", due)
    assert followup.title == "call back"
    assert desk.followups.complete(followup.id, "done\x1b").outcome == "done"
    make_admin(desk)
    assert desk.auth.add_staff(f"{RLO}Bob\x00 Lee", Role.LEAD, "13579").name == "Bob Lee"
    assert desk.issues.add_category(f"Re{RLO}pairs").name == "Repairs"
