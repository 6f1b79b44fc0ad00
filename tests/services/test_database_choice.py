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


def test_a_chosen_server_is_kept_private_and_forgotten_on_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://anna:s3cret@till:5432/csdesk"
    old = choice.path()
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text("{}", encoding="utf-8")
    old.chmod(0o644)  # a file someone made readable is made private again
    kept = choice.choose(url)
    assert _mode(choice.path()) == 0o600
    assert kept.where == "postgresql://anna:********@till:5432/csdesk"
    assert choice.startup_target() == url
    monkeypatch.setattr(choice, "SERVER_WINDOW_READY", False)  # as an older csdesk reads it
    assert choice.startup_target() is None  # it opens its file, never fails
    with pytest.raises(UserError, match="window on a database file only"):
        choice.choose(url)
    assert choice.forget() is True
    assert choice.chosen() is None and not choice.path().exists()
    assert choice.forget() is False  # nothing left to forget: no error


def test_a_damaged_choice_reads_as_none(tmp_path: Path) -> None:
    choice.path().parent.mkdir(parents=True, exist_ok=True)
    choice.path().write_text("{not json", encoding="utf-8")
    assert choice.chosen() is None


def test_a_chosen_server_goes_through_the_same_gate_as_db_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    choice.choose("postgresql://anna:s3cret@127.0.0.1:1/csdesk")
    with pytest.raises(SystemExit) as done:
        main(["init"])  # with no TARGET: the chosen server's, as with --db URL (it is down)
    said = capsys.readouterr().err
    assert done.value.code == 1 and said.count("\n") == 1
    assert "Cannot reach the PostgreSQL server (127.0.0.1:1, database csdesk)" in said
    assert "s3cret" not in said
    _run(["paths", "--json"])  # read from the choice, shown without its password
    shown = json.loads(capsys.readouterr().out)
    assert shown["server"]["port"] == "1" and "s3cret" not in json.dumps(shown)
    with pytest.raises(SystemExit) as done:
        main(["search", "maria"])  # the server is down: one line, exit 1, no traceback
    said = capsys.readouterr().err
    assert done.value.code == 1 and said.startswith("csdesk: Cannot reach the PostgreSQL server")
    assert "s3cret" not in said and said.count("\n") == 1
