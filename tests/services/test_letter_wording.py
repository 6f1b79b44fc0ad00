"""Letters and the daily log say what happened (issue 13.18), tested through real renders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from csdesk.domain import Channel, CustomerDraft, GoodwillKind, IssueDraft, IssueStatus
from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.services.letters import TemplateProblem
from tests.conftest import FakeClock
from tests.services.helpers_security import fast_scrypt, make_admin  # noqa: F401
from tests.settings_seam import set_setting


@pytest.fixture
def zoe(desk: Desk) -> int:
    return desk.customers.create(CustomerDraft(first_name="Zoë", last_name="Quaglia")).id


def text(html: str) -> str:
    return " ".join(html.split())


def test_thank_you_after_a_phone_call_thanks_for_the_call(desk: Desk, zoe: int) -> None:
    desk.visits.log(zoe, channel=Channel.PHONE, purpose="asked about a repair")
    html = text(desk.letters.render("thank_you", zoe).html)
    assert "Thank you for calling us" in html
    assert "coming in" not in html and "took home" not in html


def test_thank_you_after_a_visit_thanks_for_coming_in(desk: Desk, zoe: int) -> None:
    desk.visits.log(zoe, channel=Channel.IN_PERSON, purpose="bought boots")
    assert "Thank you for coming in" in text(desk.letters.render("thank_you", zoe).html)
    desk.visits.log(zoe, channel=Channel.EMAIL, purpose="asked about sizes")
    html = text(desk.letters.render("thank_you", zoe).html)
    assert "Thank you for getting in touch" in html and "coming in" not in html


def test_we_miss_you_is_not_sent_to_someone_who_came_in_today(
    desk: Desk, zoe: int, clock: FakeClock
) -> None:
    desk.visits.log(zoe, channel=Channel.IN_PERSON, purpose="today")
    with pytest.raises(UserError, match="last visit was today") as caught:
        desk.letters.prepare("we_miss_you", zoe)
    assert not isinstance(caught.value, TemplateProblem)  # the template is fine; Zoë is not due
    clock.advance(days=45)
    assert "We miss you" in desk.letters.render("we_miss_you", zoe).html
    never = desk.customers.create(CustomerDraft(first_name="Nico")).id
    html = text(desk.letters.render("we_miss_you", never).html)
    assert "since your last visit" not in html  # no visit to name


def test_a_batch_skips_who_was_just_here_and_says_why(
    desk: Desk, zoe: int, clock: FakeClock
) -> None:
    from csdesk.render.qt import QtRenderer

    away = desk.customers.create(CustomerDraft(first_name="Ada")).id
    desk.visits.log(away, channel=Channel.IN_PERSON, at=clock() - timedelta(days=90))
    desk.visits.log(zoe, channel=Channel.IN_PERSON)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        result = desk.letter_output.run_batch(
            QtRenderer(), "we_miss_you", [zoe, away], Path(folder) / "a.pdf"
        )
    assert [c for c, _ in result.failed] == [zoe] and "today" in result.failed[0][1]
    assert len(result.letters) == 1


def test_issue_resolved_needs_a_resolved_issue(
    desk: Desk, zoe: int, fast_scrypt: None  # noqa: F811
) -> None:
    with pytest.raises(UserError, match="needs a resolved issue"):
        desk.letters.prepare("issue_resolved", zoe)
    issue = desk.issues.log(IssueDraft(customer_id=zoe, title="Zip broke"))
    with pytest.raises(UserError, match="needs a resolved issue"):
        desk.letters.prepare("issue_resolved", zoe, issue=desk.letters.issue_fields(issue.id))
    desk.issues.set_status(issue.id, IssueStatus.RESOLVED, version=desk.issues.get(issue.id).version,
                           resolution="New zip fitted.")
    ready = desk.letters.prepare("issue_resolved", zoe, issue=desk.letters.issue_fields(issue.id))
    assert "Zip broke" in ready.html and "New zip fitted." in ready.html


def test_goodwill_is_logged_with_the_currency(
    desk: Desk, zoe: int, fast_scrypt: None  # noqa: F811
) -> None:
    make_admin(desk)
    set_setting(desk, "currency_symbol", "€")
    issue = desk.issues.log(IssueDraft(customer_id=zoe, title="Late"))
    desk.issues.add_goodwill(issue.id, GoodwillKind.REFUND, 1250)
    summaries = [r[0] for r in desk.db.execute(
        "SELECT comment FROM issue_events WHERE issue_id = ? AND kind = 'goodwill'", [issue.id])]
    assert summaries == ["Refund €12.50"]


def test_one_follow_up_is_not_follow_ups(
    desk: Desk, zoe: int, clock: FakeClock, fast_scrypt: None  # noqa: F811
) -> None:
    make_admin(desk)
    item = desk.followups.add(zoe, "Call back", clock() + timedelta(hours=1))
    desk.followups.complete(item.id)
    html = text(desk.report_exports.report_html(desk.reports.day()))
    assert "follow-up done" in html and "1 follow-ups" not in html
    assert "new customer<" in html.replace("</span>", "<")  # one new customer, not "customers"
