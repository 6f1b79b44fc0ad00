"""Importing customers from real-world sample files into a real database file."""

from __future__ import annotations

import codecs
from dataclasses import replace
from pathlib import Path

import pytest

from csdesk.domain import Channel, CustomerDraft
from csdesk.errors import NotFound, UserError
from csdesk.services.desk import Desk
from csdesk.services.importing import service as import_service
from csdesk.services.importing.readers import decode
from csdesk.services.importing.records import birthday, clean
from tests.conftest import FakeClock
from tests.settings_seam import set_setting

DATA = Path(__file__).resolve().parent.parent / "data" / "import"


@pytest.fixture(autouse=True)
def _as_admin(desk: Desk) -> None:
    """Imports, merges and exports are a lead's or an admin's job; permissions have own tests."""
    desk.auth.act_as_cli()


def by_email(desk: Desk, email: str) -> int:
    hits = [h for h in desk.search.search(email, limit=5) if h.email == email]
    assert len(hits) == 1, f"expected one customer with {email}, got {hits}"
    return hits[0].customer_id


def import_file(desk: Desk, name: str, **kwargs: object) -> tuple[object, object]:
    plan = desk.imports.preview(DATA / name, **kwargs)  # type: ignore[arg-type]
    return plan, desk.imports.apply(plan)


def test_square_export(desk: Desk) -> None:
    plan, _result = import_file(desk, "square_export.csv")
    assert plan.fmt == "square"
    assert plan.summary() == {"rows": 8, "created": 6, "updated": 0, "unchanged": 0, "skipped": 2}
    reasons = {i.line: i.reason for i in plan.items if i.action == "skip"}
    # An impossible phone "12" is left out; the person is kept (issue 13.5).
    bad_phone = next(i for i in plan.items if i.line == 5)
    assert bad_phone.action == "create"
    assert any("wrong number of digits" in w for w in bad_phone.warnings)
    assert reasons[6] == "no name and no contact details"
    assert reasons[7] == "same e-mail as row 2 of this file"  # case differs only
    ana = desk.customers.get(by_email(desk, "ana.garcia@example.com"))
    assert (ana.first_name, ana.last_name, ana.preferred_name) == ("Ana", "García Márquez", "Anita")
    assert ana.phones[0].raw == "+34 612 345 678"  # the leading apostrophe is gone, + kept
    assert ana.phones[0].e164 == "+34612345678"
    assert ana.birthday == "--03-07"  # Square's MM-DD: no year
    assert ana.marketing_consent is True
    assert ana.address == "Calle Mayor 5, 2º, Madrid, 28013"
    sean = desk.customers.get(by_email(desk, "sean@example.ie"))
    assert sean.marketing_consent is False and sean.birthday == "1984-11-30"
    taro = desk.customers.get(by_email(desk, "taro@example.jp"))
    assert (taro.first_name, taro.last_name) == ("山田", "太郎")
    lukas = desk.customers.get(by_email(desk, "lukas@example.de"))
    assert lukas.phones[0].raw == "0049 30 12345678" and lukas.phones[0].e164 == "+493012345678"
    assert lukas.birthday == ""
    assert any("31-02" in w for i in plan.items for w in i.warnings)
    zoe = next(h for h in desk.search.search("Zoë O'Brien") if h.display_name.startswith("Zoë"))
    zoe_c = desk.customers.get(zoe.customer_id)
    assert zoe_c.birthday == "1990-12-25" and zoe_c.company == "O'Brien & Sons"
    notes = desk.notes.for_customer(zoe.customer_id)
    assert notes and notes[0].body == "Two lines\nof memo"


def test_shopify_export_utf16_tab_separated(desk: Desk) -> None:
    plan, _ = import_file(desk, "shopify_export_utf16.csv")
    assert plan.fmt == "shopify"
    assert plan.summary()["created"] == 3
    skipped = [i for i in plan.items if i.action == "skip"]
    assert len(skipped) == 1 and "not a complete e-mail" in skipped[0].reason
    chloe = desk.customers.get(by_email(desk, "chloe@example.fr"))
    assert chloe.first_name == "Chloé" and chloe.marketing_consent is True
    assert chloe.phones[0].raw == "+33 6 12 34 56 78"
    assert "VIP; likes blue" in desk.notes.for_customer(chloe.id)[0].body
    djordje = desk.customers.get(by_email(desk, "djordje@example.rs"))
    assert (djordje.first_name, djordje.last_name) == ("Ђорђе", "Петровић")
    assert {p.e164 for p in djordje.phones} == {"+381111234567", "+381641234567"}
    assert djordje.company == "Firma d.o.o." and djordje.marketing_consent is False


