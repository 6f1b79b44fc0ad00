"""The README's examples work as written: every `csdesk ...` line in its shell code blocks runs,
in order, against a demo database in a fresh data folder, and exits 0.

Commands that need something a plain subprocess lacks are marked below with what they need, and
the test gives it to them: a terminal (a pseudo-terminal that types the PIN), the window
(offscreen, closing itself once the search field is ready), or an earlier state (an import left
interrupted). PENDING lists examples known to fail, with who is fixing them; each must still be
in the README, and still fail, or it has to leave the list.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# Needs a terminal: it asks for a PIN with hidden input (a new PIN twice).
TERMINAL = {
    "csdesk staff add Anna --role lead",
    "csdesk --staff Anna handover 'Till 2 sticks' --shift 'late shift'",
}
# Opens the window: run offscreen with the start-up probe, which closes it when it is usable.
WINDOW = {"csdesk"}
# Needs a running window to hand the caller to (the call tests in tests/ui cover it).
NEEDS_RUNNING_WINDOW = {"csdesk call +15550104477", "csdesk call '+1 555 010 4477'"}
# Before these run, the state they describe is made: an import left interrupted by a kill.
INTERRUPTED_FIRST = {"csdesk resume-import 3": 3}
# Known failures, each with its owner; remove a line when the fix lands.
PENDING: dict[str, str] = {}  # the settings registry landed: letter_page_size is a setting

VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vera Card\r\nN:Card;Vera;;;\r\nTEL;TYPE=CELL:+1 503 555 0142\r\n"
    "EMAIL:vera@example.com\r\nEND:VCARD\r\n"
)
OTHER_CSV = "Client,Tel,Mobile,Mail\nOtto Other,+1 503 555 0177,,otto@example.com\n"


def examples() -> Iterator[str]:
    """`csdesk ...` commands of the README's sh code blocks, in order (`a ; b` gives two; of
    `a | b` only a), each as shlex.join writes it."""
    text = README.read_text(encoding="utf-8")
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            command: list[str] = []
            for word in [*words, ";"]:
                if word in (";", "|"):
                    if command[:1] == ["csdesk"]:
                        yield shlex.join(command)
                    command = [] if word == ";" else ["|"]
                else:
                    command.append(word)


def test_the_marks_are_honest() -> None:
    found = set(examples())
    for marked in (TERMINAL, WINDOW, NEEDS_RUNNING_WINDOW, set(INTERRUPTED_FIRST), set(PENDING)):
        assert marked <= found, marked - found


def run_in_terminal(args: list[str], env: dict[str, str], cwd: Path, typed: str) -> tuple[int, str]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal on stdin/stdout/stderr
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "csdesk", *args], env)
    output = b""
    answered = 0
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        asked = output.count(b"PIN") + output.count(b"Repeat")  # a new PIN is asked twice
        while answered < asked:
            os.write(fd, typed.encode())
            answered += 1
    _, status = os.waitpid(pid, 0)
    assert b"Traceback" not in output, output
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace").strip()[-300:]


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = {**os.environ, "CSDESK_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("CSDESK_DB", None)
    (tmp_path / "contacts.vcf").write_text(VCARD, encoding="utf-8")
    (tmp_path / "other.csv").write_text(OTHER_CSV, encoding="utf-8")
    (tmp_path / "letters").mkdir()
    return tmp_path, env


def test_every_readme_example_runs(shop: tuple[Path, dict[str, str]]) -> None:
    cwd, env = shop
    failures: list[str] = []
    still_pending: set[str] = set()
    for command in examples():
        if command in NEEDS_RUNNING_WINDOW:
            continue
        args = shlex.split(command)[1:]
        if args[-1:] == ["FILE"]:  # `restore FILE`: the newest backup made just before
            # one folder per database (named by its identity): the newest backup in any
            backups = sorted(
                (cwd / "data" / "backups").rglob("*.db"), key=lambda p: p.stat().st_mtime
            )
            args[-1] = str(backups[-1])
        if command in INTERRUPTED_FIRST:
            with sqlite3.connect(cwd / "data" / "csdesk.db") as conn:
                conn.execute("UPDATE import_batches SET status = 'interrupted' WHERE id = ?",
                             [INTERRUPTED_FIRST[command]])
            conn.close()
        if command in TERMINAL:
            code, said = run_in_terminal(args, env, cwd, "2468\n")
        else:
            run_env = {**env, "CSDESK_STARTUP_PROBE": "1"} if command in WINDOW else env
            done = subprocess.run([sys.executable, "-m", "csdesk", *args], cwd=cwd, env=run_env,
                                  capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
            assert "Traceback" not in done.stderr, (command, done.stderr)
            code, said = done.returncode, done.stderr.strip()[-300:]
        if code != 0 and command not in PENDING:
            failures.append(f"{command}: exit {code}: {said}")
        if command in PENDING and code != 0:
            still_pending.add(command)
    assert failures == [], "\n".join(failures)
    assert still_pending == set(PENDING), "a PENDING example works now: take it off the list"


# README claims checked beyond exit codes; pending ones with their owner, as PENDING above.
PENDING_CLAIMS: dict[str, str] = {}  # date_style follows phone_region (settings registry)


def test_the_date_style_the_readme_promises(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    assert "`date_style`\nis `mdy`, the default for the US and Canada" in text or re.search(
        r"`date_style`\s+is `mdy`, the default for the US and Canada", text
    )
    assert subprocess.run([sys.executable, "-m", "csdesk", "init", str(tmp_path / "us.db")],
                          capture_output=True, timeout=120).returncode == 0
    done = subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(tmp_path / "us.db"), "settings", "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    style = json.loads(done.stdout)["date_style"]
    if "date_style mdy for the US" in PENDING_CLAIMS:
        assert style != "mdy", "the README's date_style claim holds now: take it off PENDING_CLAIMS"
    else:
        assert style == "mdy"


def test_the_daily_csv_columns_and_kinds_are_the_ones_written() -> None:
    """The README calls the daily log's CSV columns stable: it must name every one, in order, and
    every kind a row can have (a script author reads that sentence, not the code)."""
    from csdesk.services.report_export import COLUMNS
    from csdesk.services.reports import KIND_LABELS

    text = " ".join(README.read_text(encoding="utf-8").split())
    start = text.index("CSV columns, stable:")
    sentence = text[start:text.index("Files are UTF-8", start)]
    named = re.findall(r"`([a-z_]+)`", sentence)
    assert tuple(named) == COLUMNS
    kinds = re.search(r"`kind` \(([^)]*)\)", sentence)
    assert kinds is not None
    assert [k.strip() for k in kinds.group(1).split(",")] == list(KIND_LABELS)
