"""Issue 13.5: customers have several labelled e-mail addresses, searchable, imported, exported,
merged, privacy-exported and erased."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import ValidationError
from csdesk.services.desk import Desk
from tests.conftest import FakeClock


@pytest.fixture(autouse=True)
def _as_admin(desk: Desk) -> None:
    desk.auth.act_as_cli()


def _ana(desk: Desk) -> int:
    return desk.customers.create(
        CustomerDraft(
            first_name="Ana",
            last_name="Ruiz",
            email="ana@home.example",
            email_label="home",
            other_emails=(("work", "a.ruiz@work.example"), ("other", "ANA@HOME.example")),
        )
    ).id


def test_several_addresses_with_labels_and_search_on_each(desk: Desk) -> None:
    cid = _ana(desk)
    ana = desk.customers.get(cid)
    assert [(e.address, e.label) for e in ana.emails] == [
        ("ana@home.example", "home"),
        ("a.ruiz@work.example", "work"),  # the repeat of the first (other case) is dropped
    ]
    assert ana.email == "ana@home.example"
    for typed in ("a.ruiz@", "A.RUIZ@WORK.EXAMPLE", "ana@h"):
        hits = desk.search.search(typed)
        assert [h.customer_id for h in hits] == [cid], typed
    assert desk.search.search("a.ruiz@")[0].email == "a.ruiz@work.example"  # the one typed
    dupes = desk.customers.duplicates(CustomerDraft(first_name="X", email="a.ruiz@work.example"))
    assert [d.customer_id for d in dupes] == [cid]
    with pytest.raises(ValidationError) as caught:
        desk.customers.create(CustomerDraft(first_name="B", other_emails=(("work", "nope"),)))
    assert "email1" in caught.value.errors


def test_editing_keeps_the_other_addresses_and_clearing_the_primary_promotes_one(desk: Desk) -> None:
    cid = _ana(desk)
    draft = desk.customers.draft_of(desk.customers.get(cid))
    assert draft.other_emails == (("work", "a.ruiz@work.example"),)
    from dataclasses import replace

    desk.customers.update(cid, replace(draft, company="Ruiz SL"))
    assert len(desk.customers.get(cid).emails) == 2
    desk.customers.update(cid, replace(draft, email=""))
    after = desk.customers.get(cid)
    assert after.email == "a.ruiz@work.example" and [e.label for e in after.emails] == ["work"]
    assert [h.customer_id for h in desk.search.search("a.ruiz@")] == [cid]
    assert desk.search.search("ana@h") == []


def test_vcard_and_google_imports_keep_every_address(desk: Desk, tmp_path: Path) -> None:
    vcf = tmp_path / "c.vcf"
    vcf.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Kim;;;\r\nEMAIL;TYPE=INTERNET,HOME:kim@home.example\r\n"
        "EMAIL;TYPE=INTERNET,WORK:kim@work.example\r\nEMAIL:bad-address\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    [item] = desk.imports.preview(vcf).items
    assert item.action == "create" and any("bad-address" in w for w in item.warnings)
    desk.imports.apply(desk.imports.preview(vcf))
    kim = desk.customers.get(item.customer_id or desk.search.search("kim@home")[0].customer_id)
    assert [(e.address, e.label) for e in kim.emails] == [
        ("kim@home.example", "home"),
        ("kim@work.example", "work"),
    ]
    # A later file with the work address only matches her and adds nothing new.
    again = tmp_path / "g.csv"
    again.write_text(
        "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value\n"
        "Kim,Lee,* Work,kim@work.example ::: kim@third.example\n",
        encoding="utf-8",
    )
    plan = desk.imports.preview(again)
    [upd] = plan.items
    assert upd.action == "update" and upd.customer_id == kim.id and "e-mail" in upd.reason
    result = desk.imports.apply(plan)
    assert [e.address for e in desk.customers.get(kim.id).emails] == [
        "kim@home.example",
        "kim@work.example",
        "kim@third.example",
    ]
    desk.imports.undo(result.batch_id)
    assert len(desk.customers.get(kim.id).emails) == 2


def test_export_and_reimport_keep_every_address(tmp_path: Path, clock: FakeClock) -> None:
    first = Desk.open(tmp_path / "one.db", clock=clock)
    first.auth.act_as_cli()
    cid = first.customers.create(
        CustomerDraft(
            first_name="Ana",
            email="ana@home.example",
            email_label="home",
            other_emails=tuple(("work", f"a{i}@work.example") for i in range(4)),
        )
    ).id
    want = [(e.address, e.label) for e in first.customers.get(cid).emails]
    out, vcf = tmp_path / "c.csv", tmp_path / "c.vcf"
    first.exports.to_csv(out)
    first.exports.to_vcard(vcf)
    [row] = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert (row["email"], row["email_label"], row["email_2"], row["email_2_label"]) == (
        "ana@home.example",
        "home",
        "a0@work.example",
        "work",
    )
    assert row["other_emails"] == "a2@work.example ::: a3@work.example"
    text = vcf.read_text(encoding="utf-8")
    assert 'EMAIL;TYPE="home";PREF=1:ana@home.example' in text and text.count("EMAIL") == 5
    first.close()
    for source in (out, vcf):
        second = Desk.open(tmp_path / f"two-{source.suffix[1:]}.db", clock=clock)
        second.auth.act_as_cli()
        second.imports.apply(second.imports.preview(source))
        got = second.customers.get(second.search.search("a3@work")[0].customer_id)
        labels = [(e.address, e.label) for e in got.emails]
        # CSV keeps every label; the fourth and later go as a list and come back as "other".
        expect = (
            want if source is vcf else [*want[:3], ("a2@work.example", "other"), ("a3@work.example", "other")]
        )
        assert labels == expect, source
        second.close()


@pytest.mark.own_database  # its files are searched for the erased addresses
def test_merge_privacy_export_and_erasure_cover_every_address(
    desk: Desk, stored_bytes: Callable[[], bytes]
) -> None:
    cid = _ana(desk)
    other = desk.customers.create(
        CustomerDraft(first_name="Ana", last_name="Ruiz", email="ana.r@third.example")
    ).id
    desk.duplicates.merge(cid, other)
    merged = desk.customers.get(cid)
    assert [e.address for e in merged.emails] == [
        "ana@home.example",
        "a.ruiz@work.example",
        "ana.r@third.example",
    ]
    data = desk.privacy.export(cid)
    assert [e["address"] for e in data["emails"]] == [e.address for e in merged.emails]
    from csdesk.services.privacy import render_html

    assert "a.ruiz@work.example" in render_html(data)
    result = desk.privacy.erase(cid)
    assert result.emails_removed == 3
    assert desk.db.execute("SELECT count(*) FROM customer_emails").fetchone()[0] == 0
    assert desk.search.search("a.ruiz@") == []
    stored = stored_bytes()  # every row, dead tuple and index page the database keeps
    for address in ("ana@home.example", "a.ruiz@work.example", "ana.r@third.example"):
        assert address.encode() not in stored, address
