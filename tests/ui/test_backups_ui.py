"""The window on damage: the check offers Repair when only indexes are hurt, a damaged backup
says what to do, and restoring another database's backup asks first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.store.integrity import CheckReport
from csdesk.ui.dialogs.notice import Confirm
from csdesk.ui.features.backups import backups
from csdesk.ui.main_window import MainWindow
from tests.services.helpers_security import fast_scrypt, make_admin
from tests.ui.test_data_ui import Shown, shown, window

__all__ = ["fast_scrypt", "shown", "window"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")


def asked(monkeypatch: pytest.MonkeyPatch, answer: bool) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    def ask(cls: object, parent: object, title: str, text: str, **k: object) -> bool:
        seen.append((title, text))
        return answer

    monkeypatch.setattr(Confirm, "ask", classmethod(ask))
    return seen


def test_the_check_offers_repair_for_a_dropped_search_index_and_repairs_it(
    qtbot: QtBot, desk: Desk, db_path: Path, window: MainWindow, shown: Shown,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_admin(desk)
    desk.customers.create(CustomerDraft(first_name="Maria", last_name="Garcia"))
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    conn.execute("DROP TABLE customers_fts")
    conn.close()
    questions = asked(monkeypatch, True)
    jobs = backups(window)
    jobs.check()
    qtbot.waitUntil(lambda: bool(shown), timeout=15_000)
    assert "missing" in questions[0][1] and "Rebuild them now" in questions[0][1]
    assert shown[-1][0] == "Database repaired" and "healthy again" in shown[-1][1]
    assert isinstance(jobs.last_result, CheckReport) and jobs.last_result.ok
    assert [h.display_name for h in desk.search.search("garc")] == ["Maria Garcia"]


def test_restoring_another_databases_backup_asks_first(
    qtbot: QtBot, desk: Desk, tmp_path: Path, window: MainWindow, shown: Shown,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_admin(desk)
    desk.customers.create(CustomerDraft(first_name="Ours"))
    other = Desk.open(tmp_path / "other.db")
    other.customers.create(CustomerDraft(first_name="Theirs"))
    other.auth.act_as_cli()
    theirs = other.backups.backup().path
    other.close()
    questions = asked(monkeypatch, False)
    assert backups(window).restore_from(theirs) is None
    assert questions[0][0] == "A backup of another database" and "1 customers" in questions[0][1]
    assert desk.customers.count() == 1 and desk.customers.get(1).first_name == "Ours"
