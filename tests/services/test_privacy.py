"""Privacy: export everything about a customer; erase them from tables, index, audit and file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft, Role
from csdesk.errors import NotFound, PermissionDenied, UserError
from csdesk.services.desk import Desk
from csdesk.store.server import erase as server_erase
from tests.services.helpers_security import add_member, customer_with_history, fast_scrypt

__all__ = ["fast_scrypt"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")


def test_export_holds_everything_and_needs_a_lead(desk: Desk, tmp_path: Path) -> None:
    cid = customer_with_history(desk)
    with pytest.raises(PermissionDenied, match="export customer data"):
        desk.privacy.export(cid)
    add_member(desk, "Lee", Role.LEAD)
    desk.act_as("Lee")
    data = desk.privacy.export(cid)
    assert data["format"] == "csdesk-customer-export/1"
    assert data["customer"]["email"] == "zebulon.quixwort@example.org"
    assert "search_norm" not in data["customer"]
    assert [p["e164"] for p in data["phones"]] == ["+14155550199"]
    assert data["visits"][0]["purpose"] == "Quixwort asked about a refund"
    assert "blue Quixwort" in data["notes"][0]["body"]
    assert {(a["entity"], a["action"]) for a in data["audit"]} >= {
        ("customer", "create"),
        ("visit", "create"),
        ("note", "create"),
    }
    out = desk.privacy.export_to(cid, tmp_path / "c.json")
    assert json.loads(out.read_text(encoding="utf-8"))["customer"]["id"] == cid
    with pytest.raises(UserError, match=r"\.json or \.html"):
        desk.privacy.export_to(cid, tmp_path / "c.txt")
    exports = desk.db.execute(
        "SELECT after FROM audit WHERE action = 'export' AND entity_id = ?", [cid]
    ).fetchall()
    assert len(exports) == 2 and all("Quixwort" not in a for (a,) in exports)


def test_html_export_is_readable_and_escapes_hostile_text(desk: Desk, tmp_path: Path) -> None:
    cid = desk.customers.create(
        CustomerDraft(first_name="<script>alert(1)</script>", last_name="O'Brien & Sons")
    ).id
    desk.auth.act_as_cli()
    html = desk.privacy.export_to(cid, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "O&#39;Brien &amp; Sons" in html
    assert "<h1>What we hold about you</h1>" in html


def test_marketing_consent_is_dated_and_audited(desk: Desk, clock: object) -> None:
    cid = desk.customers.create(CustomerDraft(first_name="Mo")).id
    when = desk.privacy.set_marketing_consent(cid, True)
    assert when == desk.now_iso()
    customer = desk.customers.get(cid)
    assert customer.marketing_consent and customer.marketing_consent_at == when
    assert desk.privacy.set_marketing_consent(cid, True) is None  # unchanged: nothing recorded
    clock.advance(days=3)  # type: ignore[attr-defined]
    withdrawn = desk.privacy.set_marketing_consent(cid, False)
    rows = desk.db.execute(
        "SELECT before, after FROM audit WHERE action = 'consent' ORDER BY id"
    ).fetchall()
    assert len(rows) == 2
    assert json.loads(rows[1][1]) == {"marketing_consent": False, "at": withdrawn}
    assert json.loads(rows[1][0])["at"] == when


def test_only_admins_erase_and_a_denied_erase_changes_nothing(desk: Desk) -> None:
    cid = customer_with_history(desk)
    add_member(desk, "Lee", Role.LEAD)
    desk.act_as("Lee")
    audit_rows = desk.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    with pytest.raises(PermissionDenied, match="cannot erase a customer"):
        desk.privacy.erase(cid)
    assert desk.customers.get(cid).last_name == "Quixwort"
    assert desk.db.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_rows
    desk.auth.act_as_cli()
    with pytest.raises(NotFound):
        desk.privacy.erase(999)


def test_erase_removes_personal_data_keeps_anonymous_visits(desk: Desk) -> None:
    keep = desk.customers.create(CustomerDraft(first_name="Kept", last_name="Quixley")).id
    cid = customer_with_history(desk)
    desk.auth.act_as_cli()
    result = desk.privacy.erase(cid)
    assert (result.visits_anonymised, result.notes_removed, result.phones_removed) == (1, 1, 1)
    assert result.file_scrubbed
    with pytest.raises(NotFound):
        desk.customers.get(cid)
    visit = desk.db.execute(
        "SELECT customer_id, purpose, outcome, channel, anonymised_at FROM visits"
    ).fetchone()
    assert visit[0] is None and visit[1] == "" and visit[2] == "" and visit[3] == "in_person"
    assert visit[4] == desk.now_iso()
    assert desk.db.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    assert desk.search.search("Quixwort") == []
    assert desk.search.search("zebulon.quixwort@example.org") == []
    assert [h.customer_id for h in desk.search.search("Quix")] == [keep]
    assert desk.backups.check().ok  # the engine's own integrity check
    audit_text = " ".join(
        str(v) for row in desk.db.execute("SELECT * FROM audit").fetchall() for v in row
    )
    for secret in ("Quixwort", "Zebulon", "zebulon.quixwort", "Harbour", "415 555", "refund"):
        assert secret not in audit_text
    erase = desk.db.execute(
        "SELECT staff_id, source, after FROM audit WHERE action = 'erase'"
    ).fetchone()
    assert json.loads(erase[2])["visits_anonymised"] == 1 and erase[1] == "app"
    with pytest.raises(NotFound):
        desk.privacy.export(cid)


@pytest.mark.own_database  # the server's files must hold no other test's deleted rows
def test_erased_name_and_email_are_gone_from_the_raw_file_bytes(
    desk: Desk, stored_bytes: Callable[[], bytes]
) -> None:
    """No live row, no index entry, no dead tuple, no statistics sample: the file and its WAL,
    or every file of the server's database (issue 15, item 6)."""
    for n in range(200):  # neighbours on the same pages, and FTS segments worth merging
        desk.customers.create(CustomerDraft(first_name=f"Other{n}", email=f"o{n}@example.com"))
    cid = customer_with_history(desk)
    for n in range(50):
        desk.customers.create(CustomerDraft(first_name=f"Later{n}"))
    # The planner's statistics sample the columns (PostgreSQL keeps sampled values in
    # pg_statistic): let them see the customer, as autovacuum would on a live server.
    desk.db.execute("ANALYZE")
    raw = stored_bytes()
    assert b"Quixwort" in raw or b"quixwort" in raw  # the test would notice the data
    desk.auth.act_as_cli()
    result = desk.privacy.erase(cid)
    assert result.file_scrubbed and not result.scrub_problem
    raw = stored_bytes()
    for secret in (
        "Quixwort",
        "quixwort",
        "QUIXWORT",
        "Zebulon",
        "zebulon",
        "Harbour Lane",
        "zebulon.quixwort@example.org",
        "4155550199",
        "9910555514",
    ):
        assert secret.encode() not in raw, secret
    assert b"Other199" in raw  # the rest is still there


