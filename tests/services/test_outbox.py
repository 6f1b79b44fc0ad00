"""Letters by e-mail through a real SMTP server on loopback (STARTTLS on a self-signed
certificate, AUTH): what arrives, retries, refusals, consent, erasure, crash recovery."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import NotFound, UserError
from csdesk.render.qt import QtRenderer
from csdesk.services.desk import Desk
from csdesk.services.mail_build import STOP_LINE
from csdesk.services.outbox_sender import LEASE, MAYBE_SENT
from csdesk.store import outbox as outbox_store
from csdesk.store import settings as settings_store
from csdesk.store.db import atomic
from tests.conftest import FakeClock
from tests.mail_server import PASSWORD, MailServer, configure, free_port
from tests.write_faults import inserts_fail


def _customer(desk: Desk, first: str, email: str = "", *, consent: bool = False, last: str = "") -> int:
    return desk.customers.create(
        CustomerDraft(first_name=first, last_name=last, email=email, marketing_consent=consent)
    ).id


def _parts(msg: EmailMessage) -> tuple[str, str]:
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def test_a_letter_arrives_with_both_parts_pdf_and_non_ascii_headers(
    desk: Desk, mail_server: MailServer, tmp_path: Path
) -> None:
    configure(desk, mail_server)
    cid = _customer(desk, "Zoë", "zoe@example.test", last="Ñúñez")
    draft = desk.outbox.compose("thank_you", cid, renderer=QtRenderer(), attach_pdf=True)
    assert draft.to_address == "zoe@example.test" and not draft.marketing
    queued = desk.outbox.queue([draft])
    assert desk.outbox.get(queued.queued[0])["state"] == "queued"
    report = desk.mail_sender.send_due()
    assert report.sent == list(queued.queued) and not report.failed
    [msg] = mail_server.received
    # Names and subject beyond ASCII arrive as RFC 2047 words and read back as written.
    assert str(msg["From"]) == "Zoë's Corner Shop <shop@example.test>"
    assert str(msg["To"]) == "Zoë Ñúñez <zoe@example.test>"
    assert str(msg["Reply-To"]) == "Zoë's Corner Shop <hello@example.test>"
    assert msg["Subject"] == draft.subject and draft.subject
    row = desk.outbox.get(queued.queued[0])
    assert msg["Message-ID"] == row["message_id"] and row["message_id"].endswith("@example.test>")
    assert msg["Date"] is not None and msg["List-Unsubscribe"] is None
    plain, html = _parts(msg)
    assert "Dear Zoë" in plain and "<" not in plain and "Zoë's Corner Shop" in plain
    assert "Dear Zoë" in html and "<table" in html
    [pdf] = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "thank-you.pdf"
    out = tmp_path / "got.pdf"
    out.write_bytes(pdf.get_content())
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Dear Zoë" in text
    # The envelope: the shop's address to the customer's, after AUTH over STARTTLS.
    assert mail_server.handler.envelopes == [("shop@example.test", ["zoe@example.test"])]
    assert row["state"] == "sent" and row["sent_at"]


def test_raw_headers_are_encoded_words(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    cid = _customer(desk, "Zoë", "zoe@example.test")
    desk.outbox.queue_one("thank_you", cid)
    desk.mail_sender.send_due()
    raw = mail_server.received[0].as_bytes(policy=mail_server.received[0].policy.clone(utf8=False))
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    assert head.isascii()
    assert b"=?utf-8?" in head.lower()


def test_a_non_ascii_address_goes_with_smtputf8(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    cid = _customer(desk, "José", "josé@example.test")
    desk.db.execute("UPDATE customers SET email = 'josé@exämple.test' WHERE id = ?", [cid])
    desk.outbox.queue_one("thank_you", cid)
    assert desk.mail_sender.send_due().sent
    assert mail_server.handler.envelopes[0][1] == ["josé@exämple.test"]
    assert str(mail_server.received[0]["To"]).endswith("<josé@exämple.test>")


def test_it_is_on_the_timeline_the_daily_log_and_the_privacy_export(
    desk: Desk, mail_server: MailServer, clock: FakeClock
) -> None:
    configure(desk, mail_server)
    cid = _customer(desk, "Ada", "ada@example.test")
    [oid] = desk.outbox.queue([desk.outbox.compose("thank_you", cid)]).queued
    kinds = [e.kind for e in desk.timeline.page(cid)]
    assert "letter" in kinds and "email_sent" not in kinds  # not before the server has it
    desk.mail_sender.send_due()
    entries = [e for e in desk.timeline.page(cid) if e.kind == "email_sent"]
    assert len(entries) == 1 and entries[0].detail == "to ada@example.test"
    assert entries[0].title.startswith("E-mail sent: ")
    events = desk.reports.rows(desk.reports.day(desk.reports.today()))
    assert any(e.kind == "email_sent" and "ada@example.test" in e.summary for e in events)
    data = desk.privacy.export(cid)
    [mail] = data["email_messages"]
    assert mail["id"] == oid and mail["state"] == "sent" and mail["to_address"] == "ada@example.test"
    assert "Dear Ada" in mail["text_body"] and mail["sent_at"]


def test_a_server_that_is_down_keeps_the_mail_queued(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    desk.shop.set("smtp_port", free_port())  # nothing listens there
    cid = _customer(desk, "Ada", "ada@example.test")
    oid = desk.outbox.queue_one("thank_you", cid)
    report = desk.mail_sender.send_due()
    assert not report.sent and report.stopped and "connection refused" in report.stopped
    row = desk.outbox.get(oid)
    assert row["state"] == "queued" and row["attempts"] == 1 and row["next_attempt_at"] > row["created_at"]
    assert "cannot reach the mail server" in row["last_error"].lower()
    assert not mail_server.received


def test_4xx_then_accept_is_retried_after_a_pause(
    desk: Desk, mail_server: MailServer, clock: FakeClock
) -> None:
    configure(desk, mail_server)
    mail_server.handler.script = ["451 4.3.0 Mailbox busy, try again later"]
    oid = desk.outbox.queue_one("thank_you", _customer(desk, "Ada", "ada@example.test"))
    first = desk.mail_sender.send_due()
    assert first.retrying and "451" in first.retrying[0][1] and "Mailbox busy" in first.retrying[0][1]
    assert desk.outbox.get(oid)["state"] == "queued"
    assert not desk.mail_sender.send_due().sent  # not due yet: it waits its pause
    clock.advance(minutes=2)
    assert desk.mail_sender.send_due().sent == [oid]
    assert len(mail_server.received) == 1
    assert desk.outbox.get(oid)["attempts"] == 2


def test_5xx_fails_with_the_servers_words_and_can_be_retried(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    mail_server.handler.script = ["550 5.7.1 Message rejected: looks like spam"]
    oid = desk.outbox.queue_one("thank_you", _customer(desk, "Ada", "ada@example.test"))
    report = desk.mail_sender.send_due()
    assert report.failed and not report.sent
    row = desk.outbox.get(oid)
    assert row["state"] == "failed" and "550 5.7.1 Message rejected: looks like spam" in row["last_error"]
    assert desk.outbox.pending_count() == 1
    desk.outbox.retry(oid)
    assert desk.mail_sender.send_due().sent == [oid]
    assert desk.outbox.pending_count() == 0


def test_a_wrong_password_stops_the_pass_and_keeps_everything(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    desk.outbox.set_password("not-it")
    people = [_customer(desk, f"P{i}", f"p{i}@example.test") for i in range(3)]
    ids = [desk.outbox.queue_one("thank_you", cid) for cid in people]
    report = desk.mail_sender.send_due()
    assert "did not accept the user name and password" in report.stopped and "app password" in report.stopped
    assert [desk.outbox.get(i)["state"] for i in ids] == ["queued"] * 3
    desk.outbox.set_password(PASSWORD)
    desk.context.clock.advance(minutes=2)  # type: ignore[attr-defined]
    assert sorted(desk.mail_sender.send_due().sent) == ids


def test_the_password_is_in_the_keychain_not_the_database(
    desk: Desk, mail_server: MailServer, stored_bytes: Callable[[], bytes]
) -> None:
    configure(desk, mail_server)
    desk.outbox.queue_one("thank_you", _customer(desk, "Ada", "ada@example.test"))
    desk.mail_sender.send_due()
    stored = stored_bytes()
    assert b"ada@example.test" in stored  # the check would see what was written
    assert PASSWORD.encode() not in stored
    import keyring

    assert keyring.get_password("csdesk-smtp", "shop@example.test@localhost") == PASSWORD


def test_no_keychain_says_so_and_how_to_go_on(desk: Desk, mail_server: MailServer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    configure(desk, mail_server)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # what keyring itself picks when it finds no backend
    try:
        with pytest.raises(UserError, match="no keychain csdesk can keep the mail password in") as caught:
            desk.outbox.set_password("x")
        assert "CSDESK_SMTP_PASSWORD" in str(caught.value)
        monkeypatch.setenv("CSDESK_SMTP_PASSWORD", PASSWORD)
        desk.outbox.queue_one("thank_you", _customer(desk, "Ada", "ada@example.test"))
        assert desk.mail_sender.send_due().sent
    finally:
        keyring.set_keyring(previous)


def test_plain_smtp_only_to_this_computer(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    with pytest.raises(UserError, match="only to a mail server on this computer"):
        # refused when saved, not only at the first send
        desk.shop.set_many({"smtp_security": "none", "smtp_host": "mail.example.test"})
    desk.shop.set_many({"smtp_security": "none"})  # the loopback host configure() set: allowed
    with pytest.raises(UserError, match="only to a mail server on this computer"):
        desk.shop.set_many({"smtp_host": "mail.example.test"})  # nor moved to a remote host
    assert desk.shop.get("smtp_host") != "mail.example.test"
    # A book whose settings an older csdesk stored (before the rule was asked on save) is still
    # refused at the send: written here as that csdesk did, straight into the settings table.
    with atomic(desk.db):
        settings_store.put(desk.db, "smtp_host", "mail.example.test")
    desk.outbox.queue_one("thank_you", _customer(desk, "Ada", "ada@example.test"))
    with pytest.raises(UserError, match="only to a mail server on this computer"):
        desk.mail_sender.send_due()


def test_marketing_needs_consent_and_says_how_to_stop(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    yes = _customer(desk, "Yes", "yes@example.test", consent=True)
    no = _customer(desk, "No", "no@example.test", consent=False)
    none = _customer(desk, "Nomail", "", consent=True)
    bad = _customer(desk, "Bad", "bad@example.test", consent=True)
    desk.db.execute("UPDATE customers SET email = 'bad@@example' WHERE id = ?", [bad])
    report = desk.outbox.queue_batch("we_miss_you", [yes, no, none, bad, 9999])
    assert len(report.queued) == 1
    reasons = dict(report.skipped)
    assert "not agreed to marketing" in reasons[no]
    assert "no e-mail address" in reasons[none]
    assert "not a valid e-mail address" in reasons[bad]
    assert "no customer #9999" in reasons[9999]
    desk.mail_sender.send_due()
    [msg] = mail_server.received
    assert msg["List-Unsubscribe"] == "<mailto:hello@example.test?subject=unsubscribe>"
    plain, html = _parts(msg)
    assert STOP_LINE in plain and STOP_LINE in html
    # A service letter needs no consent.
    assert desk.outbox.queue_batch("thank_you", [no]).queued


def test_consent_withdrawn_after_queueing_cancels(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    cid = _customer(desk, "Yes", "yes@example.test", consent=True)
    oid = desk.outbox.queue_one("we_miss_you", cid)
    desk.privacy.set_marketing_consent(cid, False)
    report = desk.mail_sender.send_due()
    assert report.cancelled and desk.outbox.get(oid)["state"] == "cancelled"
    assert not mail_server.received


def test_erasing_a_customer_removes_their_mail(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    gone = _customer(desk, "Gone", "gone@example.test")
    stays = _customer(desk, "Stays", "stays@example.test")
    desk.outbox.queue_batch("thank_you", [gone, stays])
    result = desk.privacy.erase(gone)
    assert result.queued_emails_removed == 1
    assert desk.mail_sender.send_due().sent
    assert [m["To"].addresses[0].addr_spec for m in mail_server.received] == ["stays@example.test"]
    with pytest.raises(NotFound):
        desk.outbox.compose("thank_you", gone)


def test_queueing_is_one_transaction_with_the_letter(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    cid = _customer(desk, "Ada", "ada@example.test")
    draft = desk.outbox.compose("thank_you", cid)
    with inserts_fail(desk.db, "outbox", "disk"), pytest.raises(Exception, match="disk"):
        desk.outbox.queue([draft])
    assert desk.letters.for_customer(cid) == []  # the letter was not recorded either


def test_a_dead_sender_is_recovered_without_sending_twice(
    desk: Desk, mail_server: MailServer, clock: FakeClock
) -> None:
    configure(desk, mail_server)
    before = desk.outbox.queue_one("thank_you", _customer(desk, "A", "a@example.test"))
    during = desk.outbox.queue_one("thank_you", _customer(desk, "B", "b@example.test"))
    now = desk.now_iso()
    # What a sender killed at each point leaves behind: claimed only, and body under way.
    outbox_store.claim(desk.db, before, "elsewhere:1:x", now, now)
    outbox_store.claim(desk.db, during, "elsewhere:1:y", now, now)
    outbox_store.mark_data_started(desk.db, during, "elsewhere:1:y", now)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    report = desk.mail_sender.send_due()
    assert sorted(report.recovered) == [before, during]
    assert report.sent == [before]
    row = desk.outbox.get(during)
    assert row["state"] == "failed" and row["last_error"] == MAYBE_SENT
    assert len(mail_server.received) == 1


def test_send_test_email(desk: Desk, mail_server: MailServer) -> None:
    configure(desk, mail_server)
    answer = desk.mail_sender.send_test("owner@example.test")
    assert answer.startswith("250")
    assert mail_server.received[0]["Subject"] == "csdesk test e-mail"
    desk.shop.set("smtp_port", free_port())
    with pytest.raises(UserError, match="The test e-mail did not go"):
        desk.mail_sender.send_test()
