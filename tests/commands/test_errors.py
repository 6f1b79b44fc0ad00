"""What a user sees when something is off: new databases, partial failures, pipes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csdesk", *args], capture_output=True, text=True, timeout=120
    )


def test_a_mistyped_database_is_refused_and_nothing_is_made(tmp_path: Path) -> None:
    """A typo in --db (or CSDESK_DB) started an empty book: the search found nobody, exit 0,
    and the next customer went into the wrong file."""
    path = tmp_path / "shpo.db"
    for args in (["search", "x"], ["visit", "--phone", "+15550104477", "--create"],
                 ["export", "daily", "-o", "-"], ["settings"]):
        done = run("--db", str(path), *args)
        assert done.returncode == 1, args
        assert f"There is no database at {path}" in done.stderr and f"csdesk init {path}" in done.stderr
        assert not path.exists(), args


def test_a_book_started_by_demo_is_announced_once(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    first = run("--db", str(path), "demo", "--customers", "3")
    assert first.returncode == 0, first.stderr
    assert "created a new, empty one" in first.stderr
    again = run("--db", str(path), "search", "x")
    assert again.returncode == 0 and "created a new" not in again.stderr


def test_export_customers_to_stdout(db_path: Path) -> None:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="=cmd()", last_name="Évora"))
    desk.close()
    done = run("--db", str(db_path), "export", "customers", "-o", "-")
    assert done.returncode == 0, done.stderr
    assert not Path("-").exists()
    assert not done.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 1
    assert "Évora" in done.stdout and "'=cmd()" in done.stdout  # formula neutralised
    assert "Exported 1 customers" in done.stderr


def test_letters_with_some_failures_exit_non_zero(db_path: Path, tmp_path: Path) -> None:
    desk = Desk.open(db_path)
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    desk.close()
    out = tmp_path / "out.pdf"
    done = run(
        "--db", str(db_path), "letters", "thank_you", "--customers", f"{cid},99999", "-o", str(out), "--json"
    )
    assert done.returncode == 1
    assert '"customer_id": 99999' in done.stdout
    assert out.exists()  # the letters that could be written were


def test_phone_search_with_country_code(db_path: Path) -> None:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Lucía", phones=(("mobile", "(720) 996-7720"),)))
    desk.close()
    for query in ("+1 720", "+1 (720) 99", "001 720 996"):
        done = run("--db", str(db_path), "search", "--json", "--", query)
        assert "Lucía" in done.stdout, query


def test_a_url_of_another_database_is_refused_as_such(tmp_path: Path) -> None:
    """`--db mysql://...` is not a file path with a missing folder: one line that says what --db
    takes, exit 2, without echoing the URL (it may carry a password), and nothing created."""
    done = subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", "mysql://shop:s3cret@till/shop", "search", "ana"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "mysql:// is not a database csdesk can use" in done.stderr
    assert "postgresql://user@host/database" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_record_number_is_asked_for_in_a_shops_words() -> None:
    """Not click's "'abc' is not a valid integer range", nor [1<=x<=9223372036854775807] in --help."""
    for value, words in (("abc", "“abc” is not a number. Give the number csdesk shows, like 12."),
                         ("0", "0 cannot be a number csdesk gave out: they start at 1"),
                         ("99999999999999999999", "cannot be a number csdesk gave out")):
        done = run("timeline", value)
        assert done.returncode == 2 and words in done.stderr, value
        assert "integer range" not in done.stderr and "<=x<=" not in done.stderr
    helped = run("visit", "--help")
    assert "--customer NUMBER" in helped.stdout and "[1 or more]" in helped.stdout
    assert "9223372036854775807" not in helped.stdout


def test_a_huge_id_in_a_letters_batch_is_a_clear_line(db_path: Path, tmp_path: Path) -> None:
    """--customers 99999999999999999999 reached SQLite and came back as the last net's 'something
    went wrong inside csdesk (OverflowError ...)'; and nothing is written."""
    out = tmp_path / "batch.pdf"
    done = run("--db", str(db_path), "letters", "thank_you", "--customers", "3,99999999999999999999",
               "-o", str(out))
    assert done.returncode == 2  # a usage error, as the README's exit codes say
    assert "99999999999999999999 cannot be a customer id csdesk gave out" in done.stderr
    assert "went wrong inside" not in done.stderr and "OverflowError" not in done.stderr
    assert not out.exists()
