"""qtmodeltester runs on every Qt model in csdesk/ui, with real data, empty and filtered; a new
model class without an entry here fails the first test."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel
from pytestqt.modeltest import ModelTester

import csdesk.ui
from csdesk.domain import Customer, CustomerDraft, GoodwillKind, IssueDraft
from csdesk.services.desk import Desk
from csdesk.ui.models.audit_model import AuditModel
from csdesk.ui.models.daily_log_model import DailyLogModel
from csdesk.ui.models.duplicate_pairs_model import DuplicatePairsModel
from csdesk.ui.models.import_preview_model import ImportPreviewModel
from csdesk.ui.models.issue_models import FollowUpModel, IssueEventsModel, IssueListModel
from csdesk.ui.models.letters_model import LettersModel
from csdesk.ui.models.notes_model import NotesModel
from csdesk.ui.models.outbox_model import OutboxModel
from csdesk.ui.models.search_model import SearchResultsModel
from csdesk.ui.models.timeline_model import TimelineModel
from tests.conftest import FakeClock
from tests.services.helpers_security import make_admin

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
BASES = {"HeaderedTableModel", "_PagedTable"}  # abstract: checked through their subclasses
Check = Callable[[ModelTester, Desk, dict[str, Customer]], None]


def _search(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    model = SearchResultsModel("US")
    tester.check(model)
    model.set_hits(desk.search.search("garc"))
    tester.check(model)


def _audit(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    make_admin(desk)  # the audit log is for leads and admins
    tester.check(AuditModel(desk))


def _import_preview(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    model = ImportPreviewModel()
    tester.check(model)
    model.set_plan(desk.imports.preview(DATA / "square_export.csv"))
    tester.check(model)
    for action in ("create", "skip", "unchanged", None):
        model.set_filter(action)
        tester.check(model)


def _duplicate_pairs(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    for _ in range(2):
        desk.customers.create(
            CustomerDraft(first_name="Ada", last_name="Twice", phones=(("mobile", "+1 555 010 9999"),))
        )
    model = DuplicatePairsModel()
    tester.check(model)
    pairs = desk.duplicates.pairs()
    assert pairs
    model.set_pairs(pairs)
    tester.check(model)
    model.drop_customer(pairs[0].other_id)
    tester.check(model)


def _letters(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    model = LettersModel(desk)
    tester.check(model)
    model.set_customer(known["jose"].id)
    tester.check(model)


def _daily_log(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    model = DailyLogModel(desk, page=3)
    tester.check(model)
    model.set_range(desk.reports.day())
    tester.check(model)


def _notes(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    model = NotesModel(desk)
    tester.check(model)
    model.set_customer(known["jose"].id)
    tester.check(model)


def _timeline(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    model = TimelineModel(desk, page=2)
    tester.check(model)
    model.set_customer(known["jose"].id)
    tester.check(model)


def _issues(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    jose = known["jose"]
    issue = desk.issues.log(IssueDraft(customer_id=jose.id, title="Sole came off"))
    listing = IssueListModel(desk, page=2)
    tester.check(listing)
    listing.set_customer(jose.id)
    tester.check(listing)
    followups = FollowUpModel(desk, page=2)
    tester.check(followups)
    events = IssueEventsModel(desk)
    tester.check(events)
    events.set_issue(issue.id)
    tester.check(events)


def _insights(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    clock = desk.clock
    assert isinstance(clock, FakeClock)
    from datetime import timedelta

    from csdesk.services.insight_tables import tables
    from csdesk.ui.models.insight_models import InsightTableModel, ListingModel

    ins = desk.insights.compute(desk.insights.preset("last_4_weeks"))
    for dark in (False, True):
        model = InsightTableModel(dark=dark)
        tester.check(model)
        for table in tables(ins):  # every chart's numbers, the heat map's coloured cells too
            model.set_table(table)
            tester.check(model)
    # something behind every kind of list, so the checks see rows, not only empty models
    jose = known["jose"]
    now = desk.clock()
    desk.visits.log(jose.id, at=now, satisfaction=4)  # today in any zone the machine is in
    issue = desk.issues.log(IssueDraft(customer_id=jose.id, title="Strap",
                                       due_at=now + timedelta(minutes=5)))
    desk.issues.add_goodwill(issue.id, GoodwillKind.GIFT, 300)
    desk.followups.add(jose.id, "Ring back", now + timedelta(minutes=1))
    clock.advance(minutes=10)  # both now past their due time
    ins = desk.insights.compute(desk.insights.preset("last_4_weeks"))
    lists = desk.insights.lists
    period = ins.period
    for listing in (
        lists.visits_on(desk.insights.today()),
        lists.visits(period.first, period.end, rated=True),
        lists.new_customers(period.first, period.end),
        lists.issues(period.first, period.end, which="both"),
        lists.overdue_issues(),
        lists.goodwill(period.first, period.end),
        lists.followups(period.first, period.end),
    ):
        assert listing.items, listing.title
        tester.check(ListingModel(listing))
    tester.check(ListingModel())


def _outbox(tester: ModelTester, desk: Desk, known: dict[str, Customer]) -> None:
    model = OutboxModel(desk)
    model.reload()
    tester.check(model)  # empty
    desk.auth.act_as_cli()
    desk.shop.set("mail_from_address", "shop@example.test")
    desk.outbox.queue_batch("thank_you", [known["jose"].id, known["zoe"].id])  # Zoë: no address
    desk.outbox.cancel(desk.outbox.listing()[0]["id"])
    desk.outbox.queue_one("thank_you", known["jose"].id)
    model.reload()
    assert model.rowCount() == 2
    tester.check(model)
    model.set_states(["failed"])
    tester.check(model)


CHECKS: dict[str, Check] = {
    "SearchResultsModel": _search,
    "AuditModel": _audit,
    "ImportPreviewModel": _import_preview,
    "DuplicatePairsModel": _duplicate_pairs,
    "LettersModel": _letters,
    "OutboxModel": _outbox,
    "DailyLogModel": _daily_log,
    "NotesModel": _notes,
    "TimelineModel": _timeline,
    "IssueListModel": _issues,
    "FollowUpModel": _issues,
    "IssueEventsModel": _issues,
    "InsightTableModel": _insights,
    "ListingModel": _insights,
}


def _ui_models() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(csdesk.ui.__path__, "csdesk.ui."):
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, QAbstractItemModel)
                and obj.__module__ == module.__name__
                and name not in BASES
            ):
                found.add(name)
    return found


def test_every_model_in_the_ui_has_a_check() -> None:
    assert _ui_models() == set(CHECKS)


@pytest.mark.parametrize(
    "check", sorted(set(CHECKS.values()), key=lambda f: f.__name__), ids=lambda f: f.__name__[1:]
)
def test_qtmodeltester(
    check: Check, qtmodeltester: ModelTester, desk: Desk, known: dict[str, Customer]
) -> None:
    check(qtmodeltester, desk, known)
