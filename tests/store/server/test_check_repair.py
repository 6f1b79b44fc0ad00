"""`csdesk --db URL check --repair` on a server: real damage (an index dropped by hand, an
index left invalid by a build that failed half-way, search columns written by another program
without csdesk's folding) is found by the check and rebuilt by the repair in one transaction,
after which the check is clean and search finds the customers again."""

from __future__ import annotations

import psycopg
import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.services.server import init_server
from csdesk.services.server_backup import ServerBackups
from csdesk.store.server.repair import index_statements
from tests.commands.cli_runner import run


def _damage(url: str) -> tuple[int, int]:
    desk = Desk.open(url)
    try:
        desk.auth.act_as_cli()
        zoe = desk.customers.create(CustomerDraft(first_name="Zoë", last_name="Brennan",
                                                  phones=(("mobile", "+1 555 010 4477"),))).id
        twin = desk.customers.create(CustomerDraft(first_name="Ivo", last_name="Brennan",
                                                   phones=(("mobile", "+1 555 010 4477"),))).id
        desk.notes.add(zoe, "Prefers the Quillfeather blend")
        assert [h.customer_id for h in desk.search.search("zoe bren")] == [zoe]
    finally:
        desk.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX customers_search")  # dropped by hand
        # A build cut short: CREATE INDEX CONCURRENTLY that fails leaves an invalid index behind
        # (here a unique one, refused by the two customers sharing a number).
        conn.execute("DROP INDEX phones_e164")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY phones_e164 ON customer_phones (e164)")
        # Another program wrote names without csdesk's folding, and a note without its column.
        conn.execute("UPDATE customers SET search_norm = ' x ', exact_keys = '' WHERE id = %s", [zoe])
        conn.execute("UPDATE notes SET body_norm = ''")
        conn.execute("UPDATE customer_phones SET digits_rev = '0' WHERE customer_id = %s", [twin])
    return zoe, twin


def test_repair_rebuilds_indexes_and_search_columns(pg_url: str) -> None:
    init_server(pg_url)  # its own database: the test drops indexes
    zoe, twin = _damage(pg_url)
    with ServerBackups(pg_url) as backups:
        before = backups.check()
        assert not before.ok and before.repairable
        problems = " ".join(before.problems)
        assert "customers_search is missing" in problems and "phones_e164 is not valid" in problems
        done, after = backups.repair()
        assert after.ok, after.problems
    assert "index customers_search created again" in done
    assert "index phones_e164 rebuilt" in done
    assert any("customers folded again" in d for d in done)
    assert any("notes folded again" in d for d in done)
    assert any("phone numbers written again" in d for d in done)
    with psycopg.connect(pg_url) as conn:  # csdesk's own definition again, not the unique one
        row = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'phones_e164'").fetchone()
        assert row is not None
        definition = str(row[0])
        assert "UNIQUE" not in definition and "phones_e164" in index_statements(["x"])
    desk = Desk.open(pg_url)
    try:
        assert [h.customer_id for h in desk.search.search("zoe bren")] == [zoe]
        assert zoe in [h.customer_id for h in desk.search.search("quillfeather")]
        assert {h.customer_id for h in desk.search.search("4477")} == {zoe, twin}
    finally:
        desk.close()


def test_check_repair_on_the_command_line(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    init_server(pg_url)
    _damage(pg_url)
    code, _, err = run(pg_url, "check", capsys=capsys)
    assert code == 2 and "customers_search is missing" in err
    code, out, err = run(pg_url, "check", "--repair", capsys=capsys)
    assert code == 0, err
    assert "repaired: index customers_search created again" in out and "is healthy" in out
    # and the erase's tables are rewritten too (what an erase that found them busy left)
    assert "tables rewritten, so no erased customer's text stays in their files" in out
    code, out, _ = run(pg_url, "check", "--json", capsys=capsys)
    assert code == 0 and '"ok": true' in out
