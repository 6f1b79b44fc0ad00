"""A window's Desk on the shop's server backs up with the server's tools (Desk.backups), once a
day whichever counter asks first, and sends restore and repair to the command line."""

from __future__ import annotations

import pytest

from csdesk.errors import UserError
from csdesk.services.desk import Desk
from tests.conftest import FakeClock


def test_two_counters_on_the_server_make_one_automatic_backup_a_day(
    pg_csdesk_url: str, clock: FakeClock
) -> None:
    front = Desk.open(pg_csdesk_url, clock=clock, computer="Counter 1")
    back = Desk.open(pg_csdesk_url, clock=clock, computer="Back office")
    try:
        made = front.backups.auto("startup")
        assert made is not None and made.verified
        assert made.path.suffix == ".dump" and made.path.stat().st_size == made.size > 0
        assert made.path.parent == back.backups.folder  # one folder per server database
        assert back.backups.auto("startup") is None  # the other counter: today's is made
        assert front.backups.auto("daily") is None
        assert front.backups.auto("exit") is None  # no dump from every counter that closes
        clock.advance(days=1)
        again = back.backups.auto("daily")
        assert again is not None and again.path != made.path
        report, advice = back.backups.check_with_advice(quick=True)
        assert report.ok and advice == "" and any("every index valid" in c for c in report.checked)
        for action in (lambda: back.backups.restore(made.path),
                       lambda: back.backups.inspect(made.path),
                       back.backups.repair):
            with pytest.raises(UserError, match="from one counter with `csdesk --db") as said:
                action()
            assert "password" not in str(said.value).lower()
    finally:
        front.close()
        back.close()