def test_shopify_template_in_cp1252(desk: Desk) -> None:
    plan, _ = import_file(desk, "shopify_template_cp1252.csv")
    assert plan.fmt == "shopify" and plan.summary()["created"] == 3
    rene = desk.customers.get(by_email(desk, "rene.mueller@example.ch"))
    assert (rene.first_name, rene.last_name, rene.company) == ("René", "Müller", "Café Zürich")
    assert rene.marketing_consent is True
    francoise = desk.customers.get(by_email(desk, "francoise@example.fr"))
    assert francoise.last_name == "Lefèvre" and francoise.phones[0].e164 == "+33123456789"


def test_google_contacts_multi_values_and_birthdays(desk: Desk) -> None:
    plan, _ = import_file(desk, "google_contacts.csv")
    assert plan.fmt == "google"
    assert plan.summary() == {"rows": 4, "created": 3, "updated": 0, "unchanged": 0, "skipped": 1}
    priya = desk.customers.get(by_email(desk, "priya@example.in"))
    assert priya.preferred_name == "Pri" and priya.birthday == "--03-07"
    assert [p.e164 for p in priya.phones] == ["+919876543210", "+918023456789", "+442079460958"]
    assert [p.label for p in priya.phones] == ["mobile", "mobile", "work"]
    assert priya.address == "1 MG Road\nBengaluru"
    bodies = [n.body for n in desk.notes.for_customer(priya.id)]
    assert bodies == ["Met at the fair"]
    # The second address of Google's " ::: " list is hers too, with the label, and finds her.
    assert [(e.address, e.label) for e in priya.emails] == [
        ("priya@example.in", "home"),
        ("priya.work@example.com", "home"),
    ]
    assert [h.customer_id for h in desk.search.search("priya.work@")] == [priya.id]
    seun = next(iter(desk.search.search("Oluwaseun Adeyemi")))
    seun_c = desk.customers.get(seun.customer_id)
    assert seun_c.phones[0].raw == "+234 803 123 4567" and seun_c.company == "Adeyemi Ltd"
    mohammed = desk.customers.get(by_email(desk, "mohammed@example.ae"))
    assert (mohammed.first_name, mohammed.last_name) == ("محمد", "عبد الله")


def test_google_contacts_legacy_layout(desk: Desk) -> None:
    plan, _ = import_file(desk, "google_contacts_legacy.csv")
    assert plan.fmt == "google"
    bjorn = desk.customers.get(by_email(desk, "bjorn@example.se"))
    assert (bjorn.first_name, bjorn.birthday) == ("Björn", "--11-02")
    assert [p.label for p in bjorn.phones] == ["mobile", "home"]


def test_vcard_3(desk: Desk) -> None:
    plan, _ = import_file(desk, "contacts_v3.vcf")
    assert plan.fmt == "vcard"
    assert plan.summary() == {"rows": 4, "created": 3, "updated": 0, "unchanged": 0, "skipped": 1}
    eleni = desk.customers.get(by_email(desk, "eleni@example.gr"))
    assert eleni.company == "Papadopoulos, Sons & Co"  # escaped comma, ORG's unit dropped
    assert [p.label for p in eleni.phones] == ["mobile", "work"]
    assert eleni.birthday == "1985-04-23"
    assert eleni.address == "Odos Ermou 10, 3rd floor, Athens, 10563, Greece"
    assert desk.notes.for_customer(eleni.id)[0].body == "Likes espresso; no sugar\nCalls on Fridays"
    an = desk.customers.get(by_email(desk, "an.nguyen@example.vn"))  # folded e-mail line
    assert (an.first_name, an.last_name, an.preferred_name) == ("Văn An", "Nguyễn", "An")
    assert an.phones[0].e164 == "+842438261234" and an.birthday == "--03-07"
    only = next(iter(desk.search.search("Only Fullname")))
    assert only.display_name == "Only Fullname"  # N empty: FN used


