"""Import messages in csdesk's words, each ending once (explore item 23): "That is too long (at
most 500 characters).." and Python csv's "field larger than field limit (1000000)" reached the
user."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.errors import UserError
from csdesk.services.desk import Desk


def test_a_too_long_value_is_named_and_ends_once(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.commands.cli_runner import run

    src = tmp_path / "long.csv"
    src.write_text(
        "First Name,Last Name,Email\n"
        f"Ana,{'L' * 501},ana@example.com\n"
        "Bo,Ruiz,bo@example\n",
        encoding="utf-8",
    )
    code, out, err = run(db_path, "import", str(src), "--dry-run", capsys=capsys)
    assert code == 0, err
    assert "skipped: The last name is too long (at most 500 characters).\n" in out
    assert "(like name@example.com).\n" in out  # the e-mail's own sentence, one stop
    assert ".." not in out


def test_a_cell_over_the_limit_is_said_in_our_words(desk: Desk, tmp_path: Path) -> None:
    src = tmp_path / "bigfield.csv"
    src.write_text("First Name,Last Name\nAna,Ruiz\nBo," + "L" * 1_000_001 + "\n", encoding="utf-8")
    desk.auth.act_as_cli()
    with pytest.raises(UserError) as got:
        desk.imports.preview(src)
    message = got.value.message
    assert message.startswith("Line 3 of this CSV file cannot be read: it has a cell of more "
                              "than 1,000,000 characters")
    assert "close that quote" in message and "field limit" not in message
