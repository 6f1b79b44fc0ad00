"""Every sub-command, fed hostile arguments: no traceback, a message on stderr, a README exit code.

The commands are enumerated from the click group, so a new command is covered the day it lands.
Each parameter in turn gets each hostile value of its kind while the others keep a plain, valid
value. Runs in-process (it is a few hundred runs) with a real database file; csdesk's own last-resort
message ("something went wrong inside csdesk") counts as a failure too, since it marks a bug the
error boundary caught rather than a message that says what to do.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from csdesk.cli import cli, main
from csdesk.commands.common import DateText
from csdesk.services import demo
from csdesk.services.desk import Desk

ROOT = Path(__file__).resolve().parent.parent.parent


def readme_exit_codes() -> set[int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(p for p in text.split("\n\n") if p.lstrip().startswith("`--json` output is stable"))
    return {int(code) for code in re.findall(r"\*\*(\d+)\*\*", line)}


def leaf_commands() -> Iterator[tuple[list[str], click.Command]]:
    ctx = click.Context(cli)

    def walk(group: click.Group, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            if isinstance(command, click.Group):
                yield from walk(command, [*path, name])
            else:
                yield [*path, name], command

    yield from walk(cli, [])


COMMANDS = dict((" ".join(path), command) for path, command in leaf_commands())

# Plain values for parameters the case does not attack (required ones must be there, or click stops
# at "missing option" before the attacked value is ever read).
BASELINE_OVERRIDES = {
    ("demo", "customers"): "3",
    ("letter", "template"): "thank_you",
    ("letters", "template"): "thank_you",
    ("issue status", "status"): "resolved",
}
# Extra words a command always gets: `staff add` would otherwise ask for a PIN on the terminal.
ALWAYS = {"staff add": ["--pin-stdin"]}


def hostile_values(command: str, param: click.Parameter, tmp: Path) -> list[str]:
    kind = param.type
    if isinstance(kind, DateText):
        return ["9999-12-31", "2026-13-45", "0000-00-00", "soon", ""]
    if isinstance(kind, click.Choice):
        return ["nope", ""]
    if isinstance(kind, (click.types.IntParamType, click.IntRange)):
        return ["-1", "abc", "99999999999999999999999"]
    if isinstance(kind, click.Path) or param.name in ("output", "csv_path", "path", "file"):
        return [str(tmp / "no" / "such" / "dir" / "out.csv"), "", "/proc/nope/out.csv", "x" * 300]
    if command == "call":
        # Digit strings are phone numbers: `call` would start a real window for them.
        return ["", "not-a-number", "tel:", "x" * 5000]
    return ["", "x" * 5000, "9999-12-31", str(tmp / "no" / "such" / "dir" / "a.csv"),
            "'; DROP TABLE customers; --", "\u202e\u0301"]


def baseline(command: str, param: click.Parameter, tmp: Path) -> str:
    if (command, param.name) in BASELINE_OVERRIDES:
        return BASELINE_OVERRIDES[(command, param.name)]
    kind = param.type
    if isinstance(kind, DateText):
        return "2026-11-30"
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, (click.types.IntParamType, click.IntRange)):
        return "1"
    if isinstance(kind, click.Path) or param.name in ("output", "csv_path", "path", "file"):
        return str(tmp / "ok.out")
    return "x"


def argv(command: str, cmd: click.Command, tmp: Path, attacked: str | None, value: str,
         flags: bool = False) -> list[str]:
    words = command.split()
    options: list[str] = []
    arguments: list[str] = []
    for param in cmd.params:
        is_flag = isinstance(param, click.Option) and (param.is_flag or param.count)
        if is_flag:
            if flags and isinstance(param, click.Option) and param.opts[0] != "--help":
                options.append(param.opts[0])
            continue
        if param.name == attacked:
            text = value
        elif param.required or param.name in {n for c, n in BASELINE_OVERRIDES if c == command}:
            text = baseline(command, param, tmp)
        else:
            continue
        if isinstance(param, click.Argument):
            arguments.append(text)
        else:
            options += [param.opts[0], text]
    # "--" keeps a hostile value that starts with "-" an argument, as a script would pass it.
    return [*words, *ALWAYS.get(command, []), *options, "--", *arguments]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "demo.db"
    desk = Desk.open(path)
    demo.generate(desk.context, 30, seed=1)
    desk.close()
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    err = capsys.readouterr().err
    return code, err


def check(args: list[str], code: int, err: str, allowed: set[int]) -> list[str]:
    problems = []
    if "Traceback" in err or "something went wrong inside csdesk" in err:
        problems.append(f"{args}: {err[-400:]}")
    if code not in allowed:
        problems.append(f"{args}: exit {code} not in {sorted(allowed)}: {err[-300:]}")
    if code != 0 and not err.strip():
        problems.append(f"{args}: exit {code} with nothing on stderr")
    return problems


def test_the_readme_lists_the_exit_codes() -> None:
    assert {0, 1, 2, 3, 4} <= readme_exit_codes()


def test_every_command_is_enumerated() -> None:
    assert {"search", "visit", "export daily", "issue new", "staff add", "audit", "init"} <= set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_hostile_arguments(command: str, demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # commands that write a default file name write it here
    cmd = COMMANDS[command]
    allowed = readme_exit_codes()
    cases = [argv(command, cmd, tmp_path, None, ""), argv(command, cmd, tmp_path, None, "", flags=True)]
    for param in cmd.params:
        if isinstance(param, click.Option) and (param.is_flag or param.count):
            continue
        for value in hostile_values(command, param, tmp_path):
            cases.append(argv(command, cmd, tmp_path, param.name, value))
    problems: list[str] = []
    for words in cases:
        args = ["--db", str(demo_db), *words]
        code, err = run(args, capsys, monkeypatch)
        problems += check(args, code, err, allowed)
    assert problems == []


@pytest.mark.parametrize(
    "prefix",
    [
        ["--db", ""],
        ["--db", "/no/such/dir/x.db"],
        ["--db", "/proc/nope/x.db"],
        ["--db", "/dev/null"],
        ["--db", "/etc/passwd"],
        ["--staff", "Nobody Such"],
        ["--staff", ""],
    ],
)
def test_hostile_global_options(prefix: list[str], demo_db: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    if prefix[0] == "--staff":
        prefix = ["--db", str(demo_db), *prefix]
    for words in (["search", "x"], ["visit", "--customer", "1"], ["check"], ["backup"]):
        code, err = run([*prefix, *words], capsys, monkeypatch)
        assert check([*prefix, *words], code, err, readme_exit_codes()) == []
    assert not Path("/no/such").exists()


def test_a_data_folder_that_cannot_exist(capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSDESK_DATA_DIR", "/proc/nope")
    code, err = run(["search", "x"], capsys, monkeypatch)
    assert code == 1 and "Cannot make the folder /proc/nope" in err
