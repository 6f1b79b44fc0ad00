"""The customer card shows every word of a long value inside its own width: a company like
"Überlange Gesellschaft für Wandern und Bergsteigen mbH" lost its last line ("mbH") off the card's
right edge, because each value label asked for its one-line width and the card (at most 340 px)
cut off what did not fit, worst when one long e-mail address widened the whole value column. An
e-mail address is one word to Qt's line breaker: "maria.garcia.marquez@example.com" was shown as
"maria.garcia.marqu" with no sign of the rest; it now wraps (inside the word where it must), and
a copy of it is the address as stored."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QFormLayout, QScrollArea
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer, CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.main_window import MainWindow
from csdesk.ui.widgets.wrapped_value import WrappedValue
from tests.ui.conftest import type_search

COMPANY = "Überlange Gesellschaft für Wandern und Bergsteigen mbH"
# One long word to Qt: it used to widen the whole value column past the card, then was clipped.
EMAIL = "maximiliana.josefina.quellenhofer@wander-und-bergsteigen-example.de"
ADDRESS = "Hauptstraße 123, Hinterhaus, 3. Stock links, 80331 München, Deutschland"


def test_long_values_wrap_inside_the_card(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    desk.customers.create(
        CustomerDraft(first_name="Maximiliana", last_name="Quellenhofer", company=COMPANY, address=ADDRESS,
                      email=EMAIL)
    )
    type_search(qtbot, window, "Quellenhofer")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    card = window.customer_view.card
    qtbot.waitUntil(lambda: dict(card.values()).get("Company") == COMPANY, timeout=5000)
    qtbot.wait(50)  # one layout pass after the rows were added
    edge = card.contentsRect().right()
    values = [
        widget
        for row in range(card.form.rowCount())
        if (item := card.form.itemAt(row, QFormLayout.ItemRole.FieldRole)) is not None
        and isinstance(widget := item.widget(), WrappedValue)
    ]
    assert len(values) == 3  # e-mail, company, address: every value is a WrappedValue
    for value in values:
        assert value.geometry().right() <= edge, value.text()  # nothing past the card's edge
        assert value.height() >= value.heightForWidth(value.width()), value.text()  # every line
    email = next(v for v in values if v.text() == EMAIL)
    lines = email.document().documentLayout().documentSize().height() / email.fontMetrics().lineSpacing()
    assert lines >= 2  # it did wrap: one line of it does not fit the card
    email.selectAll()
    email.copy()
    assert QApplication.clipboard().text() == EMAIL  # what is pasted into the mail program


def _value_widgets(card: object) -> list[WrappedValue]:
    form = card.form  # type: ignore[attr-defined]
    return [
        widget
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.FieldRole)) is not None
        and isinstance(widget := item.widget(), WrappedValue)
    ]


def test_a_small_window_scrolls_the_card_instead_of_clipping_values(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    """At 1024x640 the card squeezed every value into what height was left: the e-mail read
    "maria.angeles", the address stopped mid-word, eight phones were cut in half. Every value
    now keeps all its lines; the ones below the fold are one scroll away, and Edit stays put."""
    desk.customers.create(
        CustomerDraft(
            first_name="María de los Ángeles", last_name="Fernández-Castellanos Villalobos",
            email="maria.angeles.fernandez-castellanos@outdoor-supplies.example.com",
            company="Outdoor Supplies Fernández-Castellanos", address=ADDRESS,
            phones=tuple(("mobile", f"415 555 01{60 + i}") for i in range(8)),
        )
    )
    window.resize(1024, 640)
    type_search(qtbot, window, "Villalobos")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    card = window.customer_view.card
    qtbot.waitUntil(lambda: dict(card.values()).get("Address") == ADDRESS, timeout=5000)
    qtbot.wait(50)
    values = _value_widgets(card)
    assert len(values) == 11  # 8 phones, e-mail, company, address
    for value in values:
        assert value.height() >= value.heightForWidth(value.width()), value.text()  # no line cut
    scroll = card.findChild(QScrollArea)
    assert scroll is not None and scroll.isAncestorOf(values[-1])
    bar = scroll.verticalScrollBar()
    assert bar.isVisible() and bar.maximum() > 0  # the sign that there is more
    for value in values:
        # ensureWidgetVisible would aim at a QTextEdit's cursor, not the whole value: scroll
        # the way a person would, until the value's middle and half its height are in view.
        middle = value.mapTo(scroll.widget(), value.rect().center())
        scroll.ensureVisible(middle.x(), middle.y(), 0, value.height() // 2 + 1)
        qtbot.wait(10)
        top_left = value.mapTo(scroll.viewport(), QPoint(0, 0))
        assert scroll.viewport().rect().contains(QRect(top_left, value.size())), value.text()
    edit = card.edit_button
    assert not edit.visibleRegion().isEmpty() and edit.visibleRegion().boundingRect() == edit.rect()
    # The scroll area is no Tab stop: focus moves as it did, and Esc still goes back to search.
    assert scroll.focusPolicy() == Qt.FocusPolicy.NoFocus
    window.customer_view.sections.setFocus()
    qtbot.keyClick(window.customer_view.sections, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.search.field.hasFocus(), timeout=2000)
