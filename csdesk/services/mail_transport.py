"""Talking to the shop's mail server (smtplib): connect with STARTTLS, SSL or, on this computer
only, plain; sign in; hand over one message at a time; and say what went wrong in three kinds:

- `TryLater`: the server or the network said "not now" (4xx, refused, timed out, cut off): the
  message stays queued and goes again after a pause;
- `Refused`: the server said no to this message for good (5xx, with its own words): failed;
- `ServerProblem`: nothing can go until a person fixes the settings (wrong password, a
  certificate that does not check out, no STARTTLS): the pass stops, the messages wait.

A message whose body was being handed over when the connection broke raises `MaybeSent`: the
server may have it, so it is not sent again by itself (services/outbox.py).
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from csdesk.errors import UserError
from csdesk.services.mail_build import needs_smtputf8

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT_S = 30.0


class MailError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TryLater(MailError):
    """Temporary: keep the message queued and try again later."""


class Refused(MailError):
    """Permanent for this message: the server's words say why."""


class ServerProblem(MailError):
    """Nothing can be sent until the settings are fixed; the messages wait."""


class MaybeSent(MailError):
    """The connection broke while the server was receiving the message: it may have arrived."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    password: str = ""
    timeout: float = TIMEOUT_S

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def is_loopback(host: str) -> bool:
    if host.casefold() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_config(config: SmtpConfig) -> None:
    if not config.host:
        raise UserError(
            "No mail server is set. An admin sets it in Settings ▸ E-mail or with "
            "`csdesk settings smtp_host mail.example.com` (README: Sending e-mail)."
        )
    check_security(config.host, config.security)


def check_security(host: str, security: str) -> None:
    """The one rule for an unencrypted connection, asked when the settings are saved and again
    before sending: a password and letters in clear text only over this computer's loopback."""
    if security == "none" and host and not is_loopback(host):
        raise UserError(
            f"Without encryption csdesk sends only to a mail server on this computer, not to "
            f"{host}. Choose starttls (port 587) or ssl (port 465).", field="smtp_security"
        )


def _words(resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return " ".join(text.split())


def _reply(code: int, resp: bytes | str) -> MailError:
    said = f"the server said {code} {_words(resp)}".rstrip()
    return TryLater(said) if 400 <= code < 500 else Refused(said)


class Transport:
    """One connection, opened on first use and reused for a whole batch."""

    def __init__(self, config: SmtpConfig) -> None:
        check_config(config)
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    @property
    def is_open(self) -> bool:
        return self._smtp is not None

    def open(self) -> None:
        cfg = self.config
        context = ssl.create_default_context()  # the system's CAs; SSL_CERT_FILE is honoured
        smtp: smtplib.SMTP | None = None
        try:
            if cfg.security == "ssl":
                smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            smtp.ehlo()
            if cfg.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise ServerProblem(
                        f"The mail server {cfg.where} does not offer STARTTLS, so the password "
                        "would travel unencrypted. Check the port (587 is usual) or choose ssl."
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if cfg.user:
                if not cfg.password:
                    raise ServerProblem(
                        f"No password is stored for {cfg.user} on {cfg.host}. An admin sets it in "
                        "Settings ▸ E-mail or with `csdesk settings smtp_password`."
                    )
                smtp.login(cfg.user, cfg.password)
        except MailError:
            _quietly_close(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _quietly_close(smtp)
            raise ServerProblem(
                f"The mail server did not accept the user name and password ({exc.smtp_code} "
                f"{_words(exc.smtp_error)}). Many providers want an app password: README, "
                "Sending e-mail."
            ) from None
        except ssl.SSLCertVerificationError as exc:
            _quietly_close(smtp)
            raise ServerProblem(
                f"The mail server's certificate does not check out ({exc.verify_message}); "
                f"nothing was sent. Check the server name {cfg.host}."
            ) from None
        except ssl.SSLError as exc:
            _quietly_close(smtp)
            raise ServerProblem(
                f"Could not start encryption with {cfg.where} ({exc.reason or exc}). "
                "Port 587 goes with starttls, 465 with ssl."
            ) from None
        except smtplib.SMTPResponseException as exc:
            _quietly_close(smtp)
            raise _reply(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            _quietly_close(smtp)
            raise TryLater(f"cannot reach the mail server {cfg.where}: {_reason(exc)}") from None
        self._smtp = smtp

    def send(
        self, msg: EmailMessage, sender: str, recipient: str, *, before_data: Callable[[], None]
    ) -> str:
        """Hand one message over; returns the server's answer. `before_data` runs once the
        server has taken sender and recipient, just before the body goes."""
        if self._smtp is None:
            self.open()
        smtp = self._smtp
        assert smtp is not None
        options: list[str] = []
        if needs_smtputf8(sender, recipient):
            if not smtp.has_extn("smtputf8"):
                raise Refused(
                    f"the address {recipient} has letters beyond ASCII, and the mail server "
                    "does not take such addresses (no SMTPUTF8)"
                )
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        try:
            code, resp = smtp.mail(sender, options)
            if code != 250:
                smtp.rset()
                raise _reply(code, resp)
            code, resp = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                raise _reply(code, resp)
            data = msg.as_bytes()
        except MailError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TryLater(f"the connection to {self.config.where} broke: {_reason(exc)}") from None
        before_data()
        try:
            code, resp = smtp.data(data)
        except smtplib.SMTPResponseException as exc:  # DATA itself refused: nothing was taken
            raise _reply(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MaybeSent(
                f"the connection to {self.config.where} broke while the server was receiving it "
                f"({_reason(exc)})"
            ) from None
        if code != 250:
            raise _reply(code, resp)
        return f"{code} {_words(resp)}"

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                _quietly_close(smtp)


def _quietly_close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError):
            smtp.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "nothing answers there (connection refused)"
    if isinstance(exc, socket.gaierror):
        return "the name is not known"
    text = getattr(exc, "strerror", None) or str(exc)
    return text or type(exc).__name__
