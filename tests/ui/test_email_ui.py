"""E-mail in the window, against a real SMTP server on loopback: the letter dialog's "Send as
e-mail" (preview first), the sender in an Op, the status bar count, the outbox with Retry and
Cancel, e-mail a group, Settings ▸ E-mail with "Send test e-mail", the follow-up queue and the
issue's "issue resolved"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer, IssueDraft, IssueStatus
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.email_group import EmailGroupDialog
from csdesk.ui.dialogs.email_send import EmailSendDialog
from csdesk.ui.dialogs.email_settings import EmailSettingsDialog
from csdesk.ui.dialogs.letter_dialog import LetterDialog
from csdesk.ui.features.email import EmailFeature
from csdesk.ui.main_window import MainWindow
from tests.mail_server import PASSWORD, USER, MailServer, configure
from tests.ui.letter_preview import wait_preview


def _feature(window: MainWindow) -> EmailFeature:
    return window.feature(EmailFeature)


def test_send_as_email_from_the_letter_dialog_goes_off_the_ui_thread(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer],
    mail_server: MailServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(desk, mail_server)
    feature = _feature(window)
    assert not feature.count_label.isVisible()
    seen: list[EmailSendDialog] = []

    def confirm(dialog: EmailSendDialog) -> int:
        seen.append(dialog)
        assert dialog.to.text() == "José García Márquez <pepe.garcia@example.com>"
        assert "Dear Pepe" in dialog.text.toPlainText()  # the text part, seen before it goes
        dialog.grab().save("/tmp/email-shot-send.png")
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
        return int(dialog.result())

    monkeypatch.setattr(EmailSendDialog, "exec", confirm)
    mail_server.handler.delay_s = 0.3  # the window must not wait for the server

    def drive(dialog: LetterDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        dialog.select_template("thank_you")
        wait_preview(qtbot, dialog)
        assert "Dear Pepe" in dialog.preview.toPlainText()  # the preview comes first
        assert dialog.email_shortcut.key().toString() == "Ctrl+Shift+M"
        qtbot.mouseClick(dialog.email_button, Qt.MouseButton.LeftButton)
        dialog.close()
        return 0

    monkeypatch.setattr(LetterDialog, "exec", drive)
    window.open_customer(known["jose"].id)
    from csdesk.ui.features.letters import LettersFeature

    window.feature(LettersFeature).write_letter()
    assert seen and seen[0].outbox_id is not None
    # Queued: the status bar says so while the Op sends in the background.
    qtbot.waitUntil(lambda: feature.count_label.isVisible() or len(mail_server.received) == 1, timeout=3000)
    qtbot.waitUntil(lambda: len(mail_server.received) == 1, timeout=10000)
    qtbot.waitUntil(lambda: feature.op is None and not feature.count_label.isVisible(), timeout=5000)
    assert mail_server.received[0]["To"].addresses[0].addr_spec == "pepe.garcia@example.com"
    assert desk.outbox.get(seen[0].outbox_id)["state"] == "sent"


def test_a_marketing_letter_without_consent_is_refused_in_the_dialog(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer], mail_server: MailServer
) -> None:
    configure(desk, mail_server)
    dialog = EmailSendDialog(window, desk, "we_miss_you", known["jose"].id)
    qtbot.addWidget(dialog)
    assert not dialog.send_button.isEnabled()
    assert "has not agreed to marketing e-mail" in dialog.problem.text()


def test_outbox_shows_failed_with_the_servers_words_and_retries(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer], mail_server: MailServer
) -> None:
    configure(desk, mail_server)
    feature = _feature(window)
    mail_server.handler.script = ["550 5.1.1 No such user here"]
    oid = desk.outbox.queue_one("thank_you", known["jose"].id)
    feature.send_now()
    qtbot.waitUntil(lambda: desk.outbox.get(oid)["state"] == "failed" and feature.op is None, timeout=10000)
    qtbot.waitUntil(lambda: "1 failed" in feature.count_label.text(), timeout=3000)
    outbox = feature.show_outbox()
    qtbot.waitExposed(outbox)
    texts = [outbox.model.index(0, c).data() for c in range(outbox.model.columnCount())]
    assert texts[0] == "Failed" and "550 5.1.1 No such user here" in texts[5]
    outbox.grab().save("/tmp/email-shot-outbox.png")
    assert outbox.retry_button.isEnabled()
    qtbot.mouseClick(outbox.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.outbox.get(oid)["state"] == "sent", timeout=10000)
    qtbot.waitUntil(lambda: outbox.model.index(0, 0).data() == "Sent", timeout=5000)
    assert len(mail_server.received) == 1
    outbox.close()


def test_cancel_from_the_outbox(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer], mail_server: MailServer
) -> None:
    configure(desk, mail_server)
    desk.shop.set("smtp_host", "")  # not set up: nothing is sent, it waits
    oid = desk.outbox.queue_one("thank_you", known["jose"].id)
    outbox = _feature(window).show_outbox()
    assert outbox.cancel_button.isEnabled() and not outbox.retry_button.isEnabled()
    qtbot.mouseClick(outbox.cancel_button, Qt.MouseButton.LeftButton)
    assert desk.outbox.get(oid)["state"] == "cancelled"
    assert outbox.model.index(0, 0).data() == "Cancelled"
    outbox.close()


def test_email_a_group_reports_who_was_skipped(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer], mail_server: MailServer
) -> None:
    configure(desk, mail_server)
    desk.shop.set("smtp_host", "")  # queue only
    desk.db.execute("UPDATE customers SET last_seen_at = '2020-01-01T00:00:00+00:00' WHERE id IN (?, ?)",
                    [known["jose"].id, known["zoe"].id])
    desk.privacy.set_marketing_consent(known["jose"].id, True)
    dialog = EmailGroupDialog(window, desk)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.template.currentData() == "we_miss_you.html.j2" and dialog.days.value() == 90
    op = dialog.start()
    qtbot.waitUntil(lambda: op.done, timeout=20000)
    assert dialog.report is not None and dialog.report.queued
    assert f"customer #{known['zoe'].id}: " in dialog.report_text.toPlainText()
    dialog.grab().save("/tmp/email-shot-group.png")


def test_settings_email_saves_password_in_the_keychain_and_sends_a_test(
    qtbot: QtBot, window: MainWindow, desk: Desk, mail_server: MailServer
) -> None:
    import keyring

    desk.auth.act_as_cli()
    dialog = EmailSettingsDialog(window, desk)
    qtbot.addWidget(dialog)
    dialog.show()
    for key, value in (("smtp_host", mail_server.host), ("smtp_user", USER),
                       ("mail_from_address", "shop@example.test")):
        dialog.fields[key].clear()
        qtbot.keyClicks(dialog.fields[key], value)
    dialog.port.setValue(mail_server.port)
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.test_to, "owner@example.test")
    op = dialog.send_test()
    assert op is not None
    qtbot.waitUntil(lambda: op.done, timeout=10000)
    assert "The test e-mail went" in dialog.message.text(), dialog.message.text()
    assert mail_server.received[0]["To"] == "owner@example.test"
    assert keyring.get_password("csdesk-smtp", f"{USER}@{mail_server.host}") == PASSWORD
    assert dialog.password.text() == "" and "keychain" in dialog.keychain.text()
    dialog.grab().save("/tmp/email-shot-settings.png")


def test_the_followup_queue_and_an_issue_offer_the_email(
    qtbot: QtBot, window: MainWindow, desk: Desk, known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jose = known["jose"]
    issue = desk.issues.log(IssueDraft(customer_id=jose.id, title="Boots squeak"))
    desk.followups.add(jose.id, "Call about the boots", desk.clock() + timedelta(minutes=1),
                       issue_id=issue.id)
    desk.issues.set_status(issue.id, IssueStatus.RESOLVED, version=issue.version,
                           resolution="New insoles fitted.")
    opened: list[str | None] = []

    def look(dialog: LetterDialog) -> int:
        opened.append(dialog.current_template())
        wait_preview(qtbot, dialog)
        assert dialog.email_button.isEnabled() and dialog.focusWidget() is dialog.email_button
        return 0

    monkeypatch.setattr(LetterDialog, "exec", look)
    from csdesk.ui.features.issues import IssuesFeature

    queue = window.feature(IssuesFeature).queue
    queue.show_queue()
    assert queue.email_button.isEnabled()
    qtbot.mouseClick(queue.email_button, Qt.MouseButton.LeftButton)
    assert opened == ["issue_resolved.html.j2"]
    queue.close()
    from csdesk.ui.dialogs.issue_detail import IssueDetail

    detail = IssueDetail(window, desk, issue.id)
    qtbot.addWidget(detail)
    assert detail.email_button.isEnabled()
    qtbot.mouseClick(detail.email_button, Qt.MouseButton.LeftButton)
    assert opened[-1] == "issue_resolved.html.j2"
