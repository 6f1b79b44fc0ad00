"""The Insights window driven with keys: open it, read a chart's numbers, click through to a
day's visits and open a customer with Enter; plain staff see only their own figures."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.services.desk import Desk
from csdesk.ui.features.insights import InsightsDialog, InsightsFeature
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme
from tests.conftest import FakeClock
from tests.services.insights_fixture import Shop, seed


@pytest.fixture
def shop(desk: Desk, clock: FakeClock) -> Shop:
    return seed(desk, clock)


@pytest.fixture
def win(qtbot: QtBot, desk: Desk, shop: Shop) -> MainWindow:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.teardown()


def open_insights(qtbot: QtBot, win: MainWindow) -> InsightsDialog:
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    feature = win.feature(InsightsFeature)
    qtbot.waitUntil(lambda: feature.dialog is not None and feature.dialog.isVisible(), timeout=5000)
    assert feature.dialog is not None
    return feature.dialog


def pick_two_weeks(qtbot: QtBot, dialog: InsightsDialog) -> None:
    view = dialog.view
    view.period_box.setCurrentIndex(view.period_box.findData("custom"))
    view.first.setDate(QDate(2026, 10, 19))
    view.last.setDate(QDate(2026, 11, 1))
    qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.insights is not None and view.insights.period.first == date(2026, 10, 19),
                    timeout=10000)


def test_keys_open_the_view_show_numbers_and_click_through(
    qtbot: QtBot, win: MainWindow, shop: Shop, desk: Desk
) -> None:
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    view = dialog.view
    assert view.member_box.itemText(0) == "Everyone"
    assert "The whole shop" in view.status.text()
    page = view.pages["visits"]
    assert page.chart_view.chart().title() == "Visits and calls per day"
    assert "stacked by channel" in page.caption.text()
    view.tabs.setFocus()
    qtbot.keyClick(view.tabs, Qt.Key.Key_T)  # the numbers, one key away
    assert page.showing_table
    model = page.table.model()
    assert model.rowCount() == 14
    row = [model.index(6, c).data() for c in range(model.columnCount())]
    assert row == ["2026-10-25", "0", "2", "1", "0", "3"]  # in person, phone, e-mail, chat, total
    # Enter on the 25th's row lists its visits; Enter there opens the customer
    page.table.setCurrentIndex(model.index(6, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(view.lists), timeout=3000)
    listing = view.lists[-1]
    assert listing.model.rowCount() == 3
    assert listing.model.index(1, 0).data() == "02:30 (2nd)"
    qtbot.keyClick(listing.view, Qt.Key.Key_Return)
    assert not listing.isVisible()
    customer = win.customer_view.customer
    assert customer is not None and customer.id == shop.old1
    # the heat map: Sunday 02:00 holds both 02:30s
    view.tabs.setCurrentIndex(view.tabs.count() - 1)
    heat = view.heat_model
    assert heat.index(6, 3).data() == "2"
    assert heat.index(6, 3).data(Qt.ItemDataRole.BackgroundRole) is not None
    view.heat_view.setCurrentIndex(heat.index(6, 3))
    qtbot.keyClick(view.heat_view, Qt.Key.Key_Return)
    assert view.lists[-1].model.rowCount() == 2
    qtbot.keyClick(view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == 0


def test_overdue_bar_opens_the_overdue_issues(qtbot: QtBot, win: MainWindow, shop: Shop) -> None:
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    listing = dialog.view.open_overdue()
    assert listing.model.rowCount() == 1
    assert listing.model.index(0, 2).data() == "Refund"


def test_plain_staff_see_their_own_figures_only(
    qtbot: QtBot, win: MainWindow, desk: Desk, shop: Shop
) -> None:
    desk.act_as("Ben")
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    view = dialog.view
    assert [view.member_box.itemText(i) for i in range(view.member_box.count())] == ["Ben"]
    assert not view.member_box.isEnabled()
    assert "Ben's own figures" in view.status.text()
    assert view.insights is not None and view.insights.headline.visits == 6


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots(
    qtbot: QtBot, desk: Desk, shop: Shop, theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSDESK_THEME", theme)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    w = MainWindow(desk)
    qtbot.addWidget(w)
    try:
        dialog = w.feature(InsightsFeature).open()
        pick_two_weeks(qtbot, dialog)
        assert dialog.view.dark == (theme == "dark")
        image = dialog.grab().toImage()
        assert image.width() > 800
        dialog.grab().save(f"/tmp/insights-{theme}.png")
        background = image.pixelColor(5, image.height() // 2).lightness()
        assert (background < 128) == (theme == "dark")
    finally:
        w.teardown()
        monkeypatch.delenv("CSDESK_THEME")
        apply_theme(app)
