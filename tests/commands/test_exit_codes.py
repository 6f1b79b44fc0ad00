"""The README's exit codes, one per kind of mistake: 2 for a command line that cannot be read (an
option value that is not one of its choices), 3 for a thing named that does not exist. A script
tells "fix the command" from "fix the data" by the code alone (found by the explorer, items 25-27)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from tests.commands.cli_runner import run


@pytest.fixture
def one_customer(db_path: Path) -> Path:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Ada", last_name="Lovelace"))
    desk.close()
    return db_path


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("timeline", "1", "--kind", "bogus"), "--kind"),
        (("timeline", "1", "--channel", "fax"), "--channel"),
        (("visit", "--customer", "1", "--channel", "fax"), "--channel"),
        (("letters", "thank_you", "--customers", "", "-o", "x.pdf"), "--customers"),
    ],
)
def test_an_option_value_that_is_not_a_choice_is_a_usage_error(
    one_customer: Path, args: tuple[str, ...], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(one_customer, *args, capsys=capsys)
    assert code == 2, err
    assert option in err and not out


def test_the_choices_are_listed_in_help_and_read_as_the_service_reads_them(
    one_customer: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(one_customer, "timeline", "--help", capsys=capsys)
    assert code == 0 and "[in_person|phone|email|chat|social|other]" in out and "visit|note" in out
    # The spellings the service always took still work: a case, a hyphen, "e-mail".
    code, out, err = run(one_customer, "visit", "--customer", "1", "--channel", "E-Mail", "--json",
                         capsys=capsys)
    assert code == 0, err
    assert '"channel": "email"' in out
    code, _, err = run(one_customer, "timeline", "1", "--kind", "Visit", "--channel", "In-Person",
                       capsys=capsys)
    assert code == 0, err


def test_a_negative_setting_value_reaches_the_settings_own_check(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(db_path, "settings", "letter_margin_mm", "-5", capsys=capsys)
    assert code == 1 and "No such option" not in err
    assert "5 to 50 mm" in err
    # A mistyped option is still refused, never saved as the value.
    code, _, err = run(db_path, "settings", "shop_name", "--jsn", capsys=capsys)
    assert code == 2 and "No such option '--jsn'" in err
    code, out, _ = run(db_path, "settings", "shop_name", "--json", capsys=capsys)
    assert code == 0 and "--jsn" not in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("letter", "nonexistent", "--customer", "1", "-o", "x.pdf"), "There is no letter template"),
        (("restore", "nonexist.db"), "There is no file nonexist.db."),
        (("import", "/nonexistent.csv"), "There is no file /nonexistent.csv."),
        (("settings", "nonexistent_key", "1"), "There is no setting “nonexistent_key”"),
    ],
)
def test_a_thing_named_that_does_not_exist_is_not_found(
    one_customer: Path, args: tuple[str, ...], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(one_customer, *args, capsys=capsys)
    assert code == 3, err
    assert said in err and len(err.strip().splitlines()) == 1


def test_a_missing_backup_or_import_file_starts_no_book(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "new.db"
    for args in (("restore", str(tmp_path / "nope.db")), ("import", str(tmp_path / "nope.csv"))):
        code, _, err = run(new, *args, capsys=capsys)
        assert code == 3 and "There is no file" in err and "created a new" not in err, err
        assert not new.exists()


@pytest.mark.parametrize("extra", [(), ("--pin-stdin",)])  # the fast path, and click's
def test_a_failed_call_with_json_says_it_once_on_stderr(
    db_path: Path, extra: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(db_path, *extra, "call", "--json", "tel:", capsys=capsys)
    assert code == 1 and out == ""
    assert err.count("is not a phone number") == 1 and err.startswith("csdesk: “tel:”")


@pytest.mark.parametrize("command", [("search", "x"), ("call", "+15550104477")])
def test_a_db_that_cannot_be_a_database_file_is_said_plainly(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """--db "" was "Cannot open the database (.)", --db /dev/null a disk to check."""
    code, _, err = run("", *command, capsys=capsys)
    assert code == 2 and "the database name is empty" in err and "(.)" not in err
    code, _, err = run("/dev/null", *command, capsys=capsys)
    assert code == 2 and "/dev/null is not a file" in err and "drive" not in err


@pytest.mark.parametrize(
    "args",
    [
        ("visit",),  # neither --customer nor --phone
        ("merge", "1", "2"),  # without --yes
        ("letters", "thank_you", "-o", "x.pdf"),  # nobody chosen
        ("letters", "thank_you", "--customers", "1"),  # nowhere to go
    ],
)
def test_a_command_line_missing_what_it_needs_is_a_usage_error(
    one_customer: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(one_customer, *args, capsys=capsys)
    assert code == 2 and not out and "Error: " in err, err
