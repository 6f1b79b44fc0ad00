"""Exporting customers, and import -> export -> import stability."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from csdesk.domain import CustomerDraft
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
    first = Desk.open(tmp_path / "one.db", clock=clock)
    load_all(first)
    e1 = tmp_path / "e1.csv"
    count = first.exports.to_csv(e1)
    assert count == first.customers.count() == 20
    # The same file again into the same database: everyone is recognised, nobody is added.
    again = first.imports.preview(e1)
    assert again.fmt == "csdesk"
    assert again.summary()["created"] == 0 and again.summary()["skipped"] == 0
    first.close()
    second = Desk.open(tmp_path / "two.db", clock=clock)
    plan = second.imports.preview(e1)
    assert plan.summary()["created"] == 20
    second.imports.apply(plan)
    e2 = tmp_path / "e2.csv"
    second.exports.to_csv(e2)
    second.close()
    assert people(e1) == people(e2)


def test_vcard_round_trip_is_stable(tmp_path: Path, clock: FakeClock) -> None:
    first = Desk.open(tmp_path / "one.db", clock=clock)
    load_all(first)
    vcf, e1 = tmp_path / "all.vcf", tmp_path / "e1.csv"
    assert first.exports.to_vcard(vcf) == 20
    first.exports.to_csv(e1)
    text = vcf.read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == 20 and "VERSION:4.0" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    first.close()
    second = Desk.open(tmp_path / "two.db", clock=clock)
    plan = second.imports.preview(vcf)
    assert plan.summary()["created"] == 20, [
        i.as_json() for i in plan.items if i.action != "create"
    ]
    second.imports.apply(plan)
    e2 = tmp_path / "e2.csv"
    second.exports.to_csv(e2)
    second.close()
    assert people(e1) == people(e2)
