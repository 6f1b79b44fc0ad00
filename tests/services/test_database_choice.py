"""This computer's database choice: kept in the user's config folder, mode 0600 (a server URL
may carry a password), shown without the password, used at the next start."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.errors import UserError
from csdesk.services import database_choice as choice


def _run(args: list[str]) -> None:
    try:
        main(args)
    except SystemExit as exc:
        assert not exc.code


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_chosen_file_is_kept_private_and_opened_at_the_next_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSDESK_DB", raising=False)
    assert choice.chosen() is None and choice.startup_target() is None
    shared = tmp_path / "shared" / "shop.db"
    kept = choice.choose(shared)
    assert kept.engine == "sqlite" and kept.where == str(shared)
    assert _mode(choice.path()) == 0o600
    assert choice.path().parent == Path(choice.config_dir())
    assert choice.startup_target() == shared
    _run(["paths", "--json"])
    assert json.loads(capsys.readouterr().out)["database"] == str(shared)
    # --db still wins over the choice
    _run(["--db", str(tmp_path / "other.db"), "paths", "--json"])
    assert json.loads(capsys.readouterr().out)["database"] == str(tmp_path / "other.db")


def test_a_server_is_chosen_only_when_this_csdesk_works_on_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://anna:s3cret@till:5432/csdesk"
    with pytest.raises(UserError, match="window on a database file only"):
        choice.choose(url)
    assert not choice.path().exists()  # refused: nothing written
    monkeypatch.setattr(choice, "SERVER_WINDOW_READY", True)  # as once issue 15 has landed
    old = choice.path()
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text("{}", encoding="utf-8")
    old.chmod(0o644)  # a file someone made readable is made private again
    kept = choice.choose(url)
    assert _mode(choice.path()) == 0o600
    assert kept.where == "postgresql://anna:********@till:5432/csdesk"
    assert choice.startup_target() == url
    monkeypatch.setattr(choice, "SERVER_WINDOW_READY", False)
    assert choice.startup_target() is None  # an older csdesk opens its file, never fails


def test_a_damaged_choice_reads_as_none(tmp_path: Path) -> None:
    choice.path().parent.mkdir(parents=True, exist_ok=True)
    choice.path().write_text("{not json", encoding="utf-8")
    assert choice.chosen() is None
