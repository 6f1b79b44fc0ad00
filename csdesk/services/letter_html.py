"""What a letter's HTML may ask of Qt: bounded size and nesting, images only from known places.

The sandbox (letter_sandbox.py) bounds the template's time and output; this bounds what the
output asks the layout engine to do, measured on this project's machines (see the note of
issue 14.6): Qt lays out nested tables in time that grows about threefold per level (16
levels took 4 s, 3,000 crashed it), and tables with thousands of cells or text with thousands of
lines take seconds. Inside these limits the worst layout measured took about a second.
Qt-free: it runs before any face sees the HTML (preview, PDF, printer), and again, as a last
guard, in the renderer for letters stored before these limits existed.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_HTML_CHARS = 100_000  # a rich letter is ~10,000
MAX_DEPTH = 100  # elements inside elements
MAX_TABLE_DEPTH = 4  # tables inside tables: the one that grows exponentially
MAX_ELEMENTS = 5_000
MAX_CELLS = 2_000
MAX_LINES = 3_000  # about 40 pages of lines: <br>, paragraphs, rows, newlines in <pre>
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp"})

_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"]
)
# Elements whose end tag HTML lets you leave out: a new one closes the open one.
_SELF_CLOSING_SIBLINGS = frozenset(["p", "li", "dt", "dd", "tr", "td", "th", "option"])
_TABLE_TAG = re.compile(r"<\s*(/?)\s*table\b", re.IGNORECASE)
_LINE_TAG = re.compile(r"<\s*(?:br|p|li|tr|div|h[1-6])\b", re.IGNORECASE)
_CELL_TAG = re.compile(r"<\s*t[dh]\b", re.IGNORECASE)
# Attribute values and CSS url(...) that make Qt load something.
_URL_ATTR = re.compile(
    r"""(?P<name>\b(?:src|background)\s*=\s*)(?P<value>"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE
)
_IMG_TAG = re.compile(r"<\s*img\b[^>]*>", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(?P<value>"[^"]*"|'[^']*'|[^)]*?)\s*\)""", re.IGNORECASE)


class HtmlTooComplex(ValueError):
    """The HTML asks more of the layout engine than a letter may; the message says what."""


class _Depth(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.deepest = 0
        self.elements = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise HtmlTooComplex(f"has more than {MAX_ELEMENTS:,} HTML elements")
        if tag in _VOID:
            return
        if tag in _SELF_CLOSING_SIBLINGS and self.stack and self.stack[-1] == tag:
            self.stack.pop()
        self.stack.append(tag)
        if len(self.stack) > self.deepest:
            self.deepest = len(self.stack)
            if self.deepest > MAX_DEPTH:
                raise HtmlTooComplex(f"nests HTML elements more than {MAX_DEPTH} deep")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def check_html(html: str) -> None:
    """Raise HtmlTooComplex unless Qt can lay this out quickly and safely."""
    if len(html) > MAX_HTML_CHARS:
        raise HtmlTooComplex(
            f"makes {len(html):,} characters of HTML (a letter may have {MAX_HTML_CHARS:,})"
        )
    # Counted on the raw text, so no trick of the parser can hide a table from the count.
    depth = deepest = 0
    for match in _TABLE_TAG.finditer(html):
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest > MAX_TABLE_DEPTH:
        raise HtmlTooComplex(f"puts tables inside tables more than {MAX_TABLE_DEPTH} deep")
    if len(_CELL_TAG.findall(html)) > MAX_CELLS:
        raise HtmlTooComplex(f"has more than {MAX_CELLS:,} table cells")
    lines = len(_LINE_TAG.findall(html)) + html.count("\n")
    if lines > MAX_LINES:
        raise HtmlTooComplex(f"has more than {MAX_LINES:,} lines")
    parser = _Depth()
    parser.feed(html)
    parser.close()


def restrict_images(html: str, allowed: Callable[[str], str | None]) -> str:
    """Every image URL in `html` as `allowed` maps it; a URL it refuses becomes empty.

    `allowed` gets the URL as Qt would read it (entities decoded) and returns the URL to use,
    or None. Anything Qt could fetch goes through here: src= and background= attributes and
    CSS url(...), in style attributes and style sheets alike.
    """

    def attr(match: re.Match[str]) -> str:
        use = _mapped(match.group("value"))
        # A refused URL leaves an attribute Qt ignores (an empty src= makes it try to open "").
        return f'{match.group("name")}"{use}"' if use else 'data-refused=""'

    def css(match: re.Match[str]) -> str:
        use = _mapped(match.group("value"))
        return f'url("{use}")' if use else "none"

    def _mapped(raw: str) -> str:
        value = raw.strip()
        if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        url = html_lib.unescape(value).strip()
        if not url:
            return ""
        use = allowed(url)
        return html_lib.escape(use, quote=True) if use else ""

    def img(match: re.Match[str]) -> str:
        tag = _URL_ATTR.sub(attr, match.group(0))
        # An image whose source was refused goes altogether: Qt would try to open "" instead.
        return tag if re.search(r"\bsrc\s*=", tag, re.IGNORECASE) else ""

    return _CSS_URL.sub(css, _URL_ATTR.sub(attr, _IMG_TAG.sub(img, html)))


def image_resolver(folders: list[Path], files: list[Path]) -> Callable[[str], str | None]:
    """Images from `folders` (relative names or file: URLs inside them) and exactly `files`
    (the letterhead logo): regular files, image suffixes, at most MAX_IMAGE_BYTES. Nothing
    from the network, no data: URLs, no devices, nothing outside those places."""
    roots = [_resolved(f) for f in folders]
    exact = {p for p in (_resolved(f) for f in files) if p is not None}

    def resolve(url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost"):
                return None
            candidates = [Path(unquote(parts.path))]
        elif parts.scheme or url.startswith(("/", "\\")) or parts.netloc:
            return None  # http:, data:, qrc:, //host/...: never
        else:
            candidates = [root / unquote(parts.path) for root in roots if root is not None]
        for candidate in candidates:
            path = _resolved(candidate)
            if path is None or not _acceptable(path):
                continue
            if path in exact or any(root is not None and path.is_relative_to(root) for root in roots):
                return path.as_uri()
        return None

    return resolve


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):
        return None


def _acceptable(path: Path) -> bool:
    try:
        info = path.stat()
    except OSError:
        return False
    return (
        path.is_file()
        and info.st_size <= MAX_IMAGE_BYTES
        and path.suffix.lower() in IMAGE_SUFFIXES
    )