def test_vcard_4(desk: Desk) -> None:
    plan, _ = import_file(desk, "contacts_v4.vcf")
    assert plan.summary()["created"] == 3  # the impossible number is left out, not the person
    assert plan.items[2].action == "create"
    assert any("wrong number of digits" in w for w in plan.items[2].warnings)
    thandi = desk.customers.get(by_email(desk, "thandi@example.co.za"))
    assert [p.e164 for p in thandi.phones] == ["+27821234567", "+27211234567"]
    assert thandi.birthday == "--12-24" and thandi.pronouns == "she/her"
    soren = desk.customers.get(by_email(desk, "soren@example.dk"))
    assert soren.birthday == "1970-01-01" and soren.last_name == "Øvergaard"


def test_other_csv_needs_and_uses_a_mapping(desk: Desk) -> None:
    mapping = {
        "Kunde": "name",
        "Telefon": "phone:home",
        "Handy": "phone",
        "E-Mail-Adresse": "email",
        "Geburtstag": "birthday",
        "Newsletter": "consent",
    }
    plan, _ = import_file(desk, "other_semicolon.csv", mapping=mapping)
    assert plan.fmt == "csv" and plan.summary()["created"] == 2
    set_setting(desk, "phone_region", "DE")
    j = desk.customers.get(by_email(desk, "juergen@example.de"))
    assert (j.first_name, j.last_name, j.birthday) == ("Jürgen", "Schäfer", "1966-08-09")
    assert [(p.label, p.raw) for p in j.phones] == [
        ("home", "030 1234567"),
        ("mobile", "+49 151 23456789"),
    ]
    assert j.marketing_consent is True
    with pytest.raises(UserError, match="no column"):
        desk.imports.preview(DATA / "other_semicolon.csv", mapping={"Nope": "name"})
    with pytest.raises(UserError, match="not a field"):
        desk.imports.preview(DATA / "other_semicolon.csv", mapping={"Kunde": "shoe_size"})


def test_leading_zeros_with_a_national_region(desk: Desk, tmp_path: Path) -> None:
    set_setting(desk, "phone_region", "GB")
    src = tmp_path / "uk.csv"
    src.write_text("Name,Mobile\nAlfie Jones,'07700 900123\nBea Smith,00 44 20 7946 0000\n", encoding="utf-8")
    plan = desk.imports.preview(src, mapping={"Name": "name", "Mobile": "phone"})
    desk.imports.apply(plan)
    phones = [desk.customers.get(i.customer_id or 0).phones[0] for i in plan.items]
    assert [(p.raw, p.e164) for p in phones] == [
        ("07700 900123", "+447700900123"),
        ("00 44 20 7946 0000", "+442079460000"),
    ]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("cp1252", b""),
    ],
)
def test_encodings(desk: Desk, tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = "First Name,Last Name,Email\r\nJosé,Ñúñez,jose@example.com\r\nŒdipe,Façade,oe@example.com\r\n"
    src = tmp_path / "x.csv"
    src.write_bytes(bom + text.encode(encoding))
    plan = desk.imports.preview(src)
    assert [(i.name, i.action) for i in plan.items] == [
        ("José Ñúñez", "create"),
        ("Œdipe Façade", "create"),
    ]


def test_decode_falls_back_to_cp1252() -> None:
    assert decode("Müller".encode("cp1252")) == "Müller"
    assert decode(codecs.BOM_UTF8 + "Müller".encode()) == "Müller"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1984-03-07", "1984-03-07"),
        ("19840307", "1984-03-07"),
        ("--0307", "--03-07"),
        ("--03-07", "--03-07"),
        ("03-07", "--03-07"),
        ("12/25/1990", "1990-12-25"),
        ("25/12/1990", "1990-12-25"),
        ("1604-03-07", "--03-07"),
        ("Mar 7, 1984", "1984-03-07"),
        ("1984-03-07T00:00:00Z", "1984-03-07"),
        ("02-30", None),
        ("soon", None),
        ("", ""),
    ],
)
def test_birthday_shapes(text: str, expected: str | None) -> None:
    assert birthday(text) == expected


def test_clean_removes_only_the_spreadsheet_apostrophe() -> None:
    assert clean("'+44 20") == "+44 20" and clean("'0123") == "0123"
    assert clean("O'Brien") == "O'Brien" and clean("'") == "'"


