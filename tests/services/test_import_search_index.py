"""An import feeds the search indexes set-wise after each batch (store.bulk.fts_after_inserts):
what it created and what it changed is found by name, e-mail and middle digits, and every FTS
index stays consistent with its table."""

from __future__ import annotations

from pathlib import Path

from csdesk.services.desk import Desk

HEADER = "First Name,Last Name,Email Address,Phone Number,Memo\n"


def _fts_ok(desk: Desk) -> None:
    for fts in ("customers_fts", "phones_fts", "notes_fts"):
        desk.db.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")


def test_created_and_updated_in_one_batch_are_found(desk: Desk, tmp_path: Path) -> None:
    desk.auth.act_as_cli()
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "Maria,Quintero,maria@example.com,(312) 555-0101,\n", encoding="utf-8")
    desk.imports.apply(desk.imports.preview(first))
    second = tmp_path / "second.csv"
    second.write_text(
        HEADER
        + "Maria,Quintero,maria@example.com,+44 20 7946 0958,likes blue laces\n"  # an update
        + "Olu,Zabriskie,olu@example.com,(646) 555-0199,\n",  # a new customer
        encoding="utf-8",
    )
    plan = desk.imports.preview(second)
    assert [i.action for i in plan.items] == ["update", "create"]
    result = desk.imports.apply(plan)
    assert (result.created, result.updated) == (1, 1)
    _fts_ok(desk)
    maria = desk.search.search("quintero")[0].customer_id
    olu = desk.search.search("zabriskie")[0].customer_id
    assert [h.customer_id for h in desk.search.search("79460958")] == [maria]  # the added phone
    assert maria in [h.customer_id for h in desk.search.search("5550101")]  # the one she had
    assert [h.customer_id for h in desk.search.search("olu@example.com")] == [olu]
    assert olu in [h.customer_id for h in desk.search.search("6465550")]  # middle digits
    assert desk.imports.undo(result.batch_id).removed == 1
    _fts_ok(desk)
    assert desk.search.search("zabriskie") == []
