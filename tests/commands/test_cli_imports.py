"""The command line imports only what a command uses (issue 17): a softphone runs `csdesk call`
as the phone rings, and `--version` or a search should not pay for Qt or the whole house.

Each case runs the real CLI in a fresh interpreter and reads back which modules it loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csdesk.cli import LAZY_COMMANDS
from csdesk.commands.registry import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("PySide6", "shiboken6", "sqlite_utils", "sqlite3", "phonenumbers", "jinja2")

# Runs the CLI, then (at exit, whatever the exit code) prints the top-level packages it loaded.
PROBE = """
import atexit, json, sys
atexit.register(lambda: print("modules=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules}
    | {m for m in sys.modules if m.startswith("csdesk.")})), file=sys.stderr))
from csdesk.cli import main
main(sys.argv[1:])
"""


def loaded(args: list[str], env_extra: dict[str, str] | None = None) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", **(env_extra or {})}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120
    )
    lines = [x for x in result.stderr.splitlines() if x.startswith("modules=")]
    assert lines, result.stderr
    line = lines[0]
    return set(json.loads(line.removeprefix("modules=")))


def test_version_imports_no_qt_and_no_database(tmp_path: Path) -> None:
    modules = loaded(["--db", str(tmp_path / "x.db"), "--version"])
    assert "click" in modules  # the probe really saw the CLI's imports
    assert not modules & set(HEAVY), modules & set(HEAVY)
    assert "csdesk.services.desk" not in modules


def test_help_lists_every_command_and_imports_none_of_them(tmp_path: Path) -> None:
    # The listing is read from the registry (csdesk.commands.registry.COMMANDS); importing every
    # command module to ask for its help cost ~0.25 s CPU of each `csdesk --help`.
    modules = loaded(["--db", str(tmp_path / "x.db"), "--help"])
    assert "click" in modules  # the probe really saw click print the help
    assert {m for m in modules if m.startswith("csdesk.commands")} <= SHARED, modules
    assert not modules & set(HEAVY), modules & set(HEAVY)
    assert "csdesk.services.desk" not in modules and "csdesk.domain" not in modules
    assert not (tmp_path / "x.db").exists()


def test_help_lists_every_command_with_its_summary() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "csdesk", "--help"], capture_output=True, text=True,
                         env=env, timeout=120, check=True).stdout  # fmt: skip
    listing = out.split("Commands:\n", 1)[1]
    names = [line.split()[0] for line in listing.splitlines() if line.strip()]
    assert names == sorted(COMMANDS)
    assert "  export         Write data out to files.\n" in listing
    assert "  search         Find customers by name, phone or e-mail, exactly as the...\n" in listing


# What a sub-command's module may load of the other command modules: the shared pieces, and the
# few a module is built from (`export` is defined beside the imports, the admin commands use the
# server's backup/check commands, `call` is commands.calling behind a click face).
SHARED = {"csdesk.commands", "csdesk.commands.columns", "csdesk.commands.common",
          "csdesk.commands.hints", "csdesk.commands.registry", "csdesk.commands.root"}
BUILT_FROM = {
    "csdesk.commands.reports": {"csdesk.commands.transfer"},
    "csdesk.commands.admin": {"csdesk.commands.server_data"},
    "csdesk.commands.call": {"csdesk.commands.calling"},
}


@pytest.mark.parametrize("command", sorted(LAZY_COMMANDS))
def test_a_commands_help_loads_no_qt_and_no_other_command(command: str, tmp_path: Path) -> None:
    modules = loaded(["--db", str(tmp_path / "x.db"), command, "--help"])
    own = LAZY_COMMANDS[command].split(":")[0]
    assert own in modules  # the probe saw the command load
    assert not modules & {"PySide6", "shiboken6"}, command
    others = {m for m in modules if m.startswith("csdesk.commands")} - SHARED - {own}
    assert others <= BUILT_FROM.get(own, set()), others
    assert not (tmp_path / "x.db").exists()  # asking for help opened no database


def test_search_imports_no_qt(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", db, "demo", "--customers", "5"],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    modules = loaded(["--db", db, "search", "a"])
    assert "sqlite_utils" in modules  # it did search the database
    assert "PySide6" not in modules and "shiboken6" not in modules
    # Only the services a search uses are built (the Desk builds each on first use).
    assert "csdesk.services.search" in modules
    unused = {"csdesk.services.importing", "csdesk.services.demo", "csdesk.services.letters",
              "csdesk.services.outbox", "csdesk.services.insights", "jinja2"}  # fmt: skip
    assert not modules & unused, modules & unused


@pytest.mark.parametrize(
    "command", [["timeline", "1"], ["issues"], ["followups"], ["settings"], ["staff", "list"], ["audit"]]
)
def test_commands_that_read_no_phone_number_load_no_phone_metadata(
    command: list[str], tmp_path: Path
) -> None:
    # phonenumbers (~15-25 ms of each start) is for reading or printing a number: a setting's
    # check, a customer's validation and `visit --phone` load it when they run, not before.
    db = str(tmp_path / "x.db")
    subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", db, "demo", "--customers", "5"],
        check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120,
    )  # fmt: skip
    modules = loaded(["--db", db, *command])
    assert "sqlite_utils" in modules  # it did open the database
    assert not modules & {"phonenumbers", "jinja2", "PySide6"}, modules & {"phonenumbers", "jinja2"}


def test_opening_a_database_looks_for_no_sqlite_utils_plugins(tmp_path: Path) -> None:
    # pluggy scans every installed package for them (~100 ms of each start), and a plugin
    # installed for something else must not change csdesk's connections.
    probe = (
        "import sys; from pathlib import Path; import sqlite_utils.plugins as p;"
        "from csdesk.services.desk import Desk; d = Desk.open(Path(sys.argv[1]));"
        "d.search.search('a'); print('loaded', p._plugins_loaded)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "x.db")], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert out.strip() == "loaded False"


def test_call_to_a_running_window_imports_no_qt_and_no_database(
    window_socket: tuple[Path, list[bytes]], private_tmp: Path
) -> None:
    db, heard = window_socket
    modules = loaded(["--db", str(db), "call", "tel:+15550104477", "--json"], {"TMPDIR": str(private_tmp)})
    assert heard and json.loads(heard[0]) == {"v": 1, "action": "call", "number": "+15550104477"}
    assert not modules & set(HEAVY), modules & set(HEAVY)
    assert "csdesk.services.desk" not in modules and "csdesk.domain" not in modules
    # the softphone's plain command line does not even load click (csdesk.cli.fast_call)
    assert "click" not in modules and "csdesk.commands.root" not in modules, modules
    assert "platformdirs" not in modules  # --db given: no data folder is looked up
