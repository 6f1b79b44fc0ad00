"""How many statements the customer view sends when it refreshes (a change to the customer on
screen, here or at another counter): on a server each is a round trip on the UI thread, so the
refresh must not read what it already holds. Counted on a real server with a real window: the
shop's zone is read once per Desk, not by each tab (it was six times), and the customer once,
not again for the greeting (three statements: the row, its phones, its e-mails)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from csdesk.domain import Change, CustomerDraft
from csdesk.services.desk import Desk
from csdesk.services.server import init_server
from csdesk.ui.main_window import MainWindow
from tests.pg_cluster import PgCluster


@pytest.fixture
def server_window(qtbot: QtBot, pg_cluster: PgCluster) -> Iterator[tuple[MainWindow, int]]:
    url = pg_cluster.url(pg_cluster.new_database())
    init_server(url)
    desk = Desk.open(url, computer="Counter 1")
    maria = desk.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez",
                                                phones=(("mobile", "+1 555 010 4477"),)))
    desk.visits.log(maria.id, purpose="fitted boots")
    desk.notes.add(maria.id, "Prefers afternoons")
    assert isinstance(QApplication.instance(), QApplication)
    win = MainWindow(desk)
    qtbot.addWidget(win)
    try:
        win.show()
        qtbot.waitExposed(win)
        win.open_customer(maria.id)
        yield win, maria.id
    finally:
        win.teardown()
        desk.close()


def test_a_refresh_reads_neither_settings_nor_the_customer_twice(
    server_window: tuple[MainWindow, int],
) -> None:
    win, maria = server_window
    db: Any = win.desk.db
    sent: list[str] = []
    original = db.execute

    def counting(sql: str, params: Any = ()) -> Any:
        sent.append(sql)
        return original(sql, params)

    db.execute = counting
    try:
        win.desk.notify(Change("visit", (), maria))  # as a visit logged at another counter
    finally:
        del db.execute  # the class's own method again
    assert not [s for s in sent if "FROM settings" in s], sent
    assert len([s for s in sent if "FROM customers WHERE id" in s]) == 1, sent
    assert win.customer_view.customer is not None and win.customer_view.customer.id == maria
    print(f"\ncustomer view refresh on the server: {len(sent)} statements")
