"""`csdesk settings` and the shop settings service: checked values, admins only, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft, Priority, Role
from csdesk.errors import PermissionDenied, UserError
from csdesk.services.desk import Desk
from tests.commands.cli_runner import run


def test_set_and_show(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(db_path, "settings", "shop_name", "Trail & Co", capsys=capsys)
    assert code == 0 and "Trail & Co" in out
    assert run(db_path, "settings", "shop_address", "1 High St\\nPortland", capsys=capsys)[0] == 0
    code, out, _ = run(db_path, "settings", "--json", capsys=capsys)
    values = json.loads(out)
    assert values["shop_name"] == "Trail & Co"
    assert values["shop_address"] == "1 High St\nPortland"
    assert values["currency_symbol"] == "$"
    desk = Desk.open(db_path)
    assert desk.setting("shop_name") == "Trail & Co"
    rows = desk.db.execute("SELECT after, source FROM audit WHERE entity = 'setting'").fetchall()
    assert ('{"shop_name": "Trail & Co"}', "cli") in rows
    # Letters pick the name up.
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    assert "Trail &amp; Co" in desk.letters.render("thank_you", cid).html
    desk.close()


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("timezone", "Mars/Olympus", "not a time zone"),
        ("phone_region", "XX", "not a country code"),
        ("date_style", "ymd", "Choose one of"),
        ("shop_name", "x" * 200, "under 80"),
        ("no_such_key", "1", "no setting"),
    ],
)
def test_bad_values_are_refused(
    db_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: str, words: str
) -> None:
    code, _, err = run(db_path, "settings", key, value, capsys=capsys)
    assert code == (3 if key == "no_such_key" else 1)  # an unknown key is not found
    assert words in err and "Traceback" not in err


def test_only_admins_change_settings(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        desk.shop.set("shop_name", "Mine")
    assert desk.setting("shop_name") is None
    desk.auth.act_as_cli()
    assert desk.actor.role is Role.ADMIN
    assert desk.shop.set("timezone", " Europe/Berlin ") == "Europe/Berlin"
    with pytest.raises(UserError):
        desk.shop.set("currency_symbol", "dollars!")


def test_every_setting_the_services_apply_is_in_the_registry(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue keys, paper, sign-in: `settings` shows what is applied and sets it (issue 12, 13.16)."""
    code, out, _ = run(db_path, "settings", "--json", capsys=capsys)
    values = json.loads(out)
    assert values["goodwill_limit_staff"] == 5_000 and values["goodwill_limit_lead"] == 50_000
    assert values["goodwill_limit_admin"] is None
    assert values["issue_targets_hours"]["urgent"] == 4
    assert values["issue_business_days"] == [0, 1, 2, 3, 4]
    assert values["sign_in_required"] is True and values["idle_lock_minutes"] == 5
    # The README's example works as written.
    code, out, err = run(db_path, "settings", "letter_page_size", "Letter", capsys=capsys)
    assert code == 0 and "Letter" in out, err
    for key, typed in (
        ("goodwill_limit_lead", "750.00"),
        ("issue_targets_hours", "urgent=2, low=200"),
        ("issue_business_days", "mon,tue,wed,thu,fri,sat"),
        ("sign_in_required", "no"),
        ("letter_margin_mm", "20"),
    ):
        code, _, err = run(db_path, "settings", key, typed, capsys=capsys)
        assert code == 0, (key, err)
    desk = Desk.open(db_path)
    try:
        assert desk.issues.goodwill_limit(Role.LEAD) == 75_000
        assert desk.issues.target(Priority.URGENT).total_seconds() == 2 * 3600
        assert not desk.auth.sign_in_required
        assert desk.letters.page_size() == "Letter" and desk.letters.margins_mm() == 20.0
    finally:
        desk.close()
    code, _, err = run(db_path, "settings", "goodwill_limit_lead", "lots", capsys=capsys)
    assert code == 1 and "not an amount" in err


def test_date_style_shown_is_the_one_letters_use(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`settings` said dmy while US letters printed "December 2, 2026" (issue 12, 13.16)."""
    _, out, _ = run(db_path, "settings", "date_style", "--json", capsys=capsys)
    assert json.loads(out) == {"date_style": "mdy"}  # phone_region US by default
    desk = Desk.open(db_path)
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    desk.close()
    assert run(db_path, "settings", "phone_region", "GB", capsys=capsys)[0] == 0
    _, out, _ = run(db_path, "settings", "date_style", "--json", capsys=capsys)
    assert json.loads(out) == {"date_style": "dmy"}
    desk = Desk.open(db_path)
    try:
        today = desk.clock().astimezone().date()
        html = desk.letters.render("thank_you", cid).html
        assert f"{today.day} {today.strftime('%B')} {today.year}" in html
    finally:
        desk.close()


def test_a_logo_must_be_an_image_csdesk_can_draw(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`settings shop_logo /etc/passwd` was accepted and every letter showed a broken image."""
    code, _, err = run(db_path, "settings", "shop_logo", "/etc/passwd", capsys=capsys)
    assert code == 1 and "not a PNG, JPEG, GIF or SVG" in err
    renamed = tmp_path / "logo.png"
    renamed.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    code, _, err = run(db_path, "settings", "shop_logo", str(renamed), capsys=capsys)
    assert code == 1 and "not a PNG" in err
    huge = tmp_path / "huge.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024))
    code, _, err = run(db_path, "settings", "shop_logo", str(huge), capsys=capsys)
    assert code == 1 and "up to 4 MB" in err
    code, _, err = run(db_path, "settings", "shop_logo", str(tmp_path / "none.png"), capsys=capsys)
    assert code == 1 and "Cannot read" in err
    svg = tmp_path / "logo.svg"
    svg.write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')
    code, out, err = run(db_path, "settings", "shop_logo", str(svg), capsys=capsys)
    assert code == 0 and str(svg) in out, err
    code, out, _ = run(db_path, "settings", "shop_logo", "", capsys=capsys)
    assert code == 0  # no logo
