"""A refusal names what was refused: importing and merging have their own permissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.cli import main

DATA = Path(__file__).resolve().parent.parent / "data" / "import"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_front_desk_import_is_refused_for_what_it_is(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--staff "Front desk" import` said "cannot correct entries made by someone else"."""
    db = str(db_path)
    csv = str(DATA / "google_contacts.csv")
    code, _, err = run(capsys, "--db", db, "--staff", "Front desk", "import", csv)
    assert code == 4 and "cannot import customers" in err, err
    assert "correct entries" not in err
    code, _, err = run(capsys, "--db", db, "--staff", "Front desk", "undo-import", "1")
    assert code == 4 and "cannot import customers or undo an import" in err, err
    code, _, err = run(capsys, "--db", db, "--staff", "Front desk", "merge", "1", "2", "--yes")
    assert code == 4 and "cannot merge duplicate customers" in err, err
