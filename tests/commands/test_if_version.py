"""--if-version: a script that read a record's version (its --json) changes it only if nobody
changed it since; otherwise one clear line on stderr saying who, when and what, exit 1."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft, Role
from csdesk.services.desk import Desk
from tests.commands.cli_runner import run
from tests.conftest import FakeClock
from tests.services.helpers_security import add_member


def test_settings_and_staff_changed_since_the_script_read_them_are_refused(
    db_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    window = Desk.open(db_path, clock=clock, computer="Counter 1")  # the other counter
    add_member(window, "Carl", Role.STAFF)
    code, out, _ = run(db_path, "settings", "--versions", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)["shop_name"] == 0
    code, out, _ = run(db_path, "staff", "list", "--json", capsys=capsys)
    carl = next(s for s in json.loads(out) if s["name"] == "Carl")
    window.auth.act_as_cli()  # an admin at the counter, meanwhile
    window.shop.set("shop_name", "Trail & Co")
    window.auth.deactivate("Carl")
    code, _, err = run(db_path, "settings", "shop_name", "Mine", "--if-version", "0",
                       capsys=capsys)
    assert code == 1 and "Traceback" not in err
    assert "changed the settings at" in err and ": shop name" in err and "(at Counter 1)" in err
    # The command line's next step, not the window's (no "what you typed is still here", no Cancel).
    assert "since the version this command went by (--if-version)" in err and "run it again" in err
    assert "still here" not in err and "cancel" not in err and err.count("\n") == 1
    assert window.shop.get("shop_name") == "Trail & Co"
    code, _, err = run(db_path, "staff", "reactivate", "Carl", "--if-version",
                       str(carl["version"]), capsys=capsys)
    assert code == 1 and "changed Carl's account" in err and ": active" in err
    assert not next(e for e in window.auth.list_staff() if e.name == "Carl").active
    # on the version read now it goes through
    code, out, _ = run(db_path, "settings", "--versions", "--json", capsys=capsys)
    version = json.loads(out)["shop_name"]
    assert version == 1
    code, out, _ = run(db_path, "settings", "shop_name", "Mine", "--if-version", str(version),
                       capsys=capsys)
    assert code == 0 and window.shop.get("shop_name") == "Mine"
    window.close()


def test_a_follow_up_done_elsewhere_since_it_was_read_is_refused(
    db_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    window = Desk.open(db_path, clock=clock, computer="Counter 2")
    maria = window.customers.create(CustomerDraft(first_name="Maria"))
    followup = window.followups.add(maria.id, "Call back", clock() + timedelta(hours=2))
    code, out, _ = run(db_path, "followups", "--due", "all", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)[0]["version"] == followup.version
    window.followups.complete(followup.id, "Called")
    code, _, err = run(db_path, "followup", "done", str(followup.id), "--outcome", "Mine",
                       "--if-version", str(followup.version), capsys=capsys)
    assert code == 1 and "changed follow-up #1" in err and "(at Counter 2)" in err
    assert window.followups.get(followup.id).outcome == "Called"
    window.close()
