"""The one in-process `csdesk` runner the command tests share: exit code, stdout, stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.cli import main


def run(target: Path | str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`csdesk --db TARGET ARGS...` in this process; a file path or a server URL."""
    try:
        main(["--db", str(target), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
