"""A real SMTP server on loopback for the e-mail tests (aiosmtpd): STARTTLS on a self-signed
certificate made at test time (cryptography), AUTH with a user and password, SMTPUTF8, and
answers a test can script (451 then accept, 550). What arrived is parsed back with `email`."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "shop@example.test", "app-password-1234"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Handler:
    """Records every message the server accepted; `script` holds the answers to give first."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    script: list[str] = field(default_factory=list)  # e.g. ["451 4.3.0 try later"]
    delay_s: float = 0.0  # before answering DATA: the window a kill -9 lands in
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.script:
                return self.script.pop(0)
            msg = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
            assert isinstance(msg, EmailMessage)
            self.received.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        return "250 2.0.0 Ok: queued"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
        and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MailServer:
    host: str
    port: int
    handler: Handler
    cert: Path
    controller: Controller

    @property
    def received(self) -> list[EmailMessage]:
        return self.handler.received


def start(tmp: Path, *, tls: bool = True) -> MailServer:
    cert, key = make_certificate(tmp)
    handler = Handler()
    kwargs: dict[str, Any] = {"enable_SMTPUTF8": True, "authenticator": _authenticate,
                              "auth_require_tls": tls}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        kwargs.update(tls_context=context, require_starttls=True)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return MailServer("localhost", port, handler, cert, controller)


def configure(desk: Any, server: MailServer, *, security: str = "starttls") -> None:
    """The shop's e-mail settings pointing at the test server, password in the keychain."""
    desk.auth.act_as_cli()
    desk.shop.set_many({
        "smtp_host": server.host, "smtp_port": server.port, "smtp_security": security,
        "smtp_user": USER, "mail_from_address": "shop@example.test",
        "mail_from_name": "Zoë's Corner Shop", "mail_reply_to": "hello@example.test",
        "shop_name": "Zoë's Corner Shop",
    })
    desk.outbox.set_password(PASSWORD)
