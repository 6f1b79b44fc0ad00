"""Exporting customers, and import -> export -> import stability."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft, Role
from csdesk.errors import PermissionDenied, UserError
from csdesk.services.desk import Desk
from csdesk.services.exporting import CSV_COLUMNS, neutralise
from tests.conftest import FakeClock

DATA = Path(__file__).resolve().parent.parent / "data" / "import"
SAMPLES = (
    "square_export.csv",
    "shopify_export_utf16.csv",
    "shopify_template_cp1252.csv",
    "google_contacts.csv",
    "google_contacts_legacy.csv",
    "contacts_v3.vcf",
    "contacts_v4.vcf",
)
# Columns that describe this database rather than the person.
VOLATILE = ("csdesk_id", "created_at", "last_visit_at", "visit_count")


def admin(path: Path, clock: FakeClock) -> Desk:
    desk = Desk.open(path, clock=clock)
    desk.auth.act_as_cli()
    return desk


def load_all(desk: Desk) -> None:
    for name in SAMPLES:
        desk.imports.apply(desk.imports.preview(DATA / name))


def people(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return sorted(
        ({k: v for k, v in r.items() if k not in VOLATILE} for r in rows),
        key=lambda r: sorted(r.items()),
    )


def test_csv_export_is_excel_friendly_and_safe(desk: Desk, tmp_path: Path) -> None:
    desk.auth.act_as_cli()
    desk.customers.create(
        CustomerDraft(
            first_name="=cmd|' /C calc'!A0",
            last_name="@SUM(1)",
            company="-2+3",
            phones=(("mobile", "+1 212 555 0100"),),
        )
    )
    out = tmp_path / "c.csv"
    assert desk.exports.to_csv(out) == 1
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["first_name"] == "'=cmd|' /C calc'!A0"
    assert row["last_name"] == "'@SUM(1)" and row["company"] == "'-2+3"
    assert row["phone_1"] == "+1 212 555 0100"  # a phone number cannot run: no apostrophe
    assert not (tmp_path / "c.csv.part").exists()


def test_neutralise() -> None:
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@a", "\tx", "ok", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "ok",
        "",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+353 87 123 4567", "+353 87 123 4567"),
        ("+1 (212) 555-0100", "+1 (212) 555-0100"),
        ("+44.20.7946.0958", "+44.20.7946.0958"),
        ("--05-17", "--05-17"),
        ("--0517", "--0517"),
        ("+1+1", "'+1+1"),
        ("+A1", "'+A1"),
        ("+353 87 SUM(1)", "'+353 87 SUM(1)"),
        ("-2+3", "'-2+3"),
        ("--05-17+1", "'--05-17+1"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ('+HYPERLINK("http://x")', '\'+HYPERLINK("http://x")'),
        ("1984-03-07", "1984-03-07"),
    ],
)
def test_only_what_could_run_gets_an_apostrophe(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def _raw_cells(path: Path) -> list[dict[str, str]]:
    """The export as a tool that knows nothing of csdesk reads it: cells exactly as written."""
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_phones_and_birthdays_go_out_as_written(desk: Desk, tmp_path: Path) -> None:
    desk.auth.act_as_cli()
    desk.customers.create(
        CustomerDraft(
            first_name="Aoife",
            last_name="Byrne",
            birthday="--05-17",
            email="aoife@example.ie",
            phones=(("mobile", "+353 87 123 4567"), ("home", "+353 1 234 5678")),
        )
    )
    out = tmp_path / "c.csv"
    desk.exports.to_csv(out)
    [row] = _raw_cells(out)
    assert (row["phone_1"], row["phone_2"], row["birthday"]) == (
        "+353 87 123 4567",
        "+353 1 234 5678",
        "--05-17",
    )
    assert "'" not in out.read_text(encoding="utf-8-sig")


# What other tools' importers expect, fed from our export's cells as they are (no cleaning):
# if an apostrophe were still there, these imports would keep it or fail to read the value.
_AS_GOOGLE = {
    "first_name": "First Name",
    "last_name": "Last Name",
    "birthday": "Birthday",
    "email": "E-mail 1 - Value",
    "phone_1": "Phone 1 - Value",
    "phone_1_label": "Phone 1 - Label",
    "phone_2": "Phone 2 - Value",
    "phone_2_label": "Phone 2 - Label",
}
_AS_SHOPIFY = {
    "first_name": "First Name",
    "last_name": "Last Name",
    "email": "Email",
    "phone_1": "Phone",
    "phone_2": "Default Address Phone",
    "address": "Default Address Address1",
}


@pytest.mark.parametrize(("columns", "fmt"), [(_AS_GOOGLE, "google"), (_AS_SHOPIFY, "shopify")])
def test_export_cells_round_trip_through_other_formats(
    tmp_path: Path, clock: FakeClock, columns: dict[str, str], fmt: str
) -> None:
    first = admin(tmp_path / "one.db", clock)
    load_all(first)
    e1 = tmp_path / "e1.csv"
    first.exports.to_csv(e1)
    want = {
        c.email: (c.birthday if fmt == "google" else "", [p.e164 for p in c.phones[:2]])
        for c in (first.customers.get(i) for i in range(1, first.customers.count() + 1))
        if c.email
    }
    first.close()
    other = tmp_path / f"as_{fmt}.csv"
    with other.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns.values())
        for row in _raw_cells(e1):
            writer.writerow(row[k] for k in columns)
    second = admin(tmp_path / "two.db", clock)
    plan = second.imports.preview(other)
    assert plan.fmt == fmt
    second.imports.apply(plan)
    got = {}
    for email in want:
        [hit] = [h for h in second.search.search(email) if h.email == email]
        c = second.customers.get(hit.customer_id)
        got[email] = (c.birthday if fmt == "google" else "", [p.e164 for p in c.phones])
    second.close()
    assert got == want and len(want) >= 10


def test_csv_round_trip_is_stable(tmp_path: Path, clock: FakeClock) -> None:
    first = admin(tmp_path / "one.db", clock)
    load_all(first)
    e1 = tmp_path / "e1.csv"
    count = first.exports.to_csv(e1)
    assert count == first.customers.count() == 22  # people with a bad phone are kept
    # The same file again into the same database: everyone is recognised, nobody is added.
    again = first.imports.preview(e1)
    assert again.fmt == "csdesk"
    assert again.summary()["created"] == 0 and again.summary()["skipped"] == 0
    first.close()
    second = admin(tmp_path / "two.db", clock)
    plan = second.imports.preview(e1)
    assert plan.summary()["created"] == 22
    second.imports.apply(plan)
    e2 = tmp_path / "e2.csv"
    second.exports.to_csv(e2)
    second.close()
    assert people(e1) == people(e2)


def test_vcard_round_trip_is_stable(tmp_path: Path, clock: FakeClock) -> None:
    first = admin(tmp_path / "one.db", clock)
    load_all(first)
    vcf, e1 = tmp_path / "all.vcf", tmp_path / "e1.csv"
    assert first.exports.to_vcard(vcf) == 22
    first.exports.to_csv(e1)
    text = vcf.read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == 22 and "VERSION:4.0" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    first.close()
    second = admin(tmp_path / "two.db", clock)
    plan = second.imports.preview(vcf)
    assert plan.summary()["created"] == 22, [i.as_json() for i in plan.items if i.action != "create"]
    second.imports.apply(plan)
    e2 = tmp_path / "e2.csv"
    second.exports.to_csv(e2)
    second.close()
    assert people(e1) == people(e2)


def test_staff_cannot_export_import_or_merge(desk: Desk, tmp_path: Path) -> None:
    a = desk.customers.create(CustomerDraft(first_name="A", email="a@example.com"))
    b = desk.customers.create(CustomerDraft(first_name="B", email="a@example.com"))
    assert desk.actor.role == Role.STAFF
    with pytest.raises(PermissionDenied, match="export"):
        desk.exports.to_csv(tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    plan = desk.imports.preview(DATA / "square_export.csv")  # looking is allowed
    with pytest.raises(PermissionDenied):
        desk.imports.apply(plan)
    assert desk.duplicates.pairs()  # so is listing duplicates
    with pytest.raises(PermissionDenied):
        desk.duplicates.merge(a.id, b.id)
    assert desk.customers.count() == 2
    assert desk.db.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0


def test_a_customer_export_is_audited_once_the_file_exists(desk: Desk, tmp_path: Path) -> None:
    desk.auth.act_as_cli()
    desk.customers.create(CustomerDraft(first_name="Ines", last_name="Ortega"))
    desk.exports.to_csv(tmp_path / "c.csv")
    desk.exports.to_vcard(tmp_path / "c.vcf")
    with pytest.raises(UserError):
        desk.exports.to_csv(tmp_path / "missing" / "c.csv")  # no file: nothing recorded
    exports = [e for e in desk.audit.entries() if e.action == "export" and e.entity == "customers"]
    assert [(e.after["format"], e.after["rows"]) for e in reversed(exports)] == [("csv", 1), ("vcard", 1)]
    assert {e.staff_id for e in exports} == {desk.actor.id}
