"""The letter preview renders off the UI thread: a user's template that loops for the sandbox's
whole time limit (3 s) froze the dialog. pytest-qt drives it with real keys on a real database;
the checks are what is on screen and which render answered, never how long anything took."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from csdesk import paths
from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.letter_dialog import LetterDialog
from tests.ui.letter_preview import wait_preview

# Calls a filter 10^8 times: each call checks the deadline (and a stop), so it runs until the
# sandbox's time limit ends it with "took too long", unless it is stopped first.
SLOW = ("{# title: A slow one #}\nVersion one\n{% for a in range(10000) %}{% for b in range(10000) %}"
        "{% set x = b|abs %}{% endfor %}{% endfor %}")  # fmt: skip


@pytest.fixture
def customer_id(desk: Desk) -> int:
    return desk.customers.create(CustomerDraft(first_name="Zoë", last_name="Okafor")).id


def user_template(name: str, text: str) -> Path:
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def open_dialog(qtbot: QtBot, desk: Desk, customer_id: int) -> LetterDialog:
    dialog = LetterDialog(None, desk, customer_id, template="thank_you")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    wait_preview(qtbot, dialog)
    assert "Dear Zoë" in dialog.preview.toPlainText()
    dialog.templates.setFocus()
    return dialog


def row_of(dialog: LetterDialog, name: str) -> int:
    names = [dialog.templates.item(r).data(Qt.ItemDataRole.UserRole) for r in range(dialog.templates.count())]
    return names.index(name)


def key_to(qtbot: QtBot, dialog: LetterDialog, row: int) -> None:
    """Walk the template list with the arrow keys, as a person would (each step renders)."""
    while dialog.templates.currentRow() != row:
        key = Qt.Key.Key_Down if dialog.templates.currentRow() < row else Qt.Key.Key_Up
        qtbot.keyClick(dialog.templates, key)


def test_a_slow_template_renders_while_the_dialog_answers_and_typing_on_drops_it(
    qtbot: QtBot, desk: Desk, customer_id: int
) -> None:
    user_template("slow.html.j2", SLOW)
    dialog = open_dialog(qtbot, desk, customer_id)
    slow = row_of(dialog, "slow.html.j2")
    key_to(qtbot, dialog, slow)
    # The key returned with the letter still rendering: said so, nothing stale on screen.
    assert dialog.preview_pending
    assert dialog.rendering_box.isVisible() and "Rendering" in dialog.rendering.text()
    assert dialog.preview.toPlainText().strip() == ""  # thank_you's letter is gone at once
    assert not dialog.save_button.isEnabled() and not dialog.print_button.isEnabled()
    dialog.grab().save("/tmp/uithread_letter_rendering.png")
    # The event loop runs meanwhile: a queued event is handled while the render goes on.
    handled: list[bool] = []
    QTimer.singleShot(0, lambda: handled.append(dialog.preview_pending))
    qtbot.waitUntil(lambda: bool(handled))
    assert handled == [True]

    slow_render = dialog.preview_op
    assert slow_render is not None
    other = slow + 1 if slow + 1 < dialog.templates.count() else slow - 1
    with qtbot.waitSignal(slow_render.cancelled, timeout=10_000):  # stopped, not timed out
        key_to(qtbot, dialog, other)  # typing on: the slow letter is asked to stop
    wait_preview(qtbot, dialog)
    assert dialog.current_template() != "slow.html.j2"
    assert "Dear Zoë" in dialog.preview.toPlainText() or dialog.preview.toPlainText().strip()
    assert "Version one" not in dialog.preview.toPlainText()
    assert not dialog.error.isVisible() and not dialog.rendering_box.isVisible()
    assert dialog.save_button.isEnabled()


def test_stop_leaves_no_preview_and_no_timeout_problem(
    qtbot: QtBot, desk: Desk, customer_id: int
) -> None:
    user_template("slow.html.j2", SLOW)
    dialog = open_dialog(qtbot, desk, customer_id)
    key_to(qtbot, dialog, row_of(dialog, "slow.html.j2"))
    slow_render = dialog.preview_op
    assert slow_render is not None and dialog.stop_button.isVisible()
    with qtbot.waitSignal(slow_render.cancelled, timeout=10_000):
        qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    assert "Preview stopped" in dialog.rendering.text() and dialog.rendering_box.isVisible()
    assert not dialog.stop_button.isVisible() and not dialog.preview_pending
    assert dialog.preview.toPlainText().strip() == "" and not dialog.error.isVisible()
    assert not dialog.save_button.isEnabled() and not dialog.email_button.isEnabled()
    dialog.grab().save("/tmp/uithread_letter_stopped.png")


def test_reload_after_an_edit_never_shows_the_older_text(
    qtbot: QtBot, desk: Desk, customer_id: int
) -> None:
    path = user_template("slow.html.j2", SLOW)
    dialog = open_dialog(qtbot, desk, customer_id)
    key_to(qtbot, dialog, row_of(dialog, "slow.html.j2"))
    older = dialog.preview_op
    assert older is not None
    path.write_text("{# title: A slow one #}\nVersion two for {{ customer.first_name }}\n")
    with qtbot.waitSignal(older.cancelled, timeout=10_000):
        qtbot.mouseClick(dialog.reload_button, Qt.MouseButton.LeftButton)
    wait_preview(qtbot, dialog)
    assert "Version two for Zoë" in dialog.preview.toPlainText()
    assert "Version one" not in dialog.preview.toPlainText() and not dialog.error.isVisible()


def test_closing_the_dialog_stops_its_render(qtbot: QtBot, desk: Desk, customer_id: int) -> None:
    user_template("slow.html.j2", SLOW)
    dialog = open_dialog(qtbot, desk, customer_id)
    key_to(qtbot, dialog, row_of(dialog, "slow.html.j2"))
    render = dialog.preview_op
    assert render is not None
    with qtbot.waitSignal(render.cancelled, timeout=10_000):  # not left to run to its limit
        qtbot.keyClick(dialog.templates, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_template_that_runs_past_the_limit_still_says_so(
    qtbot: QtBot, desk: Desk, customer_id: int
) -> None:
    user_template("slow.html.j2", SLOW)
    dialog = open_dialog(qtbot, desk, customer_id)
    key_to(qtbot, dialog, row_of(dialog, "slow.html.j2"))
    wait_preview(qtbot, dialog)  # nobody stops it: the sandbox's time limit does
    assert dialog.error.isVisible() and "slow.html.j2" in dialog.error.text()
    assert not dialog.rendering_box.isVisible() and not dialog.save_button.isEnabled()
