"""The audit log: append-only (SQLite triggers), viewable and exportable by leads and admins."""

from __future__ import annotations

import csv
import io

import pytest

from csdesk.domain import CustomerDraft, Role
from csdesk.errors import PermissionDenied, UserError
from csdesk.services.audit import AuditFilter
from csdesk.services.desk import Desk
from csdesk.store import audit as audit_store
from csdesk.store.db import atomic
from tests.services.helpers_security import add_member, fast_scrypt, make_admin

__all__ = ["fast_scrypt"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")


def _one_entry(desk: Desk) -> int:
    desk.customers.create(CustomerDraft(first_name="Ines", last_name="Ortega"))
    return int(desk.db.execute("SELECT max(id) FROM audit").fetchone()[0])


def test_audit_rows_cannot_be_updated_or_deleted(desk: Desk) -> None:
    row_id = _one_entry(desk)
    for sql in (
        "UPDATE audit SET action = 'nothing' WHERE id = ?",
        "UPDATE audit SET after = NULL WHERE id = ?",
        "UPDATE audit SET after = '{\"erased\": true}' WHERE id = ?",  # marker, but no ticket
        "DELETE FROM audit WHERE id = ?",
    ):
        with pytest.raises(UserError, match="permanent record"), atomic(desk.db):
            desk.db.execute(sql, [row_id])
    with pytest.raises(UserError, match="permanent record"), atomic(desk.db):
        desk.db.execute("DELETE FROM audit")
    assert desk.db.execute("SELECT count(*) FROM audit").fetchone()[0] >= 1
    assert (
        "Ortega" in desk.db.execute("SELECT after FROM audit WHERE id = ?", [row_id]).fetchone()[0]
    )


class _Undo(Exception):
    """Rolls the test's own transaction back."""


def test_a_redaction_ticket_only_allows_blanking_to_the_marker(desk: Desk) -> None:
    row_id = _one_entry(desk)
    entity_id = desk.db.execute("SELECT entity_id FROM audit WHERE id = ?", [row_id]).fetchone()[0]
    with pytest.raises(_Undo), atomic(desk.db):
        desk.db.execute(
            "INSERT INTO audit_redaction_open (entity, entity_id) VALUES ('customer', ?)", [entity_id]
        )
        for sql in (
            'UPDATE audit SET after = \'{"name": "forged"}\' WHERE id = ?',
            "UPDATE audit SET after = '{\"erased\": true}', action = 'x' WHERE id = ?",
            "UPDATE audit SET after = '{\"erased\": true}', at = '1999' WHERE id = ?",
            "DELETE FROM audit WHERE id = ?",
        ):
            with pytest.raises(UserError, match="permanent record"), atomic(desk.db):
                desk.db.execute(sql, [row_id])  # a savepoint inside the ticket's transaction
        raise _Undo
    with atomic(desk.db):
        changed = audit_store.redact(desk.db, [("customer", entity_id)])
    assert changed == 1
    after, tickets = desk.db.execute(
        "SELECT after, (SELECT count(*) FROM audit_redaction_open) FROM audit WHERE id = ?",
        [row_id],
    ).fetchone()
    assert after == audit_store.ERASED and tickets == 0  # the ticket closed with the transaction


def test_staff_cannot_view_the_log_leads_can_page_and_filter(desk: Desk) -> None:
    make_admin(desk)
    add_member(desk, "Lee", Role.LEAD)
    for n in range(7):
        desk.customers.create(CustomerDraft(first_name=f"Person{n}"))
    desk.act_as("Front desk")
    with pytest.raises(PermissionDenied, match="view the audit log"):
        desk.audit.entries()
    desk.act_as("Lee")
    flt = AuditFilter(entity="customer", action="create")
    assert desk.audit.count(flt) == 7
    first, second = desk.audit.entries(flt, limit=4), desk.audit.entries(flt, limit=4, offset=4)
    assert len(first) == 4 and len(second) == 3
    ids = [e.id for e in first + second]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 7
    assert first[0].after["first_name"] == "Person6"
    assert first[0].staff_name == "Ada"  # setup signed the admin in
    assert desk.audit.entries(AuditFilter(entity="nothing")) == []
    with pytest.raises(UserError):
        desk.audit.entries(limit=0)


def test_csv_export_is_complete_defuses_formulas_and_is_itself_audited(desk: Desk) -> None:
    make_admin(desk)
    desk.customers.create(CustomerDraft(first_name='=HYPERLINK("http://x")', last_name="Evil"))
    out = io.StringIO()
    written = desk.audit.export_csv(out, AuditFilter(entity="customer"))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert written == len(rows) == 1
    assert rows[0]["entity"] == "customer" and "HYPERLINK" in rows[0]["after"]
    # The cell begins with '{' so it is safe; a cell beginning with '=' would be prefixed.
    assert not any(v.startswith("=") for v in rows[0].values())
    last = desk.audit.entries(limit=1)[0]
    assert last.action == "export" and last.entity == "audit" and last.after["rows"] == 1


def test_csv_cells_starting_with_formula_characters_are_prefixed() -> None:
    from csdesk.services.audit import _cell

    assert _cell("=1+1") == "'=1+1"
    assert _cell("@SUM") == "'@SUM"
    assert _cell("plain") == "plain"
    assert _cell(5) == 5
