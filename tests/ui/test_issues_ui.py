"""pytest-qt on the real window: log an issue by keyboard, move it along, see it on the banner, in the
list and in the queue; complete a follow-up; a stale save keeps what was typed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer, FollowUp, Issue, IssueDraft, IssueStatus, Priority, Role
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.followup_dialogs import CompleteFollowUp, FollowUpForm
from csdesk.ui.dialogs.issue_detail import IssueDetail
from csdesk.ui.dialogs.issue_form import IssueForm, due_text
from csdesk.ui.features.issues import IssuesFeature
from csdesk.ui.main_window import MainWindow
from csdesk.ui.models.roles import EMPHASIS_ROLE
from tests.conftest import FakeClock
from tests.services.test_issues import add_staff

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def feature(window: MainWindow) -> IssuesFeature:
    found = window.feature(IssuesFeature)
    assert isinstance(found, IssuesFeature)
    return found


def show_active(qtbot: QtBot, dialog: Any) -> None:
    """Shortcuts like Ctrl+Enter reach only the active window, as for a person at the desk."""
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)


def shown_error(label: QLabel) -> str:
    return label.text() if label.isVisibleTo(label.window()) else ""


def test_ctrl_i_logs_an_issue_by_keyboard_and_the_banner_shows_it(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    qtbot.keyClick(window.search.field, Qt.Key.Key_I, CTRL)
    assert "Open a customer first" in window.statusBar().currentMessage()

    def by_keyboard(cls: type[IssueForm], parent: Any, d: Desk, customer: Customer) -> Issue | None:
        dialog = cls(parent, d, customer)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClicks(dialog.title, "late delivery")
        qtbot.keyClicks(dialog.description, "Boots ordered on the 12th are not here.")
        before = dialog.due.text()
        qtbot.keyClick(dialog.priority, Qt.Key.Key_Down)  # normal -> high: a sooner default
        assert dialog.priority.currentText() == "High"
        assert dialog.due.text() != before
        assert dialog.due.text() == due_text(d, d.issues.default_due(Priority.HIGH))
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
        return dialog.saved

    monkeypatch.setattr(IssueForm, "ask", classmethod(by_keyboard))
    window.open_customer(known["jose"].id)
    qtbot.keyClick(window.search.field, Qt.Key.Key_I, CTRL)
    [row] = desk.issues.page()
    assert row.issue.title == "late delivery" and row.issue.priority is Priority.HIGH
    assert row.issue.customer_id == known["jose"].id
    banner = window.customer_view.banner
    assert banner.extra.isVisibleTo(window)
    assert "Open: late delivery" in banner.extra_text()
    sections = window.customer_view.sections
    assert sections.tabText(feature(window).tab_index) == "Issues (1)"
    assert sections.currentIndex() == feature(window).tab_index
    assert feature(window).tab.issues_model.rowCount() == 1
    # the banner keeps its lines only for the customer they belong to
    window.open_customer(known["zoe"].id)
    assert banner.extra_text() == "" and not banner.extra.isVisibleTo(window)


def test_log_form_keeps_everything_and_shows_errors_by_the_fields(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    dialog = IssueForm(window, desk, known["jose"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.due.setText("2026-02-30")
    dialog.goodwill_amount.setText("-5")
    dialog.save()
    assert "title" in shown_error(dialog.errors["title"])
    assert "no 2026-02-30" in shown_error(dialog.errors["due"])
    assert "negative" in shown_error(dialog.errors["goodwill"])
    assert dialog.saved is None and desk.issues.count() == 0
    dialog.title.setText("billing error")
    dialog.due.setText("friday 10:00")
    dialog.goodwill_amount.setText("80")  # the front desk may give 50.00
    dialog.save()
    assert "may give up to 50.00" in shown_error(dialog.errors["goodwill"])
    assert shown_error(dialog.errors["title"]) == shown_error(dialog.errors["due"]) == ""
    assert desk.issues.count() == 0  # nothing half-written
    assert dialog.title.text() == "billing error" and dialog.goodwill_amount.text() == "80"
    dialog.goodwill_amount.setText("30,00")
    dialog.save()
    assert dialog.saved is not None
    assert dialog.saved.goodwill_cents == 3000
    assert dialog.saved.due_at == desk.issues.parse_due("friday 10:00").isoformat(timespec="seconds")


def test_detail_moves_the_issue_along_and_resolving_needs_a_resolution(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    issue = desk.issues.log(IssueDraft(customer_id=known["jose"].id, title="late delivery"))
    window.open_customer(known["jose"].id)
    dialog = IssueDetail(window, desk, issue.id)
    show_active(qtbot, dialog)
    assert [dialog.status.itemText(i) for i in range(dialog.status.count())] == [
        "In progress",
        "Waiting on customer",
        "Resolved",
    ]
    qtbot.keyClicks(dialog.comment, "Called the courier")
    qtbot.keyClick(dialog.comment, Qt.Key.Key_Return, CTRL)
    assert desk.issues.get(issue.id).status is IssueStatus.IN_PROGRESS
    assert dialog.comment.toPlainText() == ""
    assert dialog.events_model.rowCount() == 2
    assert "Called the courier" in dialog.events_model.data(dialog.events_model.index(1, 0))

    dialog.status.setCurrentIndex(dialog.status.findText("Resolved"))
    assert dialog.resolution.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.comment, "Parcel found")
    dialog.change_status()
    assert "Say how it was resolved" in shown_error(dialog.errors["resolution"])
    assert dialog.comment.toPlainText() == "Parcel found"  # nothing typed is lost
    qtbot.keyClicks(dialog.resolution, "Delivered by hand")
    dialog.satisfaction.setCurrentIndex(dialog.satisfaction.findData(4))
    dialog.change_status()
    done = desk.issues.get(issue.id)
    assert done.status is IssueStatus.RESOLVED and done.satisfaction == 4
    assert done.resolution == "Delivered by hand"
    assert "Reopen" in [dialog.status.itemText(i) for i in range(dialog.status.count())]
    assert window.customer_view.banner.extra_text() == ""  # no longer open

    dialog.status.setCurrentIndex(dialog.status.findText("Reopen"))
    dialog.change_status()
    assert desk.issues.get(issue.id).status is IssueStatus.OPEN
    assert "Open: late delivery" in window.customer_view.banner.extra_text()

    dialog.goodwill_amount.setText("500")
    dialog.add_goodwill()
    assert "Ask a shift lead" in shown_error(dialog.errors["goodwill"])
    dialog.goodwill_amount.setText("12.50")
    qtbot.keyClick(dialog.goodwill_amount, Qt.Key.Key_Return)
    assert desk.issues.get(issue.id).goodwill_cents == 1250
    assert "goodwill 12.50" in dialog.meta.text()


def test_a_stale_save_shows_the_conflict_and_keeps_the_text(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    issue = desk.issues.log(IssueDraft(customer_id=known["zoe"].id, title="rude phone call"))
    dialog = IssueDetail(window, desk, issue.id)
    qtbot.addWidget(dialog)
    dialog.show()
    # another counter moves it first
    desk.issues.set_status(issue.id, IssueStatus.WAITING, version=issue.version, comment="asked")
    qtbot.keyClicks(dialog.comment, "Apologised and offered a call back")
    dialog.status.setCurrentIndex(dialog.status.findText("In progress"))
    dialog.change_status()
    message = shown_error(dialog.errors["general"])
    assert "after you opened it" in message and "your text is still here" in message
    assert dialog.comment.toPlainText() == "Apologised and offered a call back"
    assert dialog.reload_button.isVisibleTo(dialog)
    assert desk.issues.get(issue.id).status is IssueStatus.WAITING  # theirs stands
    qtbot.mouseClick(dialog.reload_button, Qt.MouseButton.LeftButton)
    assert "Waiting on customer" in dialog.meta.text()
    assert dialog.comment.toPlainText() == "Apologised and offered a call back"
    assert not dialog.reload_button.isVisibleTo(dialog)
    dialog.change_status()
    saved = desk.issues.get(issue.id)
    assert saved.status is IssueStatus.IN_PROGRESS
    assert "Apologised" in desk.issues.events(issue.id)[-1].comment


def test_queue_is_one_shortcut_away_enter_opens_the_customer_and_done_logs(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jose, zoe = known["jose"], known["zoe"]
    late = desk.followups.add(jose.id, "call back about boots", clock.now + timedelta(minutes=30))
    desk.followups.add(zoe.id, "send the letter", clock.now + timedelta(hours=2))
    desk.followups.add(zoe.id, "next week", clock.now + timedelta(days=7))
    clock.advance(hours=1)
    window.open_customer(zoe.id)  # any change refreshes the status-bar count
    assert "2, 1 overdue" in feature(window).due_button.text()

    qtbot.keyClick(window.search.field, Qt.Key.Key_D, CTRL)
    queue = feature(window).queue
    assert queue.isVisible()
    assert queue.model.rowCount() == 2  # not next week's
    assert queue.model.data(queue.model.index(0, 0)) == "30 min overdue"
    assert queue.model.data(queue.model.index(0, 0), EMPHASIS_ROLE) is True
    assert queue.model.data(queue.model.index(1, 0)).endswith("left")
    assert "2 to do, 1 overdue" in queue.summary.text()

    queue.view.setCurrentIndex(queue.model.index(0, 1))
    qtbot.keyClick(queue.view, Qt.Key.Key_Return)
    assert window.customer_view.customer is not None
    assert window.customer_view.customer.id == jose.id
    assert not queue.isVisible()

    def by_keyboard(cls: type[CompleteFollowUp], parent: Any, d: Desk, followup: FollowUp) -> FollowUp | None:
        dialog = cls(parent, d, followup)
        show_active(qtbot, dialog)
        qtbot.keyClicks(dialog.outcome, "Called: the boots arrived")
        qtbot.keyClick(dialog.outcome, Qt.Key.Key_Return, CTRL)
        return dialog.completed

    monkeypatch.setattr(CompleteFollowUp, "ask", classmethod(by_keyboard))
    qtbot.keyClick(window.search.field, Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(queue.isActiveWindow, timeout=3000)
    queue.view.setCurrentIndex(queue.model.index(0, 0))
    qtbot.keyClick(queue.view, Qt.Key.Key_Return, CTRL)
    done = desk.followups.get(late.id)
    assert done.outcome == "Called: the boots arrived" and done.done_at is not None
    assert queue.model.rowCount() == 1  # refreshed through the change bus
    assert "Done: call back about boots" in window.statusBar().currentMessage()
    queue.which.setCurrentIndex(queue.which.findData("all"))
    assert queue.model.rowCount() == 2
    qtbot.keyClick(queue.view, Qt.Key.Key_Escape)
    assert not queue.isVisible()


def test_new_followup_understands_friday(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issue = desk.issues.log(IssueDraft(customer_id=known["jose"].id, title="zip broken"))

    def by_keyboard(
        cls: type[FollowUpForm], parent: Any, d: Desk, customer: Customer, issue_id: Any = None
    ) -> FollowUp | None:
        dialog = cls(parent, d, customer, issue_id)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
        assert "Say what to do" in shown_error(dialog.errors["title"])
        qtbot.keyClicks(dialog.title, "check the repair")
        dialog.due.setText("2026-13-01")
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
        assert "no 2026-13-01" in shown_error(dialog.errors["due"])
        assert dialog.title.text() == "check the repair"
        dialog.due.clear()
        qtbot.keyClicks(dialog.due, "friday")
        assert dialog.due_preview.text().startswith("That is Fri")
        dialog.issue.setCurrentIndex(dialog.issue.findData(issue.id))
        qtbot.keyClick(dialog.due, Qt.Key.Key_Return)
        return dialog.saved

    monkeypatch.setattr(FollowUpForm, "ask", classmethod(by_keyboard))
    window.open_customer(known["jose"].id)
    qtbot.keyClick(window.search.field, Qt.Key.Key_F, CTRL | SHIFT)
    [planned] = desk.followups.for_customer(known["jose"].id)
    assert planned.title == "check the repair" and planned.issue_id == issue.id
    assert planned.due_at == desk.issues.parse_due("friday").isoformat(timespec="seconds")
    assert feature(window).tab.followups_model.rowCount() == 1
    assert "Follow-up planned" in window.statusBar().currentMessage()


def test_the_due_preview_names_another_year_and_a_new_date_clears_the_old_error(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    """"2019-01-01" read "That is Tue 1 Jan, 17:00" (this January?), and after Save said it had
    passed, the error stayed under a new, valid date until the next Save."""
    dialog = FollowUpForm(window, desk, known["jose"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.title, "call back")
    dialog.due.clear()
    qtbot.keyClicks(dialog.due, "2019-01-01")
    assert dialog.due_preview.text().startswith("That is Tue 1 Jan 2019,")
    qtbot.keyClick(dialog.due, Qt.Key.Key_Return)
    assert "already passed" in shown_error(dialog.errors["due"])
    assert dialog.saved is None
    qtbot.wait(20)  # one layout pass: the two-line error was squeezed into one, its words cut
    error = dialog.errors["due"]
    assert error.height() >= error.heightForWidth(error.width())
    dialog.due.clear()
    qtbot.keyClicks(dialog.due, "2027-01-01")
    assert dialog.due_preview.text().startswith("That is Fri 1 Jan 2027,")
    assert shown_error(dialog.errors["due"]) == ""  # the error was about 2019
    dialog.due.clear()
    qtbot.keyClicks(dialog.due, "2026-12-04")  # the test clock's year: no year to add
    assert dialog.due_preview.text().startswith("That is Fri 4 Dec,")
    dialog.deleteLater()


def test_issue_list_filters_sorts_and_enter_opens_the_issue(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jose, zoe = known["jose"].id, known["zoe"].id
    urgent = desk.issues.log(IssueDraft(customer_id=jose, title="refund missing", priority=Priority.URGENT))
    desk.issues.log(IssueDraft(customer_id=zoe, title="wrong size", priority=Priority.LOW))
    closed = desk.issues.log(IssueDraft(customer_id=zoe, title="old matter"))
    desk.issues.set_status(closed.id, IssueStatus.RESOLVED, version=1, resolution="sorted")
    clock.advance(hours=6)  # the urgent one (4 h) is now late

    qtbot.keyClick(window.search.field, Qt.Key.Key_I, CTRL | SHIFT)
    issues = feature(window).list
    assert issues.isVisible()
    assert issues.model.rowCount() == 2 and issues.summary.text() == "2 issues"
    first = issues.model.index(0, 0)
    assert issues.model.data(first) == "2 h overdue"
    assert issues.model.data(first, Qt.ItemDataRole.ForegroundRole) is not None
    assert issues.model.data(issues.model.index(1, 0)).endswith("left")
    assert issues.model.data(issues.model.index(1, 0), Qt.ItemDataRole.ForegroundRole) is None

    issues.overdue.setChecked(True)
    assert [issues.model.issue_row(r).issue.id for r in range(issues.model.rowCount())] == [  # type: ignore[union-attr]
        urgent.id
    ]
    issues.overdue.setChecked(False)
    issues.status.setCurrentIndex(issues.status.findData("all"))
    assert issues.model.rowCount() == 3
    issues.priority.setCurrentIndex(issues.priority.findData(Priority.LOW.value))
    assert issues.summary.text() == "1 issue"
    issues.priority.setCurrentIndex(0)
    issues.sort.setCurrentIndex(issues.sort.findText("Most urgent"))
    assert issues.model.issue_row(0).issue.id == urgent.id  # type: ignore[union-attr]
    issues.status.setCurrentIndex(issues.status.findData("closed"))
    assert issues.summary.text() == "No issues match."

    opened: list[int] = []
    monkeypatch.setattr(IssueDetail, "ask", classmethod(lambda cls, p, d, i: opened.append(i)))
    issues.status.setCurrentIndex(0)
    issues.view.setCurrentIndex(issues.model.index(0, 0))
    qtbot.keyClick(issues.view, Qt.Key.Key_Return)
    assert opened == [issues.model.issue_row(0).issue.id]  # type: ignore[union-attr]
    # a change elsewhere reaches the open list through the change bus
    desk.issues.log(IssueDraft(customer_id=jose, title="one more"))
    assert issues.model.rowCount() == 3


def test_menu_help_and_names(window: MainWindow, desk: Desk, known: dict[str, Customer]) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Issues") < titles.index("&Help")
    help_text = window.shortcuts_help()
    for keys in ("Ctrl+I", "Ctrl+D", "Ctrl+Shift+I", "Ctrl+Shift+F"):
        assert f"<b>{keys}</b>" in help_text
    issue = desk.issues.log(IssueDraft(customer_id=known["jose"].id, title="late"))
    window.open_customer(known["jose"].id)
    f = feature(window)
    f.queue.show_queue()
    f.list.show_list()
    detail = IssueDetail(window, desk, issue.id)
    form = IssueForm(window, desk, known["jose"])
    plan = FollowUpForm(window, desk, known["jose"])
    missing = []
    kinds = (QAbstractButton, QLineEdit, QAbstractItemView, QComboBox)
    checked = 0
    for top in (window, f.queue, f.list, detail, form, plan):
        for widget in top.findChildren(QWidget):
            if not isinstance(widget, kinds) or widget.objectName().startswith("qt_"):
                continue
            if not widget.isVisibleTo(top):
                continue
            checked += 1
            if not widget.objectName() or not widget.accessibleName():
                missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    assert checked > 40
    assert missing == []
    for w in (detail, form, plan):
        w.deleteLater()
    QApplication.processEvents()


def test_hostile_titles_are_shown_as_text(window: MainWindow, desk: Desk, known: dict[str, Customer]) -> None:
    title = "<b>bold</b> & <img src=x> 🙂"
    desk.issues.log(IssueDraft(customer_id=known["zoe"].id, title=title))
    window.open_customer(known["zoe"].id)
    banner = window.customer_view.banner
    assert f"Open: {title}" in banner.extra_text()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img" in banner.extra.text()


def test_customer_tab_enter_opens_issue_and_marks_followup_done(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jose = known["jose"].id
    issue = desk.issues.log(IssueDraft(customer_id=jose, title="zip broken"))
    followup = desk.followups.add(jose, "check the repair", desk.issues.parse_due("tomorrow"))
    window.open_customer(jose)
    tab = feature(window).tab
    assert window.customer_view.sections.tabText(feature(window).tab_index) == "Issues (1)"
    assert tab.followups_model.rowCount() == 1
    opened: list[int] = []
    monkeypatch.setattr(IssueDetail, "ask", classmethod(lambda cls, p, d, i: opened.append(i)))
    done: list[int] = []
    monkeypatch.setattr(CompleteFollowUp, "ask", classmethod(lambda cls, p, d, f: done.append(f.id)))
    window.customer_view.sections.setCurrentIndex(feature(window).tab_index)
    tab.issues.setFocus()
    tab.issues.setCurrentIndex(tab.issues_model.index(0, 1))
    qtbot.keyClick(tab.issues, Qt.Key.Key_Return)
    assert opened == [issue.id]
    tab.followups.setCurrentIndex(tab.followups_model.index(0, 1))
    qtbot.keyClick(tab.followups, Qt.Key.Key_Return)
    assert done == [followup.id]
    # the tab follows the customer on screen
    window.open_customer(known["zoe"].id)
    assert tab.issues_model.rowCount() == 0 and tab.none.isVisibleTo(window)
    assert window.customer_view.sections.tabText(feature(window).tab_index) == "Issues"


def test_edit_an_issue_and_a_stale_edit_keeps_the_text(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer]
) -> None:
    lead = add_staff(desk, "Sam", Role.LEAD)
    issue = desk.issues.log(IssueDraft(customer_id=known["jose"].id, title="late delivery"))
    form = IssueForm(window, desk, known["jose"], issue)
    qtbot.addWidget(form)
    form.show()
    assert form.title.text() == "late delivery"
    assert not form.goodwill_amount.isVisibleTo(form)
    assert form.buttons.button(form.buttons.StandardButton.Save).text() == "Save changes"
    form.title.setText("late delivery, second parcel")
    form.priority.setCurrentIndex(form.priority.findData(Priority.URGENT.value))
    form.owner.setCurrentIndex(form.owner.findData(lead))
    # someone else saves first
    desk.issues.comment(issue.id, "comments never conflict")
    desk.issues.set_status(issue.id, IssueStatus.IN_PROGRESS, version=issue.version)
    form.save()
    assert "after you opened it" in shown_error(form.errors["general"])
    assert form.saved is None
    assert form.title.text() == "late delivery, second parcel"
    assert desk.issues.get(issue.id).title == "late delivery"

    dialog = IssueDetail(window, desk, issue.id)
    qtbot.addWidget(dialog)
    dialog.show()
    again = IssueForm(dialog, desk, known["jose"], dialog.issue)
    qtbot.addWidget(again)
    again.title.setText(form.title.text())
    again.priority.setCurrentIndex(again.priority.findData(Priority.URGENT.value))
    again.owner.setCurrentIndex(again.owner.findData(lead))
    again.save()
    assert again.saved is not None
    edited = desk.issues.get(issue.id)
    assert edited.title == "late delivery, second parcel" and edited.priority is Priority.URGENT
    assert edited.owner_id == lead and edited.owner_name == "Sam"
    assert edited.due_at == issue.due_at  # the due time was left alone, so it stays
    assert desk.issues.events(issue.id)[-1].kind == "edited"


def test_follow_up_from_an_issue_and_only_mine_in_the_queue(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issue = desk.issues.log(IssueDraft(customer_id=known["jose"].id, title="late delivery"))
    other = add_staff(desk, "Robin", Role.STAFF)
    desk.followups.add(known["zoe"].id, "Robin's call", desk.issues.parse_due("today 23:00"), owner_id=other)

    def plan(cls: type[FollowUpForm], parent: Any, d: Desk, c: Customer, issue_id: Any = None) -> Any:
        dialog = cls(parent, d, c, issue_id)
        qtbot.addWidget(dialog)
        assert dialog.issue.currentData() == issue.id  # attached to the issue it came from
        dialog.title.setText("call back about the parcel")
        dialog.due.setText("in 2 hours")
        dialog.save()
        return dialog.saved

    monkeypatch.setattr(FollowUpForm, "ask", classmethod(plan))
    dialog = IssueDetail(window, desk, issue.id)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.followup_button, Qt.MouseButton.LeftButton)
    assert "Follow-up planned: call back about the parcel, 2 h left" in dialog.notice.text()
    [planned] = desk.followups.for_customer(known["jose"].id)
    assert planned.issue_id == issue.id

    queue = feature(window).queue
    queue.show_queue()
    assert queue.model.rowCount() == 2
    queue.mine.setChecked(True)
    assert queue.model.rowCount() == 1
    assert queue.model.followup(0).title == "call back about the parcel"  # type: ignore[union-attr]
