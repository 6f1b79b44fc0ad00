"""A real main window on a temporary database with demo customers and a few we know by name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from csdesk.domain import Channel, Customer, CustomerDraft, NoteKind
from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.ui.main_window import MainWindow
from csdesk.ui.theme import apply_theme


@pytest.fixture
def known(desk: Desk) -> dict[str, Customer]:
    """Demo data around two customers the tests look for by name."""
    demo.generate(desk.context, 200, seed=7)
    jose = desk.customers.create(
        CustomerDraft(
            first_name="José",
            last_name="García Márquez",
            preferred_name="Pepe",
            email="pepe.garcia@example.com",
            birthday="1984-03-07",
            company="Trail & Co",
            phones=(("mobile", "+1 (555) 010-4477"), ("work", "212 555 0188")),
        )
    )
    at = desk.clock() - timedelta(days=20)
    desk.visits.log(
        jose.id, channel=Channel.IN_PERSON, purpose="fitted walking boots", at=at
    )
    desk.visits.log(jose.id, channel=Channel.PHONE, purpose="asked about insoles")
    desk.notes.add(
        jose.id,
        "Allergic to latex: no latex insoles.",
        kind=NoteKind.WARNING,
        pinned=True,
        read_before_serving=True,
    )
    desk.notes.add(jose.id, "Walks the West Highland Way every summer.")
    zoe = desk.customers.create(CustomerDraft(first_name="Zoë", last_name="Quaglia-Obst"))
    return {"jose": desk.customers.get(jose.id), "zoe": zoe}


def show_window(qtbot: QtBot, desk: Desk) -> MainWindow:
    """The main window on `desk`, themed, shown, active and with its first search painted. The
    caller tears it down (win.teardown()) before the desk is closed."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    win = MainWindow(desk)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: win.search.shown_query is not None, timeout=5000)
    return win


@pytest.fixture
def window(qtbot: QtBot, desk: Desk, known: dict[str, Customer]) -> Iterator[MainWindow]:
    win = show_window(qtbot, desk)
    yield win
    # the window owns its desk's lifetime: its features' timers stop before the desk closes
    win.teardown()


def type_search(qtbot: QtBot, win: MainWindow, text: str) -> None:
    """Type like a person and wait until the results for exactly this text are on screen."""
    qtbot.keyClicks(win.search.field, text)
    qtbot.waitUntil(lambda: win.search.shown_query == text, timeout=5000)
