"""`--json` output is stable, with the keys each command's --help documents (README). For every
command with --json: the help lists the keys, and the keys listed are the ones really printed."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from csdesk.cli import cli, main
from csdesk.domain import CustomerDraft
from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.services.shop_settings import SETTINGS


def json_commands() -> Iterator[tuple[str, click.Option]]:
    ctx = click.Context(cli)

    def walk(group: click.Group, path: list[str]) -> Iterator[tuple[str, click.Option]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                yield from walk(command, [*path, name])
            elif command is not None:
                for param in command.params:
                    if isinstance(param, click.Option) and param.name == "as_json":
                        yield " ".join([*path, name]), param

    yield from walk(cli, [])


FLAGS = dict(json_commands())


def documented(help_text: str) -> tuple[bool, set[str], set[str], dict[str, set[str]]]:
    """(is a list, required keys, optional keys, nested list keys) from 'Print JSON: ...'."""
    shape = help_text.split("Print JSON:", 1)[1]
    first = re.search(r"\{([^}]*)\}", shape)
    assert first, help_text
    is_list = "a list of" in shape[: first.start()]
    keys = [k.strip() for k in first.group(1).split(",")]
    required = {k for k in keys if not k.endswith("?")}
    optional = {k.rstrip("?") for k in keys if k.endswith("?")}
    nested = {
        m.group(1): {k.strip().rstrip("?") for k in m.group(2).split(",")}
        for m in re.finditer(r"(\w+) is a list of \{([^}]*)\}", shape)
    }
    return is_list, required, optional, nested


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("json")
    path = folder / "shop.db"
    desk = Desk.open(path)
    demo.generate(desk.context, 20, seed=2)
    for _ in range(2):  # a sure pair for `duplicates`
        desk.customers.create(CustomerDraft(first_name="Twin", last_name="Same", email="twin@example.com"))
    desk.auth.act_as_cli()  # an admin may write the handover note `handover --show` lists
    desk.handover.write("Till 2 sticks")
    desk.close()
    (folder / "in.csv").write_text("Name,Email\nIda Import,ida@example.com\nOla Import,ola@example.com\n",
                                   encoding="utf-8")
    yield path, folder


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


# In order: later ones use what earlier ones made (issue 1's follow-up, import batch 1, ...).
def invocations(folder: Path, server: str) -> list[list[str]]:
    return [
        ["server", "init", server], ["migrate", "--from", str(folder / "shop.db"), "--to", server],
        ["search", "a"], ["timeline", "1"], ["visit", "--customer", "1"],
        ["issue", "new", "--customer", "1", "--title", "Late"], ["issue", "show", "1"],
        ["issue", "status", "1", "in_progress"], ["issues"],
        ["followup", "new", "--customer", "1", "--title", "Call", "--due", "tomorrow"],
        ["followups", "--due", "all"], ["followup", "done", "1"],
        ["import", str(folder / "in.csv"), "--dry-run"], ["import", str(folder / "in.csv")],
        ["imports"], ["undo-import", "1"], ["import", str(folder / "in.csv")],
        ["import", str(folder / "in.csv")],
        ["resume-import", "3"],  # batch 3 is marked interrupted by the test first
        ["duplicates"], ["check"], ["backup", "-o", str(folder / "shop.backup")],
        ["audit", "--limit", "3"], ["staff", "list"], ["paths"],
        ["settings"], ["handover", "--show"],
        ["export", "daily", "-o", str(folder / "d.csv")],
        ["report", "insights", "--period", "this_quarter", "-o", str(folder / "i.csv")],
        ["letter", "thank_you", "--customer", "2", "-o", str(folder / "l.pdf")],
        ["letters", "thank_you", "--customers", "2,3", "-o", str(folder / "ls.pdf")],
        ["outbox", "send"],  # nothing is due: the keys are there, empty
        ["call", "+15550104477"],  # to the listener of window_socket (its own --db)
    ]


def keys_of(value: Any, is_list: bool) -> list[set[str]]:
    if is_list:
        assert isinstance(value, list) and value, "a non-empty list, to see its keys"
        return [set(item) for item in value]
    assert isinstance(value, dict)
    return [set(value)]


def test_every_json_flag_documents_its_keys() -> None:
    missing = [name for name, flag in FLAGS.items() if "Print JSON:" not in (flag.help or "")]
    assert missing == []
    for name, flag in FLAGS.items():
        if name != "settings":
            assert documented(flag.help or "")[1], name


def test_the_documented_keys_are_the_printed_keys(shop: tuple[Path, Path], pg_url: str,
                                                   window_socket: tuple[Path, list[bytes]],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db, folder = shop
    window_db, _ = window_socket  # a window that answers: a failed call prints no JSON
    seen: set[str] = set()
    problems: list[str] = []
    for words in invocations(folder, pg_url):
        name = next(n for n in sorted(FLAGS, key=len, reverse=True) if words[: len(n.split())] == n.split())
        if name == "resume-import":
            with sqlite3.connect(db) as conn:  # as a killed import leaves it, after the next start
                conn.execute("UPDATE import_batches SET status = 'interrupted' WHERE id = 3")
            conn.close()
        target = window_db if name == "call" else db
        code, out, err = run(["--db", str(target), *words, "--json"], capsys)
        assert code == 0, (words, err)
        value = json.loads(out)
        help_text = FLAGS[name].help or ""
        if name == "settings":
            assert set(value) == {s.key for s in SETTINGS}
            seen.add(name)
            continue
        is_list, required, optional, nested = documented(help_text)
        for got in keys_of(value, is_list):
            if not required <= got <= required | optional:
                problems.append(f"{name}: printed {sorted(got)}, --help says {sorted(required | optional)}")
        for key, inner in nested.items():
            items = value[0][key] if is_list else value[key]
            for item in items:
                if set(item) != inner:
                    problems.append(f"{name} {key}: printed {sorted(item)}, --help says {sorted(inner)}")
        seen.add(name)
    assert problems == []
    untested = set(FLAGS) - seen
    assert untested == set(), "add an invocation for these commands"
