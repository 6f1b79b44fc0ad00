"""A big file is read row by row and planned into compact items; the results stay the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.errors import UserError
from csdesk.services import phone
from csdesk.services.desk import Desk
from csdesk.services.importing.plan import open_file, read_file
from csdesk.services.importing.readers import iter_csv_lines, read_csv_lines

SQUARE = (
    "Square Customer ID,First Name,Last Name,Email Address,Phone Number,Memo\n"
    "SQ1,Maria,García,maria@example.com,(312) 555-0101,\"likes\nblue laces\"\n"
    ",,,,,\n"
    "SQ2,Li,Wei,,+44 20 7946 0958,\n"
    "SQ3,Maria,Lopez,maria.l@example.com,,\n"
)


def test_rows_come_one_by_one_with_the_count_known_first() -> None:
    header, count, rows = iter_csv_lines(SQUARE)
    assert count == 3  # the blank row is no row
    # (row a spreadsheet shows, first line, last line): the blank row 3 is counted as a row
    assert [(row, first, last) for row, first, last, _cells in rows] == [(2, 2, 3), (4, 5, 5), (5, 6, 6)]
    assert read_csv_lines(SQUARE)[0] == header


def test_a_broken_file_is_refused_before_any_row_is_planned() -> None:
    broken = "First Name,Last Name\nAna,Ruiz\nBo," + "L" * 1_000_001 + "\n"  # over the cell limit
    with pytest.raises(UserError, match="Line 3 of this CSV file cannot be read"):
        iter_csv_lines(broken)


def test_the_streamed_records_are_the_listed_ones(tmp_path: Path) -> None:
    path = tmp_path / "square.csv"
    path.write_text(SQUARE, encoding="utf-8")
    source = open_file(path)
    fmt, listed, sha = read_file(path)
    assert (source.fmt, source.total, source.sha256) == (fmt, len(listed), sha) == ("square", 3, sha)
    assert list(source.records) == listed


def test_packed_items_give_back_the_validated_rows(desk: Desk, tmp_path: Path) -> None:
    desk.auth.act_as_cli()
    path = tmp_path / "square.csv"
    path.write_text(SQUARE, encoding="utf-8")
    plan = desk.imports.preview(path)
    maria = plan.items[0]
    assert maria.action == "create"
    assert maria.row["first_name"] == "Maria" and maria.row["email_norm"] == "maria@example.com"
    assert [p["e164"] for p in maria.phones] == ["+13125550101"]
    assert [e["address"] for e in maria.emails] == ["maria@example.com"]
    # The same given name is one string shared by both rows, not two copies.
    assert plan.items[2].row["first_name"] is maria.row["first_name"]
    result = desk.imports.apply(plan)
    assert result.created == 3
    found = desk.customers.get(int(maria.customer_id or 0))
    assert (found.first_name, found.email, [p.e164 for p in found.phones]) == (
        "Maria", "maria@example.com", ["+13125550101"]
    )


def test_phone_parsing_is_remembered_but_a_refusal_is_not() -> None:
    first = phone.normalise(" (312) 555-0101 ", "us")
    assert phone.normalise("(312) 555-0101", "US") is first  # the same number, parsed once
    assert first.raw == "(312) 555-0101" and first.e164 == "+13125550101"
    for _ in range(2):
        with pytest.raises(UserError, match="wrong number of digits"):
            phone.normalise("555-01", "US")


def test_namesakes_are_looked_up_once_per_name(desk: Desk, tmp_path: Path) -> None:
    from csdesk.domain import CustomerDraft

    desk.auth.act_as_cli()
    existing = desk.customers.create(CustomerDraft(first_name="Maria", last_name="García")).id
    path = tmp_path / "namesakes.csv"
    path.write_text(
        "Square Customer ID,First Name,Last Name,Email Address\n"
        "SQ1,Maria,García,m1@example.com\nSQ2,MARIA,Garcia,m2@example.com\n"
        "SQ3,Li,Wei,li@example.com\n",
        encoding="utf-8",
    )
    statements: list[str] = []
    desk.db.conn.set_trace_callback(statements.append)
    try:
        plan = desk.imports.preview(path)
    finally:
        desk.db.conn.set_trace_callback(None)
    warned = [i.line for i in plan.items if any(f"#{existing}" in w for w in i.warnings)]
    assert warned == [2, 3]  # both spellings fold to the same name; Li Wei has no namesake
    assert sum("customers_fts" in s and "MATCH" in s for s in statements) == 2  # maria garcia, li wei


def test_a_short_file_into_a_big_database_asks_for_its_few_names(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file shorter than the preview's first page is never counted while it is read; it is
    small, so its few names are asked for one by one, not by a walk of every customer."""
    from csdesk.domain import CustomerDraft
    from csdesk.services.importing import plan as plan_module

    desk.auth.act_as_cli()
    existing = desk.customers.create(CustomerDraft(first_name="Maria", last_name="García")).id
    # "A big database" for this test: the one-pass walk is for files of 10+ rows per customer.
    monkeypatch.setattr(plan_module, "NAMESAKE_SCAN_MIN_CUSTOMERS", 1)
    monkeypatch.setattr(plan_module, "NAMESAKE_SCAN_ROWS_PER_CUSTOMER", 10)
    path = tmp_path / "short.csv"
    path.write_text(
        "Square Customer ID,First Name,Last Name,Email Address\n"
        "SQ1,Maria,García,m1@example.com\nSQ2,Li,Wei,li@example.com\n",
        encoding="utf-8",
    )
    statements: list[str] = []
    desk.db.conn.set_trace_callback(statements.append)
    try:
        plan = desk.imports.preview(path)
    finally:
        desk.db.conn.set_trace_callback(None)
    assert any(f"#{existing}" in w for w in plan.items[0].warnings)
    assert not any("SELECT id, exact_keys FROM customers ORDER BY id" in s for s in statements)


