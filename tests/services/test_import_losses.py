"""Issue 13.5: an import never loses a person or a value without saying so."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk


@pytest.fixture(autouse=True)
def _as_admin(desk: Desk) -> None:
    desk.auth.act_as_cli()


def _csv(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    return src


def test_a_same_named_customer_is_created_and_flagged(desk: Desk, tmp_path: Path) -> None:
    old = desk.customers.create(CustomerDraft(first_name="Mary", last_name="Byrne"))
    plan = desk.imports.preview(_csv(tmp_path, "First Name,Last Name\nMary,Byrne\n"))
    [item] = plan.items
    assert item.action == "create", item
    assert any(f"#{old.id}" in w and "same name" in w for w in item.warnings), item.warnings
    desk.imports.apply(plan)
    assert desk.customers.count() == 2


def test_one_bad_phone_keeps_the_person_and_the_good_values(desk: Desk, tmp_path: Path) -> None:
    src = _csv(
        tmp_path,
        "First Name,Last Name,Email,Phone,Home Phone\n"
        "Ann,Lee,ann@example.com,not a phone!!,+1 212 555 0100\n"
        "Bo,Ray,bo-at-example,+1 212 555 0101,\n",
    )
    plan = desk.imports.preview(
        src,
        mapping={
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Phone": "phone",
            "Home Phone": "phone:home",
        },
    )
    ann, bo = plan.items
    assert ann.action == "create" and bo.action == "create"
    assert any("not a phone!!" in w and "left out" in w for w in ann.warnings), ann.warnings
    assert any("bo-at-example" in w and "left out" in w for w in bo.warnings), bo.warnings
    desk.imports.apply(plan)
    a = desk.customers.get(ann.customer_id or 0)
    assert a.email == "ann@example.com" and [p.e164 for p in a.phones] == ["+12125550100"]
    b = desk.customers.get(bo.customer_id or 0)
    assert b.email == "" and [p.e164 for p in b.phones] == ["+12125550101"]


def test_a_row_with_only_bad_values_is_skipped_saying_which(desk: Desk, tmp_path: Path) -> None:
    src = _csv(tmp_path, "Email,Phone\nnope,xx\n")
    [item] = desk.imports.preview(src, mapping={"Email": "email", "Phone": "phone"}).items
    assert item.action == "skip"
    assert "nope" in item.reason and "xx" in item.reason


def test_an_unclosed_quote_is_reported_not_swallowed(desk: Desk, tmp_path: Path) -> None:
    src = _csv(
        tmp_path,
        "First Name,Last Name,Phone\n"
        'Ana,"Garcia,+1 212 555 0100\n'
        "Bo,Li,+1 212 555 0101\n"
        "Cy,Do,+1 212 555 0102\n",
    )
    plan = desk.imports.preview(src)
    [item] = plan.items
    assert item.action == "skip"
    assert "quote" in item.reason and "lines 2-4" in item.reason
    assert "\n" not in item.name
    desk.imports.apply(plan)
    assert desk.customers.count() == 0


def test_a_memo_may_span_lines(desk: Desk, tmp_path: Path) -> None:
    src = _csv(tmp_path, 'First Name,Notes\nAna,"two\nlines"\nBo,x\n')
    plan = desk.imports.preview(src, mapping={"First Name": "first_name", "Notes": "note"})
    assert [(i.line, i.action) for i in plan.items] == [(2, "create"), (3, "create")]


def test_a_huge_name_is_not_echoed_in_full(desk: Desk, tmp_path: Path) -> None:
    src = tmp_path / "big.vcf"
    src.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:"
        + "A" * 2_000_000
        + "\r\nN:"
        + "B" * 2_000_000
        + ";;;;\r\nEMAIL:"
        + "c" * 1_000_000
        + "@example.com\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    [item] = desk.imports.preview(src).items
    assert item.action == "skip"
    assert len(item.name) <= 80 and item.name.endswith("…")
    assert len(item.reason) <= 240 and all(len(w) <= 240 for w in item.warnings)


def test_row_numbers_are_the_spreadsheets_blank_rows_counted(desk: Desk, tmp_path: Path) -> None:
    """A bad phone on row 5 after a blank row was reported as row 4 (a row that is not blank was
    counted, not a row): the person fixed the wrong row. A cell over two lines is one row."""
    src = _csv(tmp_path, 'Name,Tel,Memo\nAl One,+1 415 555 0141,"two\nlines"\n\n,,\nBad Guy,xx,\n')
    plan = desk.imports.preview(src)
    assert [(item.line, item.name) for item in plan.items] == [(2, "Al One"), (5, "Bad Guy")]
    [bad] = [item for item in plan.items if item.name == "Bad Guy"]
    assert any("xx" in w for w in [*bad.warnings, bad.reason]), (bad.warnings, bad.reason)
