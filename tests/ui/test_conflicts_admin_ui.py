"""The Staff accounts and Settings dialogs on one counter, saves at another: a stale change is
refused with who, when and what; what was typed stays; doing it again keeps one's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from csdesk.domain import Role
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.pin_dialog import PinDialog
from csdesk.ui.dialogs.settings_dialog import SettingsDialog
from csdesk.ui.dialogs.staff_dialog import StaffDialog
from tests.conftest import FakeClock
from tests.services.helpers_security import add_member, two_admin_counters


@pytest.fixture
def counters(db_path: Path, clock: FakeClock) -> Iterator[tuple[Desk, Desk]]:
    with two_admin_counters(db_path, clock) as pair:
        yield pair


def test_the_staff_dialog_refuses_a_change_made_on_a_stale_list(
    qtbot: QtBot, counters: tuple[Desk, Desk], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = counters
    add_member(one, "Carl", Role.STAFF)
    dialog = StaffDialog(two)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.list.setCurrentItem(dialog.list.findItems("Carl", Qt.MatchFlag.MatchExactly, 0)[0])
    clock.advance(minutes=4)
    one.auth.deactivate("Carl")  # at counter 1, while Ben looks at the list
    monkeypatch.setattr(PinDialog, "ask", classmethod(lambda cls, parent, name: "97531"))
    qtbot.mouseClick(dialog.reset_pin_button, Qt.MouseButton.LeftButton)
    said = dialog.message.text()
    assert said.startswith("Anna changed Carl's account at 15:04 (at Counter 1): active")
    chosen = dialog.list.currentItem()
    assert chosen is not None and chosen.text(0) == "Carl" and chosen.text(2) == "Deactivated"
    assert dialog.reactivate_button.isEnabled()  # the list shows theirs; Ben decides again
    qtbot.mouseClick(dialog.reactivate_button, Qt.MouseButton.LeftButton)
    assert {e.name: e for e in one.auth.list_staff()}["Carl"].active
    assert "Carl is active again" in dialog.message.text()


def test_the_settings_dialog_keeps_what_was_typed_and_shows_the_rest_as_saved_elsewhere(
    qtbot: QtBot, counters: tuple[Desk, Desk], clock: FakeClock
) -> None:
    one, two = counters
    dialog = SettingsDialog(two)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.shop_name, "Ben's Bikes")
    clock.advance(minutes=2)
    one.shop.set_many({"shop_name": "Trail & Co", "shop_phone": "555 0100"})
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and not dialog.saved
    said = dialog.message.text()
    assert said.startswith("Anna changed the settings at 15:02 (at Counter 1): shop name, shop phone")
    assert "save again to keep yours" in said
    assert dialog.shop_name.text() == "Ben's Bikes"  # typed: kept
    assert dialog.shop_phone.text() == "555 0100"  # untouched: now theirs, not written back
    assert one.shop.get("shop_name") == "Trail & Co"
    qtbot.wait(30)  # the layout makes room for the message
    dialog.grab().save("/tmp/live-settings-conflict.png")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved
    assert one.shop.get("shop_name") == "Ben's Bikes" and one.shop.get("shop_phone") == "555 0100"
