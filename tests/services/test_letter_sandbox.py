"""Hostile templates fail fast, naming template and line, and never leave half a letter."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from csdesk import paths
from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.services.letters import TemplateProblem

HOSTILE = [
    # (name, template source, expected words in the message, expected line or None)
    ("syntax", "line one\n{% if %}\n", "mistake", 2),
    ("unclosed", "a\nb\n{% for x in y %}\n", "mistake", None),
    ("unknown_field", "Dear\n{{ customer.nickname }}\n", "does not exist", 2),
    ("unknown_top", "{{ nobody.name }}", "does not exist", 1),
    ("dunder", "{{ customer.__class__.__mro__ }}", "may not do", 1),
    ("globals", "x\n{{ cycler.__init__.__globals__ }}", "may not do", 2),
    ("mutate", "{% set l = [1] %}\n{{ l.append(2) }}", "may not do", 2),
    ("big_multiply", "{{ 'x' * 1000000000 }}", "may not do", 1),
    ("big_power", "{{ 7 ** 99999 }}", "may not do", 1),
    ("big_center", "{{ 'x' | center(1000000000) }}", "may not do", 1),
    ("big_percent", "{{ '%0999999999d' % 1 }}", "may not do", 1),
    ("big_format", "{{ '{:>999999999}'.format(1) }}", "may not do", 1),
    ("big_format_filter", "{{ '%0999999999d' | format(1) }}", "may not do", 1),
    ("big_range", "{{ range(10000000) | list | length }}", "may not do", 1),
    (
        "flood",
        "{% for i in range(9999) %}{% for j in range(9999) %}xxxxxxxxxxxxxxxx{% endfor %}"
        "{% endfor %}",
        "far more text",
        1,
    ),
    (
        "busy_loop_calls",
        "{% for i in range(9999) %}{% for j in range(9999) %}{% for k in range(9999) %}"
        "{{ '' }}{% endfor %}{% endfor %}{% endfor %}",
        "longer than",
        1,
    ),
    (
        "silent_loop",
        "{% set s = 'x' * 9999 %}\n{% for a in s %}{% for b in s %}{% for c in s %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "longer than",
        2,
    ),
    ("recursion", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "", None),
    ("self_include", "{% include 'hostile.html.j2' %}", "", None),
    ("missing_parent", "{% extends 'nowhere.html.j2' %}", "does not exist", None),
    ("none_attr", "{{ issue.title }}", "does not exist", 1),
    ("divide", "\n\n{{ 1 // 0 }}", "failed", 3),
]


@pytest.fixture
def customer_id(desk: Desk) -> int:
    return desk.customers.create(CustomerDraft(first_name="Ada", last_name="Byron")).id


def write_user_template(name: str, source: str) -> Path:
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(source, encoding="utf-8")
    return path


@pytest.mark.parametrize(("case", "source", "words", "line"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_template_fails_safely_and_fast(
    desk: Desk, customer_id: int, case: str, source: str, words: str, line: int | None
) -> None:
    write_user_template("hostile.html.j2", source)
    desk.letters.reload()
    started = time.monotonic()
    with pytest.raises(TemplateProblem) as caught:
        desk.letters.produce("hostile", customer_id)
    elapsed = time.monotonic() - started
    assert elapsed < 5.0, f"{case} took {elapsed:.1f}s"
    problem = caught.value
    assert "hostile.html.j2" in str(problem)
    assert words in problem.reason
    if line is not None:
        assert problem.line == line, str(problem)
    # Never half a letter: nothing recorded.
    assert desk.letters.for_customer(customer_id) == []
    # The service still works afterwards.
    assert "Ada" in desk.letters.render("thank_you", customer_id).html


def test_timeouts_stop_within_a_few_seconds(desk: Desk, customer_id: int) -> None:
    write_user_template(
        "slow.html.j2",
        # 10^12 silent iterations: far past the limit on any machine, printing nothing.
        "{% set s = 'x' * 9999 %}{% for a in s %}{% for b in s %}{% for c in s %}"
        "{% endfor %}{% endfor %}{% endfor %}",
    )
    started = time.monotonic()
    with pytest.raises(TemplateProblem):
        desk.letters.render("slow", customer_id)
    assert time.monotonic() - started < 4.5
    # No stray timeout lands later in this thread.
    time.sleep(0.8)
    assert desk.customers.get(customer_id).first_name == "Ada"


def test_autoescape_prints_names_exactly(desk: Desk) -> None:
    cid = desk.customers.create(CustomerDraft(first_name="<b>Bob</b> & Co")).id
    html = desk.letters.render("thank_you", cid).html
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; Co" in html
    assert "<b>Bob</b>" not in html


def test_user_template_overrides_bundled(desk: Desk, customer_id: int) -> None:
    bundled = desk.letters.render("thank_you", customer_id).html
    assert "Thank you for coming in" in bundled
    write_user_template(
        "thank_you.html.j2", "{# title: Our thanks #}\nThanks, {{ customer.name }}!"
    )
    desk.letters.reload()
    info = desk.letters.template("thank_you")
    assert info.user and info.title == "Our thanks"
    assert desk.letters.render("thank_you", customer_id).html.strip() == "Thanks, Ada!"
    # Templates starting with _ are parts, never offered.
    assert all(not t.name.startswith("_") for t in desk.letters.templates())


def test_unknown_template_is_a_clear_error(desk: Desk, customer_id: int) -> None:
    from csdesk.errors import UserError

    with pytest.raises(UserError, match="no letter template “nope”"):
        desk.letters.render("nope", customer_id)
    with pytest.raises(UserError):
        desk.letters.render("../../etc/passwd", customer_id)


def test_a_render_asked_to_stop_stops_and_the_next_one_renders(desk: Desk, customer_id: int) -> None:
    # The window's preview stops a render nobody waits for any more (another template chosen).
    from csdesk.services.letter_sandbox import RenderStopped

    write_user_template(
        "long.html.j2", "{% for a in range(10000) %}{% for b in range(10000) %}{% set x = b|abs %}"
        "{% endfor %}{% endfor %}",
    )  # fmt: skip
    asked = [0]

    def stop() -> bool:
        asked[0] += 1
        return asked[0] > 1000  # after a thousand checks: well inside the loop

    with pytest.raises(RenderStopped):
        desk.letters.render("long", customer_id, stop=stop)
    assert asked[0] == 1001
    # Nothing of the stop stays behind on this thread: the next letter renders whole.
    assert "Ada" in desk.letters.render("thank_you", customer_id).html
