"""Search as you type without a fixed delay: the first key searches at once, keys typed while a
search runs become one search, and a list is only ever shown for the text in the field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer
from csdesk.ui.main_window import MainWindow


def test_no_list_is_ever_shown_for_old_text(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer]
) -> None:
    panel = window.search
    shown: list[tuple[str, str]] = []  # (query shown, text in the field at that moment)
    panel.results_shown.connect(lambda q: shown.append((q, panel.field.text())))
    sent: list[str] = []
    original = panel.worker.search

    def counting(query: str, limit: int = 50) -> int:
        sent.append(query)
        return original(query, limit)

    panel.worker.search = counting  # type: ignore[method-assign]
    for ch in "garcia marq":  # typed faster than any search answers
        QTest.keyClick(panel.field, ch)
    qtbot.waitUntil(lambda: panel.shown_query == "garcia marq", timeout=5000)
    assert all(query == text for query, text in shown), shown
    assert sent[-1] == "garcia marq"
    assert len(sent) < len("garcia marq")  # coalesced: not one search per key
    assert panel.model.hit(0) is not None and panel.model.hit(0).customer_id == known["jose"].id


def test_the_first_key_searches_at_once(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.search
    before = panel.worker.latest
    with qtbot.waitSignal(panel.results_shown, timeout=2000) as blocker:
        QTest.keyClick(panel.field, "z")
        # sent while the key is handled, before the event loop runs again: no timer in front
        assert panel.worker.latest == before + 1
    assert blocker.args == ["z"]


def test_down_and_enter_typed_before_the_answer_act_on_the_new_list(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer]
) -> None:
    panel = window.search
    opened: list[int] = []
    panel.customer_chosen.connect(opened.append)
    QTest.keyClicks(panel.field, "garcia marq")
    QTest.keyClick(panel.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: opened == [known["jose"].id], timeout=5000)


def test_a_long_search_says_nobody_matches_inside_the_panel(
    qtbot: QtBot, window: MainWindow, known: dict[str, Customer]
) -> None:
    """A long query is one word to QLabel: "Nobody matches “xxxx…" ran past the panel's edge
    and, squeezed, off its top and bottom. The echo is cut to fit, the rest still reads."""
    window.resize(1024, 640)
    typed = "x" * 60
    window.search.field.setText(typed)
    qtbot.waitUntil(lambda: window.search.shown_query == typed, timeout=5000)
    qtbot.wait(20)
    status = window.search.status
    text = status.text()
    assert text.startswith("Nobody matches “x") and text.endswith("Press Ctrl+N to add them.")
    room = status.contentsRect().width()
    metrics = status.fontMetrics()
    for word in text.split():
        assert metrics.horizontalAdvance(word) <= room, word  # every word inside the panel
    assert status.height() >= status.heightForWidth(status.width())  # every line shown
    window.resize(800, 640)  # narrower still: cut shorter, never past the edge
    qtbot.wait(50)
    assert all(metrics.horizontalAdvance(w) <= status.contentsRect().width()
               for w in status.text().split())
