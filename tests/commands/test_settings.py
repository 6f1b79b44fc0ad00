"""`csdesk settings` and the shop settings service: checked values, admins only, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.domain import CustomerDraft, Role
from csdesk.errors import PermissionDenied, UserError
from csdesk.services.desk import Desk


def run(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(["--db", str(db), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


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
    assert code == 1 and words in err and "Traceback" not in err


def test_only_admins_change_settings(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        desk.shop.set("shop_name", "Mine")
    assert desk.setting("shop_name") is None
    desk.auth.act_as_cli()
    assert desk.actor.role is Role.ADMIN
    assert desk.shop.set("timezone", " Europe/Berlin ") == "Europe/Berlin"
    with pytest.raises(UserError):
        desk.shop.set("currency_symbol", "dollars!")
