"""Working off the outbox: each due e-mail is claimed, handed to the mail server, and recorded as
sent only once the server has accepted it. Qt-free; the window runs it in an Op, cron runs
`csdesk outbox send`.

How no e-mail goes twice, even after a crash or kill -9:
1. Claim: one UPDATE moves the row queued -> sending with a lease (who holds it, until when);
   only the sender whose UPDATE changed the row sends it.
2. The Message-ID was fixed when the row was queued; every attempt carries the same one, so a
   mail client that ever got two copies would show one.
3. Just before the body goes (the server has taken sender and recipient), `data_started_at` is
   committed. The server keeps a message only once the body has ended and it answered 250.
4. `sent` is committed right after that 250.
A sender that died leaves its row 'sending'. When its lease ran out (or its process is gone, on
this computer), the row is looked at: without `data_started_at` the server never had the body,
and the row goes back to the queue; with it, the server may have it, and the row is failed with
words asking a person to check before retrying. The only window where a message's fate is
unknown is between step 3 and step 4: the time the server takes to take the body and answer.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from csdesk.domain import Change
from csdesk.errors import UserError
from csdesk.services.auth import Permission, require
from csdesk.services.clock import iso
from csdesk.services.mail_build import Outgoing, Sender, build, new_message_id
from csdesk.services.mail_transport import (
    MailError,
    MaybeSent,
    Refused,
    ServerProblem,
    Transport,
    TryLater,
)
from csdesk.services.rendering import Progress
from csdesk.store import audit
from csdesk.store import customers as customer_store
from csdesk.store import outbox as store
from csdesk.store.db import atomic

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.outbox import OutboxService

LEASE = timedelta(minutes=10)  # far longer than one message takes (the SMTP timeout is 30 s)
BACKOFF_MINUTES = (1, 5, 15, 30, 60, 120, 240)
MAX_ATTEMPTS = 8
MAYBE_SENT = (
    "Sending stopped while the mail server was receiving this e-mail, so it may have arrived. "
    "Check the shop's sent mail (or ask the customer) before you retry it."
)


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[tuple[int, str]] = field(default_factory=list)  # (id, why), goes again later
    failed: list[tuple[int, str]] = field(default_factory=list)  # (id, the server's words)
    cancelled: list[tuple[int, str]] = field(default_factory=list)  # consent withdrawn since
    recovered: list[int] = field(default_factory=list)  # left 'sending' by a sender that died
    stopped: str = ""  # why the pass stopped early (server down, wrong password), or ''
    interrupted: bool = False  # the person asked to stop


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


class OutboxSender:
    def __init__(self, ctx: Context, *, outbox: OutboxService) -> None:
        self._ctx = ctx
        self._outbox = outbox
        self._host = socket.gethostname()

    def _lease_id(self) -> str:
        return f"{self._host}:{os.getpid()}:{uuid.uuid4().hex}"

    def _holder_gone(self, lease_id: str | None) -> bool:
        """Is the process that holds this lease dead? Known only for this computer's processes
        (and only where signal 0 asks without harm: not on Windows, where it would kill)."""
        if not lease_id or os.name != "posix":
            return False
        host, _, rest = lease_id.partition(":")
        pid_text = rest.partition(":")[0]
        if host != self._host or not pid_text.isdigit() or int(pid_text) == os.getpid():
            return False
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False

    def recover(self) -> list[int]:
        """Rows a dead sender left 'sending': back to the queue, or failed if maybe sent."""
        db = self._ctx.db
        now = self._ctx.clock()
        found: list[int] = []
        for row in store.sending(db):
            outbox_id, lease_id = int(row["id"]), row["lease_id"]
            expired = row["lease_until"] is not None and row["lease_until"] < iso(now)
            if not expired and not self._holder_gone(lease_id):
                continue
            if row["data_started_at"]:
                state, why = "failed", MAYBE_SENT
            else:
                state, why = "queued", "The sender stopped before this e-mail went; it goes again."
            with atomic(db):
                if not store.recover(db, outbox_id, lease_id, state=state, error=why, now=iso(now)):
                    continue  # its sender finished it after all
            found.append(outbox_id)
            self._ctx.notify(Change("outbox", (outbox_id,), row["customer_id"]))
        return found

    # -- one pass ------------------------------------------------------------------------------
    def send_due(self, *, progress: Progress | None = None, limit: int = 10_000) -> SendReport:
        """Send what is due now, over one connection; returns what happened to each."""
        require(self._ctx.actor, Permission.LOG)
        report = SendReport(recovered=self.recover())
        ids = store.due_ids(self._ctx.db, self._ctx.now_iso(), limit)
        if not ids:
            return report
        sender = self._outbox.sender()
        transport = Transport(self._outbox.smtp_config())
        try:
            total = len(ids)
            for index, outbox_id in enumerate(ids):
                if progress is not None and progress(index, total) is False:
                    report.interrupted = True
                    break
                if not self._send_one(outbox_id, sender, transport, report):
                    break
            if progress is not None and not report.interrupted:
                progress(total, total)
        finally:
            transport.close()
        return report

    def _send_one(self, outbox_id: int, sender: Sender, transport: Transport, report: SendReport) -> bool:
        """False when the pass should stop (the server cannot be used now)."""
        db = self._ctx.db
        lease = self._lease_id()
        with atomic(db):
            if not store.claim(db, outbox_id, lease, iso(self._ctx.clock() + LEASE), self._ctx.now_iso()):
                return True  # another sender took it, or it was cancelled
        row = store.get(db, outbox_id)
        assert row is not None
        if row["marketing"] and not self._still_consents(row["customer_id"]):
            self._end(outbox_id, lease, "cancelled", "Marketing consent was withdrawn after it was queued.",
                      row, report.cancelled)
            return True
        outgoing = self._outbox.outgoing(row)

        def mark() -> None:
            with atomic(db):
                store.mark_data_started(db, outbox_id, lease, self._ctx.now_iso())

        try:
            msg = build(outgoing, sender, when=self._ctx.clock())
            answer = transport.send(msg, sender.address, outgoing.to_address, before_data=mark)
        except UserError as exc:  # the message cannot be built (an address the library refuses)
            self._end(outbox_id, lease, "failed", exc.message, row, report.failed)
            return True
        except MaybeSent:
            self._end(outbox_id, lease, "failed", MAYBE_SENT, row, report.failed)
            return True
        except Refused as exc:
            self._end(outbox_id, lease, "failed", _sentence(exc), row, report.failed)
            return True
        except (TryLater, ServerProblem) as exc:
            self._later(outbox_id, lease, exc, row, report)
            if isinstance(exc, ServerProblem) or not transport.is_open:
                report.stopped = exc.message
                return False
            return True
        now = self._ctx.now_iso()
        with atomic(db):
            store.finish(db, outbox_id, lease, state="sent", now=now)
            audit.record(db, at=now, staff_id=self._ctx.actor.id, action="send", entity="email",
                         entity_id=outbox_id,
                         after={"to": outgoing.to_address, "message_id": outgoing.message_id,
                                "server": answer[:200]},
                         source=self._ctx.source)
        report.sent.append(outbox_id)
        self._ctx.notify(Change("outbox", (outbox_id,), row["customer_id"]))
        self._ctx.notify(Change("email", (outbox_id,), row["customer_id"]))
        return True

    def _later(self, outbox_id: int, lease: str, exc: MailError, row: dict[str, object],
               report: SendReport) -> None:
        attempts = int(str(row["attempts"]))
        if isinstance(exc, TryLater) and attempts >= MAX_ATTEMPTS:
            why = f"Gave up after {attempts} tries: {exc.message}."
            self._end(outbox_id, lease, "failed", why, row, report.failed)
            return
        when = self._ctx.clock() + backoff(attempts)
        why = _sentence(exc)
        db = self._ctx.db
        with atomic(db):
            store.finish(db, outbox_id, lease, state="queued", now=self._ctx.now_iso(),
                         error=why, next_attempt_at=iso(when))
        report.retrying.append((outbox_id, why))
        self._ctx.notify(Change("outbox", (outbox_id,), row["customer_id"]))  # type: ignore[arg-type]

    def _end(self, outbox_id: int, lease: str, state: str, why: str, row: dict[str, object],
             into: list[tuple[int, str]]) -> None:
        db = self._ctx.db
        with atomic(db):
            store.finish(db, outbox_id, lease, state=state, now=self._ctx.now_iso(), error=why)
        into.append((outbox_id, why))
        self._ctx.notify(Change("outbox", (outbox_id,), row["customer_id"]))  # type: ignore[arg-type]

    def _still_consents(self, customer_id: int | None) -> bool:
        if customer_id is None:
            return False
        row = customer_store.get(self._ctx.db, customer_id)
        return bool(row and row["marketing_consent"])

    # -- a test message ------------------------------------------------------------------------
    def send_test(self, to: str | None = None) -> str:
        """A short e-mail to `to` (default: the sender address) straight away, not through the
        outbox; returns the server's answer. Admins (it proves the settings)."""
        require(self._ctx.actor, Permission.MANAGE_SETTINGS)
        sender = self._outbox.sender()
        recipient = (to or sender.address).strip()
        transport = Transport(self._outbox.smtp_config())
        text = ("This is a test e-mail from csdesk. If you can read it, the shop's e-mail "
                "settings work.\n")
        outgoing = Outgoing(
            to_address=recipient, to_name="", subject="csdesk test e-mail",
            html=f"<html><body><p>{text}</p></body></html>", text=text,
            message_id=new_message_id(sender.domain),
        )
        try:
            answer = transport.send(build(outgoing, sender, when=self._ctx.clock()), sender.address,
                                    recipient, before_data=lambda: None)
        except MailError as exc:
            raise UserError(f"The test e-mail did not go: {exc.message}.") from None
        finally:
            transport.close()
        self._ctx.audit("test", "email", after={"to": recipient})
        return answer


def _sentence(exc: MailError) -> str:
    text = exc.message.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
