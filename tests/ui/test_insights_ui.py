"""The Insights window driven with keys: open it, read a chart's numbers, click through to a
day's visits and open a customer with Enter; plain staff see only their own figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPointF, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.services.desk import Desk
from csdesk.ui.dialogs.insight_list import ListDialog
from csdesk.ui.features.insights import InsightsDialog, InsightsFeature
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme
from csdesk.ui.widgets.insights_view import ChartPage
from tests.conftest import FakeClock
from tests.services.insights_fixture import Shop, seed, utc


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
    qtbot.waitUntil(lambda: len(view.lists) == 2, timeout=3000)
    assert view.lists[-1].model.rowCount() == 2
    qtbot.keyClick(view.lists[-1].view, Qt.Key.Key_Escape)  # back to the charts
    assert not view.lists[-1].isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == 0


def test_overdue_bar_opens_the_overdue_issues(qtbot: QtBot, win: MainWindow, shop: Shop) -> None:
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    assert dialog.view.open_overdue() is None  # asked off the UI thread: it opens when it comes
    listing = _opened(qtbot, dialog, 0)
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


def _show_tab(qtbot: QtBot, dialog: InsightsDialog, key: str) -> ChartPage:
    view = dialog.view
    page = view.pages[key]
    view.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.chart_view.isVisible() and page.chart_view.width() > 300)
    qtbot.wait(20)  # the chart lays itself out on the next turn of the event loop
    return page


def _click(qtbot: QtBot, page: ChartPage, value: QPointF) -> None:
    """A real mouse click where the chart draws `value` (x, y in the chart's own numbers)."""
    view = page.chart_view
    chart = view.chart()
    at = chart.mapToScene(chart.mapToPosition(value, chart.series()[0]))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(at))


def _opened(qtbot: QtBot, dialog: InsightsDialog, before: int) -> ListDialog:
    qtbot.waitUntil(lambda: len(dialog.view.lists) > before, timeout=3000)
    listing = dialog.view.lists[-1]
    qtbot.waitUntil(listing.isVisible)
    return listing


def _rows(listing: ListDialog, column: int) -> list[str]:
    model = listing.model
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_a_click_on_a_satisfaction_bar_lists_those_answers_and_enter_opens_the_customer(
    qtbot: QtBot, win: MainWindow, shop: Shop
) -> None:
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    page = _show_tab(qtbot, dialog, "satisfaction")
    # week 1 answered 1, 2, 4 and 5 (one each), stacked 1 at the bottom: the 5s fill 3..4
    _click(qtbot, page, QPointF(0, 3.5))
    listing = _opened(qtbot, dialog, 0)
    assert _rows(listing, 1) == ["Olga Old"] and _rows(listing, 4) == ["In person · rated 5"]
    assert "answered with 5" in listing.label.text()
    qtbot.keyClick(listing.view, Qt.Key.Key_Return)
    assert not listing.isVisible()
    customer = win.customer_view.customer
    assert customer is not None and customer.id == shop.old1


def test_a_click_on_a_staff_bar_lists_that_members_visits(
    qtbot: QtBot, win: MainWindow, shop: Shop
) -> None:
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    page = _show_tab(qtbot, dialog, "staff")
    _click(qtbot, page, QPointF(1.5, 1))  # Cleo's bar (Ben is row 0): 3 visits
    listing = _opened(qtbot, dialog, 0)
    assert _rows(listing, 1) == ["Nia New", "Oscar Older", "Olga Old"]
    assert set(_rows(listing, 3)) == {"Cleo"}


