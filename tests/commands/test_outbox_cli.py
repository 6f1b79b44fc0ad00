"""`csdesk outbox`, `letter --email`, `letters --email` and the mail password on the command line,
against a real SMTP server on loopback; and a `csdesk outbox send` killed with SIGKILL mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.services.outbox_sender import MAYBE_SENT
from tests.commands.cli_runner import run
from tests.mail_server import MailServer, configure


def _setup(db_path: Path, server: MailServer, people: int) -> list[int]:
    desk = Desk.open(db_path)
    try:
        configure(desk, server)
        return [
            desk.customers.create(CustomerDraft(first_name=f"Person{i}", email=f"p{i}@example.test",
                                                marketing_consent=i % 2 == 0)).id
            for i in range(people)
        ]
    finally:
        desk.close()


def test_letter_email_list_send_and_json(db_path: Path, mail_server: MailServer,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    [cid] = _setup(db_path, mail_server, 1)
    code, out, err = run(db_path, "letter", "thank_you", "--customer", str(cid), "--email", "--json",
                         capsys=capsys)
    assert code == 0, err
    queued = json.loads(out)
    assert len(queued["queued"]) == 1 and len(queued["letters"]) == 1 and queued["skipped"] == []
    code, out, _ = run(db_path, "outbox", "--json", capsys=capsys)
    [row] = json.loads(out)
    assert row["state"] == "queued" and row["to_address"] == "p0@example.test"
    code, out, err = run(db_path, "outbox", "send", capsys=capsys)
    assert code == 0 and "Sent 1 e-mail" in out, err
    assert len(mail_server.received) == 1
    code, out, _ = run(db_path, "outbox", capsys=capsys)
    assert "sent" in out and "p0@example.test" in out


def test_batch_to_customers_not_seen_reports_who_was_skipped(
    db_path: Path, mail_server: MailServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(db_path, mail_server, 4)
    desk = Desk.open(db_path)
    desk.db.execute("UPDATE customers SET last_seen_at = '2020-01-01T00:00:00+00:00'")
    desk.close()
    code, out, _ = run(db_path, "letters", "we_miss_you", "--not-seen-days", "90", "--email", "--json",
                         capsys=capsys)
    report = json.loads(out)
    assert code == 1  # someone got nothing: a scheduled job sees it
    assert len(report["queued"]) == 2
    assert {s["message"] for s in report["skipped"]} == {
        f"Person{i} has not agreed to marketing e-mail, and “We miss you” is one." for i in (1, 3)
    }


def test_retry_cancel_and_errors(db_path: Path, mail_server: MailServer,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    [cid] = _setup(db_path, mail_server, 1)
    run(db_path, "letter", "thank_you", "--customer", str(cid), "--email", capsys=capsys)
    mail_server.handler.script = ["554 5.7.1 Relay access denied"]
    code, _, err = run(db_path, "outbox", "send", capsys=capsys)
    assert code == 1 and "554 5.7.1 Relay access denied" in err
    code, out, _ = run(db_path, "outbox", "--state", "failed", capsys=capsys)
    assert "Relay access denied" in out
    code, out, _ = run(db_path, "outbox", "retry", "1", capsys=capsys)
    assert code == 0
    code, out, _ = run(db_path, "outbox", "cancel", "1", capsys=capsys)
    assert code == 0 and "cancelled" in out
    code, _, err = run(db_path, "outbox", "retry", "1", capsys=capsys)
    assert code == 1 and "is cancelled" in err and "Traceback" not in err
    code, _, err = run(db_path, "outbox", "cancel", "99", capsys=capsys)
    assert code == 3 and "no e-mail #99" in err
    code, out, _ = run(db_path, "outbox", "send", capsys=capsys)
    assert code == 0 and not mail_server.received


def test_password_from_stdin_goes_to_the_keychain(db_path: Path, mail_server: MailServer,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import keyring

    _setup(db_path, mail_server, 0)
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret-from-stdin\n"))
    code, out, err = run(db_path, "settings", "smtp_password", "--password-stdin", capsys=capsys)
    assert code == 0 and "keychain" in out, err
    assert keyring.get_password("csdesk-smtp", "shop@example.test@localhost") == "s3cret-from-stdin"
    code, _, err = run(db_path, "settings", "smtp_password", "typed", capsys=capsys)
    assert code == 1 and "shell's history" in err
    desk = Desk.open(db_path)
    audit = desk.db.execute("SELECT after FROM audit WHERE after LIKE '%smtp_password%'").fetchall()
    desk.close()
    assert audit and all("s3cret" not in a[0] for a in audit)


def test_send_test_email_from_the_command_line(db_path: Path, mail_server: MailServer,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _setup(db_path, mail_server, 0)
    code, out, err = run(db_path, "outbox", "test", "--to", "owner@example.test", capsys=capsys)
    assert code == 0 and "went" in out, err
    assert mail_server.received[0]["To"] == "owner@example.test"


def test_kill_9_mid_batch_loses_nothing_and_sends_nothing_twice(
    db_path: Path, mail_server: MailServer, tmp_path: Path
) -> None:
    ids = _setup(db_path, mail_server, 40)
    desk = Desk.open(db_path)
    report = desk.outbox.queue_batch("thank_you", ids)
    desk.close()
    assert len(report.queued) == 40
    mail_server.handler.delay_s = 0.05  # the server takes a moment to say 250: the open window
    env = {**os.environ, "CSDESK_DB": str(db_path)}
    cmd = [sys.executable, "-m", "csdesk", "outbox", "send"]
    for target in (8, 21):  # two kills, at different points in the batch
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(mail_server.received) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    mail_server.handler.delay_s = 0.0
    assert len(mail_server.received) < 40  # the kills did land mid-batch
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    desk = Desk.open(db_path)
    rows = desk.db.execute("SELECT state, message_id, last_error FROM outbox").fetchall()
    desk.close()
    arrived = Counter(str(m["Message-ID"]) for m in mail_server.received)
    assert max(arrived.values()) == 1  # none sent twice
    states = Counter(state for state, _, _ in rows)
    assert set(states) <= {"sent", "failed"} and len(rows) == 40
    for state, message_id, error in rows:
        if state == "sent":
            assert arrived[message_id] == 1
        else:  # stopped while the server was taking it: held for a person, never resent
            assert error == MAYBE_SENT
    # Nothing lost: every message arrived, or (killed mid-body) waits for a person to check.
    assert sum(1 for _, m, _ in rows if arrived[m]) + states["failed"] >= 40
    assert len(arrived) >= 40 - states["failed"]
    print("kill test:", dict(states), "arrived", len(arrived))
