"""One name per customer, whichever face shows it (explore item 21): a number-only customer was
"+1 555 010 4477 ext 5" in the visit JSON, "Customer #301" in search and "Customer #302 #302" in
the daily-log PDF; a company-only one was "Customer #N" in search. domain.display_name is the
rule; the store hands it the first phone only for a customer with nothing else to go by."""

from __future__ import annotations

from datetime import timedelta

from csdesk.domain import CustomerDraft, IssueDraft
from csdesk.services.desk import Desk

PHONE = "+1 212 555 0147 ext 5"


def names_everywhere(desk: Desk, cid: int, query: str) -> set[str]:
    shown = {desk.customers.get(cid).display_name}
    shown |= {h.display_name for h in desk.search.search(query) if h.customer_id == cid}
    shown |= {e.customer_name for e in desk.reports.rows(desk.reports.day())
              if e.customer_id == cid}
    shown |= {f.customer_name for f in desk.followups.for_customer(cid)}
    shown |= {r.customer_name for r in desk.issues.page() if r.issue.customer_id == cid}
    return shown


def test_a_number_only_customer_has_one_name(desk: Desk) -> None:
    cid = desk.customers.create(CustomerDraft(phones=(("mobile", PHONE),))).id
    desk.visits.log(cid, purpose="boots")
    desk.followups.add(cid, "call back", desk.context.clock() + timedelta(days=1))
    desk.issues.log(IssueDraft(customer_id=cid, title="broken zip"))
    assert names_everywhere(desk, cid, "212 555 0147") == {PHONE}
    desk.auth.act_as_cli()
    html = desk.report_exports.report_html(desk.reports.day())
    assert PHONE in html and f"Customer #{cid}" not in html


def test_a_company_only_customer_is_its_company(desk: Desk) -> None:
    cid = desk.customers.create(CustomerDraft(company="Acme Outdoor")).id
    desk.visits.log(cid, purpose="boots")
    assert names_everywhere(desk, cid, "Acme") == {"Acme Outdoor"}


def test_the_rule() -> None:
    from csdesk.domain import display_name

    assert display_name("Maria", "Lopez", "Mari", "Acme", "m@x.io", "", 3) == "Maria Lopez (Mari)"
    assert display_name("", "", "", "Acme", "m@x.io", "555", 3) == "Acme"
    assert display_name("", "", "", "", "", "555", 3) == "555"
    assert display_name("", "", "", "", "", "", 3) == "Customer #3"
