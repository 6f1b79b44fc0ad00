"""The customer card shows every word of a long value inside its own width: a company like
"Überlange Gesellschaft für Wandern und Bergsteigen mbH" lost its last line ("mbH") off the card's
right edge, because each value label asked for its one-line width and the card (at most 340 px)
cut off what did not fit, worst when one long e-mail address widened the whole value column. An
e-mail address is one word to Qt's line breaker: "maria.garcia.marquez@example.com" was shown as
"maria.garcia.marqu" with no sign of the rest; it now wraps before its @ or a dot, and a copy of
it is the address as stored (the soft breaks are not copied)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFormLayout
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
