"""Import and demo choose their customers' ids before inserting them (one INSERT or COPY for a
whole batch). On a server the ids come from the customers identity, so a counter adding a
customer while an import's batch is being written gets another id, never one of the batch's
(with max(id) + 1, as the file does, the two collided: the import's batch failed on the
primary key)."""

from __future__ import annotations

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.store import bulk
from csdesk.store.db import atomic

_NOW = "2026-11-30T15:00:00+00:00"


def _row(cid: int, last: str) -> tuple[object, ...]:
    return (cid, "Ann", last, "", "", "", "", "", "", "", "", 0, None, f" ann {last.lower()} ",
            f"|ann|{last.lower()}|", _NOW, None, 0, _NOW, _NOW, None, None)  # fmt: skip


def test_a_counter_adding_a_customer_during_an_import_batch_gets_another_id(
    pg_csdesk_url: str,
) -> None:
    importer = Desk.open(pg_csdesk_url, computer="Back office")
    counter = Desk.open(pg_csdesk_url, computer="Counter 1")
    try:
        counter.auth.act_as_cli()
        before = counter.customers.create(CustomerDraft(first_name="Early")).id
        with atomic(importer.db):  # the import's batch: ids chosen, rows not written yet
            ids = bulk.new_customer_ids(importer.db, 3)
            assert ids == sorted(ids) and min(ids) > before
            # Meanwhile, at the counter (its own connection, committed at once):
            during = counter.customers.create(CustomerDraft(first_name="During")).id
            assert during not in ids
            bulk.insert_customers(importer.db, [_row(cid, f"Imported{cid}") for cid in ids])
        after = counter.customers.create(CustomerDraft(first_name="After")).id
        assert after > max(ids)  # and the identity carries on past the batch
        everyone = [counter.customers.get(i) for i in [before, during, after, *ids]]
        names = {c.id: c.first_name for c in everyone}
        assert names[during] == "During" and names[after] == "After"
        assert counter.customers.count() == 6
    finally:
        importer.close()
        counter.close()


def test_a_failed_batch_leaves_no_rows_and_later_ids_still_do_not_collide(
    pg_csdesk_url: str,
) -> None:
    """The ids a rolled-back batch took are not handed out again (a sequence never goes back):
    a gap, not a collision."""
    importer = Desk.open(pg_csdesk_url)
    try:
        taken: list[int] = []
        try:
            with atomic(importer.db):
                taken = bulk.new_customer_ids(importer.db, 2)
                bulk.insert_customers(importer.db, [_row(taken[0], "One"), _row(taken[0], "Twice")])
        except Exception as exc:  # the duplicate id in the batch itself
            assert "duplicate" in str(exc).lower() or "unique" in str(exc).lower()
        else:
            raise AssertionError("the batch with a repeated id was accepted")
        assert importer.customers.count() == 0
        importer.auth.act_as_cli()
        assert importer.customers.create(CustomerDraft(first_name="Next")).id > max(taken)
    finally:
        importer.close()
