"""Local days and times are the shop's, not the computer's: one zone (`Desk.tz`) everywhere.

The test process runs in UTC; the shop is in Auckland (UTC+13 in December), so a visit at 20:00
UTC on 3 December is 09:00 on 4 December at the shop. Each face below must say the 4th.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.services.letters import customers_with_followups_due, format_date
from tests.conftest import FakeClock
from tests.settings_seam import set_setting

EVENING_UTC = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _computer_in_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def shop(db_path: Path) -> Iterator[Desk]:
    desk = Desk.open(db_path, clock=FakeClock(EVENING_UTC))
    set_setting(desk, "timezone", "Pacific/Auckland")
    yield desk
    desk.close()


def test_the_desk_zone_is_the_shop_setting(shop: Desk) -> None:
    assert getattr(shop.tz, "key", None) == "Pacific/Auckland"
    assert shop.tz is not None and shop.issues.tz == shop.tz == shop.reports.tz


def test_history_prints_shop_time(shop: Desk, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cid = shop.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez")).id
    shop.visits.log(cid, purpose="Collect repair", at=EVENING_UTC)
    shop.close()
    try:
        main(["--db", str(db_path), "timeline", str(cid)])
    except SystemExit as exc:
        assert not exc.code
    out = capsys.readouterr().out
    assert "2026-12-04 09:00" in out, out
    assert "2026-12-03 20:00" not in out


def test_letter_dates_are_shop_days(shop: Desk) -> None:
    assert format_date(EVENING_UTC, "long", "dmy", shop.tz).startswith("4 December")
    assert format_date(EVENING_UTC, "long", "dmy", UTC).startswith("3 December")
    cid = shop.customers.create(CustomerDraft(first_name="Ana", last_name="Ruiz")).id
    shop.visits.log(cid, purpose="Haircut", at=EVENING_UTC)
    fields = shop.letters.context(cid)
    assert fields["today"] == date(2026, 12, 4)
    assert fields["customer"]["days_since_last_visit"] == 0


def test_followups_due_counts_the_shop_day(shop: Desk) -> None:
    cid = shop.customers.create(CustomerDraft(first_name="Ana", last_name="Ruiz")).id
    # 12:00 UTC on the 4th is 01:00 on the 5th at the shop: due on the 5th, not the 4th.
    shop.followups.add(cid, "Call back", datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    assert customers_with_followups_due(shop, date(2026, 12, 4)) == []
    assert customers_with_followups_due(shop, date(2026, 12, 5)) == [cid]
    assert os.environ["TZ"] == "UTC"
