"""Dates on the command line: one reader (services.dates) for every command; a date that cannot
be read is a usage error (exit 2) that lists the formats, never an empty answer or a traceback."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import UserError
from csdesk.services import dates
from csdesk.services.desk import Desk

TODAY = date(2026, 11, 30)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "csdesk", *args], capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture
def shop(db_path: Path) -> Path:
    desk = Desk.open(db_path)
    desk.customers.create(CustomerDraft(first_name="Ada"))
    desk.close()
    return db_path


@pytest.mark.parametrize(("text", "day"), [
    ("2026-11-30", TODAY), ("today", TODAY), ("Yesterday", date(2026, 11, 29)),
    ("tomorrow", date(2026, 12, 1)), (" 2026-2-3 ", date(2026, 2, 3)),
])
def test_days_people_type(text: str, day: date) -> None:
    assert dates.parse_day(text, TODAY) == day


@pytest.mark.parametrize("text", ["2026-13-45", "9999-12-31", "0000-00-00", "30/11/2026", "soon", ""])
def test_days_that_cannot_be_read_say_what_can(text: str) -> None:
    with pytest.raises(UserError):
        dates.parse_day(text, TODAY)


def test_moments_and_offsets() -> None:
    assert dates.parse_moment("2026-11-30T08:00", TODAY).isoformat() == "2026-11-30T08:00:00"
    assert dates.parse_moment("2026-11-30 08:00+01:00", TODAY).isoformat() == "2026-11-30T08:00:00+01:00"
    assert dates.parse_moment("2026-11-29", TODAY).isoformat() == "2026-11-29T00:00:00"
    with pytest.raises(UserError, match="--since"):
        dates.parse_moment("yesterday", TODAY, field="since")
    with pytest.raises(UserError, match="no 25:00"):
        dates.parse_moment("2026-11-30T25:00", TODAY)


def test_due_dates_share_the_bounds() -> None:
    from datetime import UTC, datetime

    with pytest.raises(UserError, match="1900 to 2999"):
        dates.parse_due("9999-12-31", datetime(2026, 11, 30, tzinfo=UTC), UTC)


@pytest.mark.parametrize("since", ["yesterday", "2026-13-45", "9999-12-31", "last tuesday"])
def test_audit_since_that_cannot_be_read_is_a_usage_error(shop: Path, since: str) -> None:
    done = run("--db", str(shop), "audit", "--since", since)
    assert done.returncode == 2
    assert "YYYY-MM-DDTHH:MM" in done.stderr and "Traceback" not in done.stderr


def test_audit_since_a_day_finds_what_came_after(shop: Path) -> None:
    done = run("--db", str(shop), "audit", "--since", "2000-01-01", "--json")
    assert done.returncode == 0, done.stderr
    assert '"action": "create"' in done.stdout
    later = run("--db", str(shop), "audit", "--since", "2999-01-01", "--json")
    assert later.returncode == 0 and later.stdout.strip() == "[]"


def test_far_dates_are_usage_errors_not_overflows(shop: Path, tmp_path: Path) -> None:
    daily = run("--db", str(shop), "export", "daily", "--date", "9999-12-31", "-o", str(tmp_path / "d.csv"))
    assert daily.returncode == 2 and "1900 to 2999" in daily.stderr
    letters = run("--db", str(shop), "letters", "thank_you", "--followups-due", "9999-12-31",
                  "-o", str(tmp_path / "l.pdf"))
    assert letters.returncode == 2 and "1900 to 2999" in letters.stderr
    assert not (tmp_path / "d.csv").exists() and not (tmp_path / "l.pdf").exists()


def test_audit_csv_into_a_missing_folder_is_one_line(shop: Path, tmp_path: Path) -> None:
    done = run("--db", str(shop), "audit", "--csv", str(tmp_path / "nope" / "a.csv"))
    assert done.returncode == 1
    assert done.stderr.startswith("csdesk: ") and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "nope").exists()
