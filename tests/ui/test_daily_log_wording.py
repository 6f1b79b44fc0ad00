"""The daily log's tiles count in words that agree with the number (issue 13.18)."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from csdesk.domain import Customer
from csdesk.services.desk import Desk
from csdesk.ui.main_window import MainWindow
from tests.ui.test_daily_log import open_log


def test_one_follow_up_done_is_singular(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    item = desk.followups.add(known["zoe"].id, "Call back", desk.clock() + timedelta(hours=1))
    desk.followups.complete(item.id, "Called")
    dialog = open_log(qtbot, window)
    tile = dialog.tiles["followups"]
    qtbot.waitUntil(lambda: tile.figure.text() == "1", timeout=10_000)
    assert tile.caption.text() == "follow-up done"
    assert tile.figure.accessibleName() == "follow-up done"
    later = desk.clock() + timedelta(hours=2)
    desk.followups.complete(desk.followups.add(known["jose"].id, "Post", later).id)
    dialog.refresh()
    qtbot.waitUntil(lambda: tile.figure.text() == "2", timeout=10_000)
    assert tile.caption.text() == "follow-ups done"
    dialog.grab().save("/tmp/letters-files-daily-log.png")