def test_enter_on_table_rows_opens_issues_followups_and_goodwill(
    qtbot: QtBot, win: MainWindow, shop: Shop
) -> None:
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    view = dialog.view
    page = _show_tab(qtbot, dialog, "issues")
    view.tabs.setFocus()
    qtbot.keyClick(view.tabs, Qt.Key.Key_T)
    assert page.showing_table and page.table.hasFocus()
    # keyboard only: down to week 2, right to "Resolved", Enter
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    qtbot.keyClick(page.table, Qt.Key.Key_Right)
    qtbot.keyClick(page.table, Qt.Key.Key_Right)
    assert (page.table.currentIndex().row(), page.table.currentIndex().column()) == (1, 2)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    listing = _opened(qtbot, dialog, 0)
    assert _rows(listing, 2) == ["Parcel late"]
    qtbot.keyClick(listing.view, Qt.Key.Key_Return)  # Enter opens the issue's customer
    customer = win.customer_view.customer
    assert customer is not None and customer.id == shop.old2

    page = _show_tab(qtbot, dialog, "followups")
    qtbot.keyClick(view.tabs, Qt.Key.Key_T)
    page.table.setCurrentIndex(page.model.index(0, 1))  # "Done late"
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert _rows(_opened(qtbot, dialog, 1), 2) == ["Send form"]

    page = _show_tab(qtbot, dialog, "goodwill")
    qtbot.keyClick(view.tabs, Qt.Key.Key_T)
    page.table.setCurrentIndex(page.model.index(1, 0))  # (staff, gift)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    listing = _opened(qtbot, dialog, 2)
    assert _rows(listing, 2) == ["Parcel late"] and _rows(listing, 4) == ["gift 5.00"]


def test_the_view_follows_a_visit_written_at_another_counter(
    qtbot: QtBot, win: MainWindow, shop: Shop, db_path: Path, clock: FakeClock
) -> None:
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    view = dialog.view
    page = _show_tab(qtbot, dialog, "returning")
    qtbot.keyClick(view.tabs, Qt.Key.Key_T)
    page.table.setCurrentIndex(page.model.index(1, 2))
    assert view.insights is not None and view.insights.headline.visits == 9
    shown = view.insights
    other = Desk.open(db_path, clock=clock, computer="Counter 2")
    try:
        other.visits.log(shop.old2, at=utc(2026, 10, 28, 9, 0), satisfaction=5)  # Wed 10:00
    finally:
        other.close()
    qtbot.waitUntil(lambda: view.insights is not shown, timeout=1000)
    assert view.insights is not None and view.insights.headline.visits == 10
    assert view.insights.weeks[1].known == 4 and view.insights.weeks[1].distribution[4] == 1
    # the person's place is kept: the period, the tab, the table and its row
    assert view.insights.period.first == date(2026, 10, 19)
    assert view.tabs.currentWidget() is page and page.showing_table
    assert (page.table.currentIndex().row(), page.table.currentIndex().column()) == (1, 2)
    assert page.model.index(1, 2).data() == "4"
    assert "The whole shop" in view.status.text()
    # and a write made in this window counts too, the same way
    shown = view.insights
    win.desk.visits.log(shop.old1, at=utc(2026, 10, 29, 9, 0))
    qtbot.waitUntil(lambda: view.insights is not shown, timeout=1000)
    assert view.insights is not None and view.insights.headline.visits == 11


def test_a_burst_of_writes_elsewhere_ends_in_the_last_figures(
    qtbot: QtBot, win: MainWindow, shop: Shop, db_path: Path, clock: FakeClock
) -> None:
    dialog = open_insights(qtbot, win)
    pick_two_weeks(qtbot, dialog)
    view = dialog.view
    other = Desk.open(db_path, clock=clock, computer="Counter 2")
    try:
        for minute in range(0, 50, 10):  # five visits, each while the last refresh may be running
            other.visits.log(shop.old2, at=utc(2026, 10, 28, 9, minute))
            qtbot.wait(120)
    finally:
        other.close()
    qtbot.waitUntil(lambda: view.insights is not None and view.insights.headline.visits == 14,
                    timeout=2000)
    assert view.insights is not None and view.insights.days[9].total == 5  # Wed 28 Oct