def test_dry_run_writes_nothing(desk: Desk) -> None:
    audit_before = desk.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    for name in ("square_export.csv", "google_contacts.csv", "contacts_v3.vcf"):
        desk.imports.preview(DATA / name)
    assert desk.customers.count() == 0
    assert desk.db.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0
    assert desk.db.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_before


def test_existing_customers_are_updated_not_duplicated(desk: Desk, clock: FakeClock) -> None:
    ana = desk.customers.create(
        CustomerDraft(first_name="Ana", email="Ana.Garcia@example.com", company="Ana's shop")
    )
    kim = desk.customers.create(CustomerDraft(first_name="Kimberly", phones=(("mobile", "415 555 0199"),)))
    clock.advance(hours=1)
    plan = desk.imports.preview(DATA / "square_export.csv")
    item = next(i for i in plan.items if i.customer_id == ana.id)
    assert item.action == "update" and "e-mail" in item.reason
    result = desk.imports.apply(plan)
    assert result.updated == 1
    after = desk.customers.get(ana.id)
    assert after.first_name == "Ana" and after.company == "Ana's shop"  # kept what we had
    assert after.last_name == "García Márquez" and after.phones[0].e164 == "+34612345678"  # filled in
    assert desk.customers.count() == 7  # with "Bad Phone", kept without the bad number
    plan2 = desk.imports.preview(DATA / "shopify_export_utf16.csv")
    kim_item = next(i for i in plan2.items if i.customer_id == kim.id)
    assert kim_item.action == "unchanged" and "phone number" in kim_item.reason


def test_undo_restores_and_removes(desk: Desk, clock: FakeClock) -> None:
    ana = desk.customers.create(CustomerDraft(first_name="Ana", email="ana.garcia@example.com"))
    before = desk.customers.get(ana.id)
    clock.advance(hours=1)
    plan = desk.imports.preview(DATA / "square_export.csv")
    result = desk.imports.apply(plan)
    assert desk.customers.count() == 6  # Ana updated, 5 new
    clock.advance(hours=1)
    taro = by_email(desk, "taro@example.jp")
    desk.visits.log(taro, channel=Channel.IN_PERSON, purpose="came back")
    clock.advance(hours=1)
    undo = desk.imports.undo(result.batch_id)
    assert undo.restored == 1 and undo.kept == (taro,) and undo.removed == 4
    restored = desk.customers.get(ana.id)
    assert replace(restored, version=before.version) == before
    # The update and its undo are two edits: a form opened on Ana before them is stale
    assert restored.version == before.version + 2
    assert desk.customers.count() == 2  # Ana and the kept Taro
    with pytest.raises(UserError, match="already undone"):
        desk.imports.undo(result.batch_id)
    with pytest.raises(NotFound):
        desk.imports.undo(999)
    actions = [r[0] for r in desk.db.execute("SELECT action FROM audit WHERE entity = 'import_batch'")]
    assert actions == ["import", "undo"]


def test_cancel_leaves_only_whole_batches(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_service, "BATCH_ROWS", 100)
    src = tmp_path / "many.csv"
    src.write_text(
        "First Name,Last Name,Email\n" + "".join(f"P{i},Q{i},p{i}@example.com\n" for i in range(350)),
        encoding="utf-8",
    )
    plan = desk.imports.preview(src)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 200

    result = desk.imports.apply(plan, progress)
    assert calls == [(100, 350), (200, 350)]
    assert result.cancelled and result.created == 200
    assert desk.customers.count() == 200
    batch = desk.imports.batches()[0]
    assert batch["status"] == "cancelled" and batch["created_count"] == 200
    assert desk.imports.undo(result.batch_id).removed == 200
    assert desk.customers.count() == 0


def test_hostile_files(desk: Desk, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="empty"):
        desk.imports.preview(empty)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UserError):
        desk.imports.preview(junk)
    header_only = tmp_path / "h.csv"
    header_only.write_text("First Name,Last Name,Email\n", encoding="utf-8")
    assert desk.imports.preview(header_only).items == []
    vcf = tmp_path / "bad.vcf"
    vcf.write_text("hello", encoding="utf-8")
    with pytest.raises(UserError, match="No contacts"):
        desk.imports.preview(vcf)
    quoted = tmp_path / "q.csv"
    quoted.write_text(
        'First Name,Email\n"Robert\'); DROP TABLE customers;--",b@example.com\n', encoding="utf-8"
    )
    desk.imports.apply(desk.imports.preview(quoted))
    assert desk.customers.count() == 1


