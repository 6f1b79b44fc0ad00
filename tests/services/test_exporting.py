"""Exporting customers, and import -> export -> import stability."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft, Role
from csdesk.errors import PermissionDenied
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
    assert row["phone_1"] == "'+1 212 555 0100"
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


def test_csv_round_trip_is_stable(tmp_path: Path, clock: FakeClock) -> None:
    first = admin(tmp_path / "one.db", clock)
    load_all(first)
    e1 = tmp_path / "e1.csv"
    count = first.exports.to_csv(e1)
    assert count == first.customers.count() == 20
    # The same file again into the same database: everyone is recognised, nobody is added.
    again = first.imports.preview(e1)
    assert again.fmt == "csdesk"
    assert again.summary()["created"] == 0 and again.summary()["skipped"] == 0
    first.close()
    second = admin(tmp_path / "two.db", clock)
    plan = second.imports.preview(e1)
    assert plan.summary()["created"] == 20
    second.imports.apply(plan)
    e2 = tmp_path / "e2.csv"
    second.exports.to_csv(e2)
    second.close()
    assert people(e1) == people(e2)


def test_vcard_round_trip_is_stable(tmp_path: Path, clock: FakeClock) -> None:
    first = admin(tmp_path / "one.db", clock)
    load_all(first)
    vcf, e1 = tmp_path / "all.vcf", tmp_path / "e1.csv"
    assert first.exports.to_vcard(vcf) == 20
    first.exports.to_csv(e1)
    text = vcf.read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == 20 and "VERSION:4.0" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    first.close()
    second = admin(tmp_path / "two.db", clock)
    plan = second.imports.preview(vcf)
    assert plan.summary()["created"] == 20, [i.as_json() for i in plan.items if i.action != "create"]
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