def test_plan_items_live_on_disk_a_page_at_a_time(desk: Desk, tmp_path: Path) -> None:
    from csdesk.services.importing.plan import PAGE_ITEMS

    src = tmp_path / "many.csv"
    rows = PAGE_ITEMS * 2 + 500
    src.write_text(
        "First Name,Last Name,Email\n"
        + "".join(f"P{i},Q{i},p{i}@example.com\n" for i in range(rows))
        + "P1,Again,p1@example.com\n",  # the same e-mail as row 3: skipped
        encoding="utf-8",
    )
    plan = desk.imports.preview(src)
    items = plan.items
    assert len(items) == rows + 1 and items._stored == 2  # two full pages went to the spool
    assert [i.name for i in items[PAGE_ITEMS - 1 : PAGE_ITEMS + 1]] == [
        f"P{PAGE_ITEMS - 1} Q{PAGE_ITEMS - 1}",
        f"P{PAGE_ITEMS} Q{PAGE_ITEMS}",
    ]
    assert items[-1].reason == "same e-mail as row 3 of this file"
    assert plan.summary() == {"rows": rows + 1, "created": rows, "updated": 0, "unchanged": 0, "skipped": 1}
    assert list(items.positions("skip")) == [rows]
    assert [i.line for i in items] == list(range(2, rows + 3))
    desk.auth.act_as_cli()
    desk.imports.apply(plan)
    # What apply decided (the ids it gave) is stored back, whichever page it was on.
    ids = [i.customer_id for i in plan.items]
    assert ids[:-1] == list(range(1, rows + 1)) and ids[-1] is None
    assert desk.customers.get(ids[PAGE_ITEMS + 7] or 0).first_name == f"P{PAGE_ITEMS + 7}"


def test_a_customer_gone_before_apply_is_reported_skipped_from_the_stored_plan(
    desk: Desk, tmp_path: Path
) -> None:
    desk.auth.act_as_cli()
    first = tmp_path / "first.csv"
    first.write_text("First Name,Last Name,Email\nAnn,Gone,ann@example.com\n", encoding="utf-8")
    desk.imports.apply(desk.imports.preview(first))
    again = tmp_path / "again.csv"
    again.write_text("First Name,Last Name,Email,Company\nAnn,Gone,ann@example.com,Acme\n", encoding="utf-8")
    plan = desk.imports.preview(again)
    assert plan.count("update") == 1
    desk.db.execute("DELETE FROM customers")  # merged away at another counter meanwhile
    assert desk.imports.apply(plan).updated == 0
    [item] = plan.items
    assert (item.action, item.reason) == ("skip", "customer #1 no longer exists")
    assert plan.summary()["skipped"] == 1


def test_a_big_file_into_a_big_database_finds_namesakes_in_one_pass(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csdesk.domain import CustomerDraft
    from csdesk.services.importing import plan as plan_module

    desk.auth.act_as_cli()
    ids = [desk.customers.create(CustomerDraft(first_name="Maria", last_name="García")).id for _ in range(5)]
    wei = desk.customers.create(CustomerDraft(first_name="Li", last_name="Wei", preferred_name="Lee")).id
    path = tmp_path / "namesakes.csv"
    rows = "".join(f"SQ{i},{n},m{i}@example.com\n" for i, n in enumerate(
        ["Maria,García", "MARIA,Garcia", "Li,Wei", "Lee,Wei", "Ann,Nobody"] * 300))  # fmt: skip
    path.write_text("Square Customer ID,First Name,Last Name,Email Address\n" + rows, encoding="utf-8")
    one_by_one = [i.warnings for i in desk.imports.preview(path).items]
    monkeypatch.setattr(plan_module, "NAMESAKE_SCAN_MIN_CUSTOMERS", 1)
    statements: list[str] = []
    desk.db.conn.set_trace_callback(statements.append)
    try:
        scanned = desk.imports.preview(path)
    finally:
        desk.db.conn.set_trace_callback(None)
    assert not any("customers_fts" in s and "MATCH" in s for s in statements)  # no query a name
    assert [i.warnings for i in scanned.items] == one_by_one  # the same warnings, pages and all
    assert f"#{ids[0]}, #{ids[1]}, #{ids[2]} and others" in one_by_one[1][0]
    assert f"#{wei} " in one_by_one[3][0] and one_by_one[4] == []  # by the preferred name too
