"""qtmodeltester on every model, plus the lazy paging of the visit history."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from csdesk.domain import Channel, Customer, CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.models.history_model import VisitHistoryModel
from csdesk.ui.models.notes_model import NotesModel
from csdesk.ui.models.roles import EMPHASIS_ROLE, ID_ROLE, SECONDARY_ROLE
from csdesk.ui.models.search_model import SearchResultsModel


def test_search_model(qtmodeltester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    model = SearchResultsModel("US")
    qtmodeltester.check(model)
    model.set_hits(desk.search.search("garc mar"))
    qtmodeltester.check(model)
    assert model.rowCount() >= 1
    rows = {model.data(model.index(r, 0), ID_ROLE): r for r in range(model.rowCount())}
    index = model.index(rows[known["jose"].id], 0)
    assert model.data(index) == known["jose"].display_name
    assert "4477" in model.data(index, SECONDARY_ROLE)
    assert model.data(index, EMPHASIS_ROLE) in (True, False)
    model.set_hits([])
    assert model.rowCount() == 0
    assert model.data(model.index(0, 0)) is None


def test_history_model_pages_lazily_newest_first(
    qtmodeltester: ModelTester, desk: Desk, clock: object
) -> None:
    customer = desk.customers.create(CustomerDraft(first_name="Paged"))
    start = desk.clock() - timedelta(days=200)
    for day in range(120):
        desk.history.log_visit(
            customer.id,
            channel=Channel.PHONE,
            purpose=f"call {day}",
            at=start + timedelta(days=day),
        )
    checked = VisitHistoryModel(desk, page=50)
    qtmodeltester.check(checked)
    checked.set_customer(customer.id)
    qtmodeltester.check(checked)
    assert checked.rowCount() >= 50
    model = VisitHistoryModel(desk, page=50)  # no tester attached: it fetches on its own
    model.set_customer(customer.id)
    assert model.total == 120
    assert model.rowCount() == 50  # only the first page
    assert model.data(model.index(0, 2)) == "call 119"
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 120
    assert not model.canFetchMore(QModelIndex())
    assert model.data(model.index(119, 2)) == "call 0"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Date"
    model.set_customer(None)
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


def test_notes_model_pinned_first(
    qtmodeltester: ModelTester, desk: Desk, known: dict[str, Customer]
) -> None:
    jose = known["jose"]
    desk.history.add_note(jose.id, "Newest, not pinned.")
    model = NotesModel(desk)
    qtmodeltester.check(model)
    model.set_customer(jose.id)
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    first = model.index(0, 0)
    assert model.data(first) == "Allergic to latex: no latex insoles."
    assert model.data(first, EMPHASIS_ROLE) is True
    assert "Read before serving" in model.data(first, SECONDARY_ROLE)
    assert model.data(model.index(1, 0)) == "Newest, not pinned."
