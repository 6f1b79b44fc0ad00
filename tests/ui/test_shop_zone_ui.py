"""The window's lists show the shop's time, not the computer's (the process runs in UTC here)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.models.audit_model import AuditModel
from csdesk.ui.models.timeline_model import SECONDARY_ROLE, TimelineModel
from tests.conftest import FakeClock
from tests.settings_seam import set_setting

EVENING_UTC = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)


@pytest.fixture
def shop(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    desk = Desk.open(db_path, clock=FakeClock(EVENING_UTC))
    set_setting(desk, "timezone", "Pacific/Auckland")
    yield desk
    desk.close()
    monkeypatch.undo()
    time.tzset()


def test_timeline_and_audit_show_shop_time(shop: Desk, qtmodeltester: object) -> None:
    cid = shop.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez")).id
    shop.visits.log(cid, purpose="Collect repair", at=EVENING_UTC)
    timeline = TimelineModel(shop)
    timeline.set_customer(cid)
    qtmodeltester.check(timeline)  # type: ignore[attr-defined]
    lines = [str(timeline.index(r, 0).data(SECONDARY_ROLE)) for r in range(timeline.rowCount())]
    assert any(line.startswith("4 Dec 2026, 09:00") for line in lines), lines

    shop.auth.act_as_cli()  # the audit log is for admins
    audit = AuditModel(shop)
    qtmodeltester.check(audit)  # type: ignore[attr-defined]
    shown = [audit.index(r, 0).data() for r in range(audit.rowCount())]
    assert shown and all(str(s).startswith("2026-12-04 09:00") for s in shown), shown
