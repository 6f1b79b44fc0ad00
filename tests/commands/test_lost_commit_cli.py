"""`csdesk visit` on a server whose connection is cut just after the COMMIT went out (the server
committed, the answer never came back): the command does not claim "not saved", it exits 1 with
one line saying it may or may not have been saved and how to look (issue 16.4: the CLI exits 1
with a clear message). Cut for real by a loopback proxy (tests/net_proxy.py)."""

from __future__ import annotations

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from tests.commands.cli_runner import run
from tests.net_proxy import proxied_database
from tests.pg_cluster import PgCluster


def test_a_visit_whose_commit_answer_is_lost(
    pg_cluster: PgCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    with proxied_database(pg_cluster) as (direct, via_proxy, proxy):
        seed = Desk.open(direct)
        maria = seed.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
        try:
            cut = proxy.lose_commit_reply(b"INSERT INTO visits")
            code, out, err = run(via_proxy, "visit", "--customer", str(maria.id),
                                 "--purpose", "asked about the invoice", capsys=capsys)
            assert cut.wait(5)
            assert code == 1, (out, err)
            said = (out + err).strip()
            assert "may or may not have been saved" in said and "not saved" not in said.replace(
                "may or may not have been saved", "")
            assert "csdesk timeline" in said  # how to look
            assert "\n" not in said and "Traceback" not in said
            # it had committed: the truth the message leaves open is on the server
            stored = seed.db.execute("SELECT count(*) FROM visits WHERE purpose = ?",
                                     ["asked about the invoice"]).fetchone()[0]
            assert stored == 1
        finally:
            seed.close()