def test_erase_while_another_window_reads(
    desk: Desk, db_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The erasure commits even if another csdesk holds a read open; only the scrub waits (the
    file's WAL, or on a server the rewrite of the tables the other reads) and gives up."""
    cid = customer_with_history(desk)
    other = Desk.open(db_target)
    try:
        other.db.execute("BEGIN")
        assert other.customers.get(cid).last_name == "Quixwort"  # a read transaction stays open
        # Give up on a busy database sooner than a shop would: the file's busy timeout, the
        # server's lock timeout per table.
        if isinstance(db_target, Path):
            desk.db.execute("PRAGMA busy_timeout = 100")
        monkeypatch.setattr(server_erase, "LOCK_TIMEOUT", "100ms")
        desk.auth.act_as_cli()
        result = desk.privacy.erase(cid)
        assert not result.file_scrubbed
        other.db.execute("COMMIT")
        with pytest.raises(NotFound):
            other.customers.get(cid)
    finally:
        other.close()
    assert desk.search.search("Quixwort") == []


@pytest.mark.own_database  # the server's files must hold no other test's deleted rows
def test_erase_keeps_issues_as_statistics_and_removes_letters_and_followups(
    desk: Desk, stored_bytes: Callable[[], bytes]
) -> None:
    from datetime import timedelta

    from csdesk.domain import IssueDraft

    cid = customer_with_history(desk)
    issue = desk.issues.log(
        IssueDraft(customer_id=cid, title="Quixwort boots fell apart", description="Zebulon is upset")
    )
    desk.issues.comment(issue.id, "Called Zebulon Quixwort back")
    desk.followups.add(cid, "Ring Zebulon about the boots", desk.clock() + timedelta(days=1))
    desk.letters.produce("thank_you", cid)
    desk.auth.act_as_cli()
    result = desk.privacy.erase(cid)
    assert (result.issues_anonymised, result.followups_removed, result.letters_removed) == (1, 1, 1)
    row = desk.db.execute(
        "SELECT customer_id, title, description, category_id, priority FROM issues WHERE id = ?",
        [issue.id],
    ).fetchone()
    assert row[:3] == (None, "Erased customer", "")
    assert row[4] == "normal"  # the statistic survives
    events = desk.db.execute(
        "SELECT comment, customer_id FROM issue_events WHERE issue_id = ?", [issue.id]
    ).fetchall()
    assert events and all(e == ("", None) for e in events)
    assert desk.db.execute("SELECT count(*) FROM letters").fetchone()[0] == 0
    assert desk.db.execute("SELECT count(*) FROM followups").fetchone()[0] == 0
    raw = stored_bytes()
    assert b"Quixwort" not in raw and b"Zebulon" not in raw
    assert b"Erased customer" in raw  # the issue itself stays, as statistics
