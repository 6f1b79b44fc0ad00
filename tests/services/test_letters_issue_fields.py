"""Letters about an issue: the issue's fields as templates read them."""

from __future__ import annotations

import pytest

from csdesk.domain import CustomerDraft, GoodwillKind, IssueDraft, IssueStatus
from csdesk.errors import NotFound
from csdesk.services.desk import Desk
from tests.services.helpers_security import fast_scrypt, make_admin  # noqa: F401


def test_issue_fields_feed_the_apology(desk: Desk, fast_scrypt: None) -> None:  # noqa: F811
    make_admin(desk)  # goodwill needs someone allowed to approve it
    cid = desk.customers.create(CustomerDraft(first_name="Ines", last_name="Moreau")).id
    issue = desk.issues.log(IssueDraft(customer_id=cid, title="Zip broke on day two"))
    desk.issues.add_goodwill(issue.id, GoodwillKind.REFUND, 2000)
    issue = desk.issues.set_status(
        issue.id, IssueStatus.RESOLVED, version=desk.issues.get(issue.id).version,
        resolution="We fitted a new zip while you waited.",
    )
    fields = desk.letters.issue_fields(issue.id)
    assert fields["title"] == "Zip broke on day two"
    assert fields["goodwill_cents"] == 2000 and fields["goodwill_kind"] == "A refund"
    assert fields["resolution"] == "We fitted a new zip while you waited."
    assert fields["opened_at"] == issue.created_at and fields["resolved_at"]
    text = desk.letters.render("apology", cid, issue=fields).html
    assert "Zip broke on day two" in text and "a refund of $20.00" in text
    letter = desk.letters.produce("issue_resolved", cid, issue=fields)
    assert letter.issue_id == issue.id

    desk.issues.add_goodwill(issue.id, GoodwillKind.GIFT, 500)
    mixed = desk.letters.issue_fields(issue.id)
    assert mixed["goodwill_kind"] == "" and mixed["goodwill_cents"] == 2500  # a mix: just the total


def test_issue_fields_unknown_issue(desk: Desk) -> None:
    with pytest.raises(NotFound):
        desk.letters.issue_fields(424242)
