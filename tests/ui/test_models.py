"""qtmodeltester on every model, plus the lazy paging of the visit history."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester

from csdesk.domain import Customer
from csdesk.services.desk import Desk
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


def test_notes_model_pinned_first(
    qtmodeltester: ModelTester, desk: Desk, known: dict[str, Customer]
) -> None:
    jose = known["jose"]
    desk.notes.add(jose.id, "Newest, not pinned.")
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
