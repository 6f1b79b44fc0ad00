"""Templates that took the machine down (issue 14.6), each now a clear TemplateProblem.

3,000 nested tables segfaulted Qt; <img src="file:///dev/zero"> grew to 24 GB; file: URLs read any
local file into a letter; `join` and `replace` escaped the size limits (60 bytes -> 2.96 GB).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csdesk import paths
from csdesk.domain import CustomerDraft
from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.services.letter_html import (
    MAX_TABLE_DEPTH,
    HtmlTooComplex,
    check_html,
    image_resolver,
    restrict_images,
)
from csdesk.services.letters import TemplateProblem


@pytest.fixture
def ada(desk: Desk) -> int:
    return desk.customers.create(CustomerDraft(first_name="Ada", last_name="Byron")).id


@pytest.fixture
def templates() -> Path:
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write(folder: Path, name: str, body: str) -> str:
    (folder / f"{name}.html.j2").write_text(body, encoding="utf-8")
    return name


def nested_tables(n: int) -> str:
    return "<table><tr><td>" * n + "x" + "</td></tr></table>" * n


# -- the HTML Qt is given ------------------------------------------------------------------------
def test_nested_tables_are_refused_before_qt_sees_them() -> None:
    check_html(nested_tables(MAX_TABLE_DEPTH))
    for depth in (MAX_TABLE_DEPTH + 1, 3_000):
        with pytest.raises(HtmlTooComplex, match="tables inside tables"):
            check_html(nested_tables(depth))


def test_other_shapes_that_stall_the_layout_are_refused() -> None:
    with pytest.raises(HtmlTooComplex, match="nests HTML elements"):
        check_html("<div>" * 500 + "x" + "</div>" * 500)
    with pytest.raises(HtmlTooComplex, match="lines"):
        check_html("<pre>" + "\n" * 50_000 + "</pre>")
    with pytest.raises(HtmlTooComplex, match="table cells"):
        check_html("<table><tr>" + "<td>x</td>" * 5_000 + "</tr></table>")
    with pytest.raises(HtmlTooComplex, match="characters of HTML"):
        check_html("x " * 200_000)
    check_html("<p>one<p>two<ul><li>a<li>b</ul>" * 200)  # unclosed <p> and <li> are siblings


def test_every_bundled_letter_is_within_the_limits(desk: Desk, ada: int) -> None:
    issue = {"id": 1, "title": "Zip", "resolved_at": "2026-11-30T10:00:00+00:00"}
    for info in desk.letters.templates():
        check_html(desk.letters.render(info.name, ada, issue=issue).html)


def test_images_only_from_the_templates_folder_and_the_logo(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "sig.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "zero.png").symlink_to("/dev/zero")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    resolve = image_resolver([folder], [logo])
    assert resolve("sig.png") == (folder / "sig.png").as_uri()
    assert resolve((folder / "sig.png").as_uri()) == (folder / "sig.png").as_uri()
    assert resolve(logo.as_uri()) == logo.as_uri()
    refused = [
        "file:///dev/zero", "zero.png", "../secret.png", secret.as_uri(), "/etc/passwd",
        "file:///etc/passwd", "http://example.com/x.png", "https://x/y.png", "//host/x.png",
        "data:image/png;base64,AAAA", "qrc:/x.png", "file://otherhost/x.png",
    ]
    assert {url: resolve(url) for url in refused} == dict.fromkeys(refused)


def test_every_way_to_name_an_image_goes_through_the_resolver() -> None:
    hostile = (
        '<img src="file:///dev/zero"><img src=file:///dev/zero>'
        "<img SRC='&#102;ile:///dev/zero'><table background=\"file:///etc/passwd\">"
        '<p style="background-image: url(file:///dev/zero)">'
        "<style>body { background-image: url( 'file:///dev/zero' ) }</style>"
    )
    seen: list[str] = []

    def refuse(url: str) -> None:
        seen.append(url)

    out = restrict_images(hostile, refuse)
    assert "dev/zero" not in out and "passwd" not in out and "&#102;" not in out
    assert seen == ["file:///dev/zero"] * 3 + ["file:///etc/passwd"] + ["file:///dev/zero"] * 2
    assert restrict_images('<img src="a.png">', lambda u: "file:///x/a.png") == (
        '<img src="file:///x/a.png">'
    )
    assert restrict_images('<img src="x"><p style="background: url(y)">', refuse) == (
        '<p style="background: none">'
    )


# -- templates, through the letter service ---------------------------------------------------------
def test_a_template_of_nested_tables_is_a_clear_problem(
    desk: Desk, ada: int, templates: Path
) -> None:
    name = write(templates, "tables", "{% for i in range(3000) %}<table><tr><td>{% endfor %}x")
    with pytest.raises(TemplateProblem, match="tables inside tables") as caught:
        desk.letters.prepare(name, ada)
    assert "tables.html.j2" in str(caught.value)
    assert desk.letters.for_customer(ada) == []


def test_local_files_and_devices_never_reach_a_letter(
    desk: Desk, ada: int, templates: Path, tmp_path: Path
) -> None:
    (templates / "sig.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    name = write(
        templates,
        "images",
        '<img src="file:///dev/zero"><img src="file:///etc/passwd"><img src="sig.png">'
        '<img src="http://example.com/track.png"><p>{{ customer.name }}</p>',
    )
    html = desk.letters.render(name, ada).html
    assert "/dev/zero" not in html and "/etc/passwd" not in html and "example.com" not in html
    assert (templates / "sig.png").resolve().as_uri() in html
    assert "Ada" in html


@pytest.mark.parametrize(
    "source",
    [
        # 60 bytes that reached 2.96 GB: replace and join build in one C call, past every check
        '{{ ("x" * 999999) | replace("x", "xxxxxxxxxxxxxxxxxxxxxxxx") }}',
        '{{ (["x" * 999999] * 999) | join }}',
        '{{ (["x" * 999999] * 999) | join("y") }}',
        '{{ "x".join(["y" * 999999] * 999) }}',
        '{{ ("x" * 999999).replace("x", "yyyyyyyyyy") }}',
        '{{ ("\t" * 999999).expandtabs(9999) }}',
        '{{ ("x\n" * 499999) | indent("y" * 9999) }}',
        '{{ ("x " * 499999) | wordwrap(1, wrapstring="y" * 9999) }}',
        '{{ "abc".translate({97: "y" * 999999}) }}',
        '{% set ns = namespace(s="xxxxxxxxxx") %}{% for i in range(60) %}'
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
        '{{ ("x" * 999999) ~ ("x" * 999999) ~ ("x" * 999999) }}',
    ],
)
def test_filters_and_methods_that_grow_text_count_against_the_limit(
    desk: Desk, ada: int, templates: Path, source: str
) -> None:
    name = write(templates, "grow", source)
    with pytest.raises(TemplateProblem, match=r"too large|far more text|not available"):
        desk.letters.render(name, ada)


def test_ordinary_filters_still_work(desk: Desk, ada: int, templates: Path) -> None:
    name = write(
        templates,
        "fine",
        '{{ ["a", "b"] | join(", ") }}|{{ "Dear X" | replace("X", customer.name) }}|'
        '{{ "x" ~ customer.name }}|{{ "one two" | wordwrap(3) }}|{{ "a\nb" | indent(2) }}',
    )
    html = desk.letters.render(name, ada).html
    assert html.startswith("a, b|Dear Ada|xAda|one\ntwo|a\n  b")


def test_the_qt_document_loads_no_device_and_no_network(qapp: object) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextDocument

    from csdesk.render.qt import document

    doc = document("<p>x</p>")
    image = QTextDocument.ResourceType.ImageResource.value
    assert doc.loadResource(image, QUrl("file:///dev/zero")) is None
    assert doc.loadResource(image, QUrl("http://example.com/x.png")) is None
    assert doc.loadResource(QTextDocument.ResourceType.StyleSheetResource.value,
                            QUrl.fromLocalFile(os.devnull)) is None


def test_a_stored_hostile_letter_is_refused_by_the_renderer(tmp_path: Path) -> None:
    from csdesk.render.qt import QtRenderer
    from csdesk.services.letter_output import draw_pdf
    from csdesk.services.rendering import PageSetup

    with pytest.raises(UserError, match="tables inside tables"):
        draw_pdf(QtRenderer(), [nested_tables(3_000)], tmp_path / "x.pdf", PageSetup(), "x")
    assert list(tmp_path.iterdir()) == []