def test_preview_reports_progress_and_can_be_cancelled(desk: Desk, tmp_path: Path) -> None:
    src = tmp_path / "many.csv"
    src.write_text(
        "First Name,Email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(2500)),
        encoding="utf-8",
    )
    seen: list[tuple[int, int]] = []
    plan = desk.imports.preview(src, progress=lambda d, t: seen.append((d, t)) is None)
    assert seen == [(1000, 2500), (2000, 2500)] and len(plan.items) == 2500
    with pytest.raises(UserError, match="cancelled"):
        desk.imports.preview(src, progress=lambda d, t: False)
    assert desk.customers.count() == 0


def test_update_keeps_memo_and_second_email_as_a_note_once(desk: Desk, clock: FakeClock) -> None:
    kept = desk.customers.create(
        CustomerDraft(first_name="Zoë", email="zoe@example.com", phones=(("mobile", "212 555 0143"),))
    )
    clock.advance(hours=1)
    plan = desk.imports.preview(DATA / "square_export.csv")
    item = next(i for i in plan.items if i.customer_id == kept.id)
    assert item.action == "update" and "phone number" in item.reason
    result = desk.imports.apply(plan)
    assert [n.body for n in desk.notes.for_customer(kept.id)] == ["Two lines\nof memo"]
    assert desk.customers.get(kept.id).company == "O'Brien & Sons"
    again = desk.imports.preview(DATA / "square_export.csv")
    assert next(i for i in again.items if i.customer_id == kept.id).action == "unchanged"
    desk.imports.undo(result.batch_id)
    assert desk.notes.for_customer(kept.id) == []
    assert desk.customers.get(kept.id).company == ""


def test_vcard_21_quoted_printable_and_unterminated_cards(desk: Desk, tmp_path: Path) -> None:
    src = tmp_path / "old-phone.vcf"
    src.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
        b"TEL;CELL:+49 151 1234567\r\nTEL;HOME;VOICE:+49 30 1234567\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Cut;Off;;;\r\nTEL:+1 212 555 0100\r\n"
    )
    plan = desk.imports.preview(src)
    # The unfinished card is not imported, and not lost without a word: skipped with the reason.
    assert [(i.name, i.action) for i in plan.items] == [("Jürgen Müller", "create"), ("Off Cut", "skip")]
    assert "no END:VCARD" in plan.items[1].reason
    desk.imports.apply(plan)
    jurgen = desk.customers.get(plan.items[0].customer_id or 0)
    assert [(p.label, p.e164) for p in jurgen.phones] == [
        ("mobile", "+491511234567"),
        ("home", "+49301234567"),
    ]


def test_unknown_columns_ask_for_a_mapping(desk: Desk, tmp_path: Path) -> None:
    src = tmp_path / "weird.csv"
    src.write_text("Foo,Bar\n1,2\n", encoding="utf-8")
    with pytest.raises(UserError, match="--map"):
        desk.imports.preview(src)
    with pytest.raises(UserError, match="Unknown format"):
        desk.imports.preview(src, fmt="excel")


def test_a_missing_column_shows_the_header_short_and_printable(desk: Desk, tmp_path: Path) -> None:
    """--map names a column the file lacks: the message lists the file's columns, but never a
    thousand of them, nor the control bytes of a file that is not text (an .xlsx renamed .csv)."""
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"col{i}" for i in range(500)) + "\n" + ",".join("x" * 500) + "\n")
    with pytest.raises(UserError) as many:
        desk.imports.preview(wide, mapping={"Client": "name"})
    assert "Its columns are: col0, col1," in str(many.value) and "col11 and 488 more." in str(many.value)
    assert "col499" not in str(many.value)
    binary = tmp_path / "sheet.csv"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00,\x08\x00\x00\x00!\x00b\xee\x9dh^\x01\n1,2\n")
    with pytest.raises(UserError) as garbage:
        desk.imports.preview(binary, mapping={"Client": "name"})
    message = str(garbage.value)
    assert "does not look like a CSV text file: export it again as CSV" in message
    assert not any(ord(ch) < 32 for ch in message) and "\ufffd" not in message
