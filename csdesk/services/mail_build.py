"""A letter as an e-mail: HTML with a plain-text alternative from the same rendering, the
letterhead's logo inline, an optional PDF, and headers right for any language. Qt-free, stdlib
`email` only.

Non-ASCII names and subjects are encoded per RFC 2047 (policy SMTP); an address whose own
characters are not ASCII needs a server that offers SMTPUTF8 (RFC 6531/6532), and then the
message goes with policy SMTPUTF8 (see `needs_smtputf8`).
"""

from __future__ import annotations

import html as html_lib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from csdesk.errors import UserError

STOP_LINE = (
    "You get letters like this because you told us we may write to you. "
    "To stop them, reply with the word STOP, or tell us next time you are in."
)
_BLOCKS = frozenset(
    ["p", "div", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "hr",
     "blockquote", "pre", "address"]
)
_FILE_IMG = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(file:[^"']+)\2""", re.IGNORECASE)
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s.<>\"(),;:]{2,}$")
_IMAGE_TYPES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".svg": "svg+xml"}


def valid_address(address: str) -> bool:
    return bool(address) and len(address) <= 254 and bool(_ADDRESS.match(address))


@dataclass(frozen=True)
class Sender:
    """Who the shop's e-mail comes from (settings mail_from_name/address, mail_reply_to)."""

    name: str
    address: str
    reply_to: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class Outgoing:
    """One message as the outbox holds it."""

    to_address: str
    to_name: str
    subject: str
    html: str
    text: str
    message_id: str
    attachment_name: str = ""
    attachment: bytes | None = None
    marketing: bool = False


def new_message_id(domain: str) -> str:
    """Fixed when the mail is queued, so each attempt carries the same Message-ID."""
    return f"<{uuid.uuid4().hex}.csdesk@{domain or 'localhost'}>"


_DROP = re.compile(r"<(head|style|script|title)\b.*?</\1\s*>|<!--.*?-->|<![^>]*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)([^>]*)>")
_ALT = re.compile(r"""\balt\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)


def _tag_text(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name == "br":
        return "\n"
    if name == "hr":
        return "\n" + "-" * 40 + "\n"
    if name in ("td", "th"):  # a cell on its own line: text mail has no columns
        return "" if match.group(1) else "\n"
    if name == "p":
        return "\n\n"
    if name in _BLOCKS:
        return "\n"
    if name == "img":
        alt = _ALT.search(match.group(3))
        return alt.group(1)[1:-1] if alt else ""
    return ""


def html_to_text(html: str) -> str:
    """The plain-text part: the same letter, its lines and paragraphs kept, markup gone.
    (Regular expressions, not a parser: the letter's HTML is checked and bounded already, and
    a batch of 500 must queue in well under two seconds.)"""
    body = _DROP.sub("", html)
    body = re.sub(r"\s+", " ", body)
    text = html_lib.unescape(_TAG.sub(_tag_text, body))
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def subject_of(html: str, fallback: str) -> str:
    """The letter's <title> (its subject block), else the template's title."""
    match = re.search(r"<title>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    found = " ".join(html_lib.unescape(match.group(1)).split()) if match else ""
    return found or fallback


def with_stop_line(html: str, text: str) -> tuple[str, str]:
    """A marketing letter says how to stop them, in both parts."""
    line = f'<p style="font-size: 8.5pt; color: #6b6b6b;">{STOP_LINE}</p>'
    html = re.sub(r"</body>", line + "</body>", html, count=1, flags=re.IGNORECASE) \
        if re.search(r"</body>", html, re.IGNORECASE) else html + line
    return html, text.rstrip("\n") + "\n\n--\n" + STOP_LINE + "\n"


def needs_smtputf8(*addresses: str) -> bool:
    return any(not a.isascii() for a in addresses)


def _address(name: str, address: str) -> Address:
    local, _, domain = address.rpartition("@")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise UserError(f"“{address}” is not an e-mail address csdesk can send to.") from exc


def build(out: Outgoing, sender: Sender, *, when: datetime) -> EmailMessage:
    """The message as it goes to the server; `when` is its Date."""
    utf8 = needs_smtputf8(out.to_address, sender.address, sender.reply_to)
    msg = EmailMessage(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
    msg["From"] = _address(sender.name, sender.address)
    msg["To"] = _address(out.to_name, out.to_address)
    if sender.reply_to and sender.reply_to != sender.address:
        msg["Reply-To"] = _address(sender.name, sender.reply_to)
    msg["Subject"] = out.subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = out.message_id
    if out.marketing:
        stop = sender.reply_to or sender.address
        msg["List-Unsubscribe"] = f"<mailto:{stop}?subject={quote('unsubscribe')}>"
    msg.set_content(out.text, subtype="plain", charset="utf-8")
    html, images = _inline_images(out.html, sender.domain)
    msg.add_alternative(html, subtype="html", charset="utf-8")
    if images:
        html_part = msg.get_payload()[1]  # type: ignore[index]
        assert isinstance(html_part, EmailMessage)
        for cid, data, subtype in images:
            html_part.add_related(data, maintype="image", subtype=subtype, cid=f"<{cid}>")
    if out.attachment is not None:
        msg.add_attachment(
            out.attachment, maintype="application", subtype="pdf",
            filename=out.attachment_name or "letter.pdf",
        )
    return msg


def _inline_images(html: str, domain: str) -> tuple[str, list[tuple[str, bytes, str]]]:
    """The letterhead logo (a file: URL the letter checked already) sent inside the message,
    since a mail client cannot open files on the shop's computer; an unreadable one is dropped."""
    images: list[tuple[str, bytes, str]] = []
    seen: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        url = match.group(3)
        if url not in seen:
            path = Path(unquote(urlsplit(url).path))
            subtype = _IMAGE_TYPES.get(path.suffix.lower())
            try:
                data = path.read_bytes() if subtype else b""
            except OSError:
                data = b""
            if not data or subtype is None:
                seen[url] = ""
            else:
                cid = f"img{len(images)}.{uuid.uuid4().hex[:12]}@{domain}"
                images.append((cid, data, subtype))
                seen[url] = cid
        cid = seen[url]
        return f"{match.group(1)}{match.group(2)}cid:{cid}{match.group(2)}" if cid else \
            f'{match.group(1)}{match.group(2)}{match.group(2)} data-dropped=""'

    return _FILE_IMG.sub(swap, html), images
