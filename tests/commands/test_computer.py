"""`csdesk computer`: name this computer (kept in its config folder), and see the other counters."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.paths import config_dir
from csdesk.services.computer import computer_name, host_name
from csdesk.services.desk import Desk
from tests.commands.cli_runner import run


def test_a_computer_is_its_host_until_named_and_the_name_stays_on_it(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(db_path, "computer", capsys=capsys)
    assert code == 0 and f"“{host_name()}” (its host name)" in out
    code, out, _ = run(db_path, "computer", "  Counter   2 ", capsys=capsys)
    assert code == 0 and "now “Counter 2”" in out
    assert computer_name() == "Counter 2"
    assert (config_dir() / "computer.json").is_file()  # per computer, not in the database
    code, _, err = run(db_path, "computer", "   ", capsys=capsys)
    assert code != 0 and "Give this computer a name" in err
    assert computer_name() == "Counter 2"


def test_others_lists_who_has_which_customer_open_where(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(db_path, computer="Counter 1")
    maria = desk.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
    desk.live.beat(maria.id)
    code, out, _ = run(db_path, "computer", "--others", capsys=capsys)
    desk.close()
    assert code == 0 and "Front desk has Maria Lopez open at Counter 1." in out
