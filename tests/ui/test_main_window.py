"""pytest-qt drives the real window: find a customer by keyboard and greet them by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer, CustomerDraft
from csdesk.services import phone as phone_rules
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.customer_form import CustomerForm, draft_from_search
from csdesk.ui.main_window import MainWindow
from tests.conftest import ENGINES
from tests.settings_seam import set_setting
from tests.ui.conftest import type_search

BOTH_ENGINES = pytest.mark.parametrize("engine", ENGINES, indirect=True)


def test_cursor_starts_in_search_and_recent_customers_are_listed(window: MainWindow) -> None:
    assert QApplication.focusWidget() is window.search.field
    assert window.search.model.rowCount() > 0
    assert "Recent" in window.search.status.text()


@BOTH_ENGINES  # the window on a file and on the shop's server
def test_type_arrow_enter_greets_by_preferred_name(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer]
) -> None:
    type_search(qtbot, window, "garc mar")
    names = [window.search.model.hit(r).display_name for r in range(window.search.model.rowCount())]  # type: ignore[union-attr]
    target = names.index(known["jose"].display_name)
    if target == 0:  # arrow down then up again so the arrows are exercised either way
        qtbot.keyClick(window.search.field, Qt.Key.Key_Down)
        qtbot.keyClick(window.search.field, Qt.Key.Key_Up)
    for _ in range(target):
        qtbot.keyClick(window.search.field, Qt.Key.Key_Down)
    assert window.search.results.currentIndex().row() == target
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    banner = window.customer_view.banner
    assert "Pepe" in banner.headline.text()
    assert "Welcome back" in banner.headline.text()
    assert banner.alerts.isVisibleTo(window)
    assert "latex" in banner.alert_text.text()
    card = dict(window.customer_view.card.values())
    phones = {p.label: phone_rules.pretty(p.e164 or "", "US") for p in known["jose"].phones}
    assert card["Mobile"] == phones["mobile"] and "4477" in card["Mobile"]
    assert card["Work"] == phones["work"] == "(212) 555-0188"
    assert card["Birthday"] == "7 March 1984"
    titles = [window.customer_view.timeline_model.entry(r).title for r in range(4)]  # type: ignore[union-attr]
    assert titles[-1] == "In person: fitted walking boots"  # two visits, two notes, newest first
    assert window.customer_view.timeline_model.rowCount() == 4
    assert window.customer_view.notes_model.note(0).pinned  # type: ignore[union-attr]


@BOTH_ENGINES  # the window on a file and on the shop's server
def test_enter_before_results_arrive_opens_the_first_match(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.keyClicks(window.search.field, "quaglia")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)  # within the debounce
    qtbot.waitUntil(lambda: window.customer_view.customer is not None, timeout=5000)
    assert window.customer_view.banner.headline.text() == "Welcome, Zoë!"


@BOTH_ENGINES  # the window on a file and on the shop's server
def test_phone_search_finds_by_last_four_digits(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "4477")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    assert window.customer_view.customer is not None
    assert window.customer_view.customer.preferred_name == "Pepe"


def test_esc_clears_and_returns_to_search_from_anywhere(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "pepe")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    timeline = window.customer_view.timeline.list
    timeline.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is timeline)
    qtbot.keyClick(timeline, Qt.Key.Key_Escape)
    assert window.search.field.text() == ""
    assert QApplication.focusWidget() is window.search.field
    qtbot.waitUntil(lambda: window.search.shown_query == "", timeout=5000)
    assert "Recent" in window.search.status.text()


def test_ctrl_f_and_f2_focus_search(qtbot: QtBot, window: MainWindow) -> None:
    for key, mod in (
        (Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_F2, Qt.KeyboardModifier.NoModifier),
    ):
        window.search.results.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.results)
        qtbot.keyClick(window.search.results, key, mod)
        assert QApplication.focusWidget() is window.search.field


def test_hostile_text_never_breaks_the_window(qtbot: QtBot, window: MainWindow) -> None:
    for text in ('"unbalanced', "AND NOT (", "c++ *", "   "):
        window.search.field.clear()
        type_search(qtbot, window, text)
        assert window.search.status.text()
    for text in ("🙂 o'br 🙂", "x" * 10_000):  # QTest cannot type emoji: paste them instead
        window.search.field.setText(text)
        qtbot.waitUntil(lambda t=text: window.search.shown_query == t, timeout=5000)  # type: ignore[misc]
        assert window.search.status.text()


def test_no_match_says_what_to_do(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "zzzqqq")
    assert window.search.model.rowCount() == 0
    assert "Ctrl+N" in window.search.status.text()


def test_ctrl_e_edits_the_open_customer_and_views_refresh(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not window.edit_action.isEnabled()
    window.open_customer(known["zoe"].id)
    seen: list[Customer | None] = []

    def fake_ask(parent: object, d: Desk, customer: Customer | None = None) -> Customer | None:
        seen.append(customer)
        assert customer is not None
        return d.customers.update(customer.id, CustomerDraft(first_name="Zoë", preferred_name="Zo"))

    monkeypatch.setattr(CustomerForm, "ask", classmethod(lambda cls, *a, **k: fake_ask(*a, **k)))
    qtbot.keyClick(window.search.field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert seen and seen[0] is not None and seen[0].id == known["zoe"].id
    assert window.customer_view.banner.headline.text() == "Welcome, Zo!"


def test_writes_elsewhere_reach_the_views_through_the_change_bus(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    window.open_customer(known["jose"].id)
    model = window.customer_view.timeline_model
    assert model.rowCount() == 4
    desk.visits.log(known["jose"].id, purpose="bought running shoes")
    assert model.rowCount() == 5
    assert model.entry(0).title == "In person: bought running shoes"  # type: ignore[union-attr]


INTERACTIVE = (QAbstractButton, QLineEdit, QAbstractItemView, QComboBox, QTabBar)


def test_every_interactive_widget_has_object_and_accessible_names(
    window: MainWindow, known: dict[str, Customer]
) -> None:
    window.open_customer(known["jose"].id)
    missing = []
    checked = 0
    for widget in window.findChildren(QWidget):
        focusable = widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        if not (isinstance(widget, INTERACTIVE) or focusable) or not widget.isVisibleTo(window):
            continue
        checked += 1
        if not widget.objectName() or not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    assert checked >= 6
    assert missing == []


def test_ctrl_n_after_a_search_that_found_nobody_starts_with_what_was_typed(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[CustomerDraft | None] = []
    monkeypatch.setattr(
        CustomerForm, "ask", classmethod(lambda cls, p, d, c=None, **k: asked.append(k["prefill"]))
    )
    type_search(qtbot, window, "Ingrid Bergstrom")
    assert window.search.model.rowCount() == 0
    qtbot.keyClick(window.search.field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked == [CustomerDraft(first_name="Ingrid", last_name="Bergstrom")]
    window.back_to_search()
    qtbot.waitUntil(lambda: window.search.model.rowCount() > 0, timeout=5000)
    qtbot.keyClick(window.search.field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked[-1] is None  # an empty search prefills nothing


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  ", CustomerDraft()),
        ("ann@example.org", CustomerDraft(email="ann@example.org")),
        ("+1 (212) 555-0100", CustomerDraft(phones=(("mobile", "+1 (212) 555-0100"),))),
        ("Mary  van der Berg", CustomerDraft(first_name="Mary", last_name="van der Berg")),
        ("Ø", CustomerDraft(first_name="Ø")),
    ],
)
def test_draft_from_search(typed: str, expected: CustomerDraft) -> None:
    assert draft_from_search(typed) == expected


def test_title_follows_the_shop_name(window: MainWindow, desk: Desk) -> None:
    assert window.windowTitle() == "csdesk"
    set_setting(desk, "shop_name", "Trailhead Outfitters")
    assert window.windowTitle() == "Trailhead Outfitters · csdesk"


def test_help_lists_every_shortcut_and_stays_last(qtbot: QtBot, tmp_path: Path) -> None:

    desk = Desk.open(tmp_path / "menus.db")
    window = MainWindow(desk)
    qtbot.addWidget(window)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-1] == "&Help"
    assert "&Customer" in titles
    rows = dict(window.shortcut_rows())
    assert rows["Ctrl+N"] == "New customer"
    assert rows["Ctrl+F, F2"] == "Find customer"
    assert "Esc" in rows
    # A feature's action shows up in Help without anyone editing a table.
    window.add_action("testAction", "&Do a thing…", [QKeySequence("Ctrl+Alt+T")], lambda: None)
    assert dict(window.shortcut_rows())["Ctrl+Alt+T"] == "Do a thing"
    window.menu("&Zed")
    assert [a.text() for a in window.menuBar().actions()][-2:] == ["&Zed", "&Help"]
    window.close()
    desk.close()


def test_down_pressed_before_results_arrive_moves_in_the_new_list(
    qtbot: QtBot, tmp_path: Path
) -> None:
    desk = Desk.open(tmp_path / "fast.db")
    ids = [
        desk.customers.create(CustomerDraft(first_name=name, last_name="Okafor")).id
        for name in ("Ngozi", "Ngozi", "Ngozi", "Amara")
    ]
    window = MainWindow(desk)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 4)  # the recent list is showing
    opened: list[int] = []
    window.search.customer_chosen.connect(opened.append)
    # Type, Down and Enter faster than the debounce: Down belongs to the "ngo" results.
    qtbot.keyClicks(window.search.field, "ngo")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Down)
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    ngozis = [h.customer_id for h in desk.search.search("ngo")]
    assert opened == [ngozis[1]] and ids[3] not in ngozis
    window.close()
    desk.close()


def test_f1_opens_the_shortcuts(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csdesk.ui.dialogs.shortcuts_dialog import ShortcutsDialog

    shown: list[str] = []
    monkeypatch.setattr(ShortcutsDialog, "ask", classmethod(lambda cls, parent, html: shown.append(html)))
    qtbot.keyClick(window.search.field, Qt.Key.Key_F1)
    assert len(shown) == 1 and "<b>F1</b>" in shown[0] and "<b>Ctrl+N</b>" in shown[0]
    dialog = ShortcutsDialog(window, shown[0])
    qtbot.addWidget(dialog)
    assert dialog.table.text() == shown[0] and dialog.table.wordWrap()


def test_the_window_fits_a_1024_pixel_counter_screen(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer]
) -> None:
    """A small counter screen is 1,024 pixels wide: with a customer open the window shrinks to
    it, and the customer's tabs (Timeline, Notes, Issues, Letters) all show, none scrolled away."""
    window.open_customer(known["jose"].id)
    qtbot.waitUntil(lambda: window.customer_view.banner.headline.text() != "", timeout=5000)
    assert window.minimumSizeHint().width() <= 1024
    window.resize(1024, 720)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5000)
    bar = window.customer_view.sections.tabBar()
    qtbot.waitUntil(lambda: bar.width() > 0, timeout=5000)
    assert bar.count() >= 4
    assert bar.tabRect(bar.count() - 1).right() <= bar.width(), [bar.tabText(i) for i in range(bar.count())]
    assert all(bar.tabRect(i).left() >= 0 for i in range(bar.count()))
