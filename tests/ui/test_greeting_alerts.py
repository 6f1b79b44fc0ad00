"""Every read-before-serving warning can be read (explore item 19): four long ones were clipped
to the newest, with no scroll bar. The box grows up to a limit, then scrolls, and says how many."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer, NoteKind
from csdesk.services.desk import Desk
from csdesk.ui.main_window import MainWindow

LONG = "Do not sell latex products; severe allergy. " * 20


@pytest.mark.parametrize("size", [(1024, 640), (1366, 768)])
def test_long_warnings_scroll_and_none_is_cut(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer],
    size: tuple[int, int],
) -> None:
    zoe = known["zoe"].id
    for i in range(4):
        desk.notes.add(zoe, f"WARNING {i}: {LONG}", kind=NoteKind.WARNING,
                       read_before_serving=True)
    window.resize(*size)
    window.open_customer(zoe)
    banner = window.customer_view.banner
    qtbot.waitUntil(lambda: "WARNING 0" in banner.alert_text.text(), timeout=5000)
    text, scroll = banner.alert_text, banner.alert_scroll
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().isVisible(), timeout=5000)
    # The whole text is laid out (nothing clipped), the box scrolls to the rest of it.
    assert text.height() >= text.heightForWidth(text.width())
    assert scroll.verticalScrollBar().maximum() > 0
    assert banner.alert_title.text() == "Read before serving: 4 notes"
    # ... and the box stays a part of the window: the timeline keeps room below it.
    assert scroll.height() < window.height() / 3
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
    last = text.mapTo(scroll.viewport(), text.rect().bottomLeft())
    assert last.y() <= scroll.viewport().height()


def test_a_short_warning_is_shown_whole_without_a_scroll_bar(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer]
) -> None:
    window.resize(1024, 640)
    window.open_customer(known["jose"].id)
    banner = window.customer_view.banner
    qtbot.waitUntil(lambda: "latex" in banner.alert_text.text(), timeout=5000)
    qtbot.wait(50)
    assert banner.alert_scroll.verticalScrollBar().maximum() == 0
    assert banner.alert_title.text() == "Read before serving"
    assert banner.alert_scroll.height() >= banner.alert_text.heightForWidth(banner.alert_text.width())
