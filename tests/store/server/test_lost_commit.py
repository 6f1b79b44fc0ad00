"""A write whose COMMIT's answer is lost (issue 16.4: "either committed or reported as not
saved, never half-done and never silently dropped"), caused for real between csdesk and the
server by a loopback proxy (tests/net_proxy.py) that cuts one connection exactly around its
COMMIT: the write is reported as SaveUncertain, never as "not saved", and Desk.outcome says
truthfully, once the server is reached again, which it was (PostgreSQL's pg_xact_status of the
transaction id the change log's INSERT returned)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import SaveUncertain
from csdesk.services.desk import Desk
from tests.net_proxy import NetProxy, proxied_database
from tests.pg_cluster import PgCluster


@pytest.fixture
def desks(pg_cluster: PgCluster) -> Iterator[tuple[Desk, Desk, NetProxy, int]]:
    """(a Desk through the proxy, one straight to the server, the proxy, a customer's id)."""
    with proxied_database(pg_cluster) as (direct, via_proxy, proxy):
        other = Desk.open(direct, computer="Counter 2")
        maria = other.customers.create(CustomerDraft(first_name="Maria", last_name="Lopez"))
        desk = Desk.open(via_proxy, computer="Counter 1")
        try:
            yield desk, other, proxy, maria.id
        finally:
            proxy.resume()
            desk.close()
            other.close()


def _notes(desk: Desk, body: str) -> int:
    return int(desk.db.execute("SELECT count(*) FROM notes WHERE body = ?", [body]).fetchone()[0])


def _settled(desk: Desk, ref: object) -> bool | None:
    """Ask until the server can tell (a session still holding the write is told to end)."""
    deadline = time.monotonic() + 10
    while (said := desk.outcome(ref)) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    return said


def test_the_commit_reached_the_server_and_its_answer_was_lost(
    desks: tuple[Desk, Desk, NetProxy, int],
) -> None:
    desk, other, proxy, maria = desks
    cut = proxy.lose_commit_reply(b"INSERT INTO notes")
    with pytest.raises(SaveUncertain) as exc:
        desk.notes.add(maria, "Wants the blue one")
    assert cut.wait(5)
    assert "may or may not have been saved" in str(exc.value)
    assert _notes(other, "Wants the blue one") == 1  # it did commit
    # it names the row it wrote, so a face told "saved" can show it as after a normal save
    saved_id = other.db.execute("SELECT id FROM notes WHERE body = ?",
                                ["Wants the blue one"]).fetchone()[0]
    assert ("note", saved_id) in exc.value.written
    desk.reconnect()
    assert _settled(desk, exc.value.ref) is True
    assert _notes(desk, "Wants the blue one") == 1


def test_the_commit_never_reached_the_server(desks: tuple[Desk, Desk, NetProxy, int]) -> None:
    desk, other, proxy, maria = desks
    cut = proxy.lose_commit(b"INSERT INTO notes")
    with pytest.raises(SaveUncertain) as exc:
        desk.notes.add(maria, "Call on Monday")
    assert cut.wait(5)
    desk.reconnect()
    assert _settled(desk, exc.value.ref) is False
    assert _notes(other, "Call on Monday") == 0  # nothing half-done either


def test_a_commit_stuck_on_a_silent_connection_is_settled_by_ending_its_session(
    desks: tuple[Desk, Desk, NetProxy, int],
) -> None:
    """The cable pulled just before COMMIT: the server still holds the open transaction (its
    client has vanished without a word). Asked from another connection, csdesk ends that
    session, so the answer is a certain "not saved", not a guess and not hours later."""
    desk, other, proxy, maria = desks
    desk.expect_answers_within(1.0)
    proxy.hold_at(b"COMMIT")  # the cable goes the moment the COMMIT leaves this computer
    try:
        with pytest.raises(SaveUncertain) as exc:
            desk.notes.add(maria, "Held at the counter")
        assert other.outcome(exc.value.ref) is None  # still open on the server: told to end
        assert _settled(other, exc.value.ref) is False
    finally:
        proxy.resume()  # the held COMMIT now reaches a session that is gone
    time.sleep(0.5)
    assert _notes(other, "Held at the counter") == 0


def test_a_write_without_a_change_row_is_told_exactly_too(
    desks: tuple[Desk, Desk, NetProxy, int],
) -> None:
    """Presence (a heartbeat) writes no change-log row: its transaction's id is asked for
    before COMMIT instead (one round trip, only for such writes)."""
    desk, other, proxy, maria = desks
    cut = proxy.lose_commit_reply(b"INSERT INTO presence")
    with pytest.raises(SaveUncertain) as exc:
        desk.live.beat(maria)
    assert exc.value.written == ()  # no change-log row: nothing to name
    assert cut.wait(5)  # the server has answered the COMMIT (into the void)
    desk.reconnect()
    assert _settled(desk, exc.value.ref) is True
    assert other.db.execute("SELECT count(*) FROM presence WHERE customer_id = ?",
                            [maria]).fetchone()[0] == 1
