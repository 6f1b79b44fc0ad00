"""`csdesk search` and `csdesk demo`: the same results as the window, stable JSON, clean errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csdesk.cli import main
from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csdesk", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def filled(db_path: Path) -> Path:
    desk = Desk.open(db_path)
    desk.customers.create(
        CustomerDraft(
            first_name="José",
            last_name="García Márquez",
            email="jose@example.com",
            phones=(("mobile", "555-010-4477"), ("home", "+44 20 7946 0958")),
        )
    )
    desk.customers.create(CustomerDraft(first_name="Ann", last_name="O'Brien"))
    desk.close()
    return db_path


def test_search_json_has_the_documented_keys(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--db", str(filled), "search", "garc", "mar", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "id": 1,
            "display_name": "José García Márquez",
            "phones": ["+15550104477", "+442079460958"],
            "email": "jose@example.com",
            "last_visit": None,
            "matched": "name",
            "exact": False,
            "snippet": None,
        }
    ]


def test_search_matches_the_service(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk = Desk.open(filled)
    expected = [h.customer_id for h in desk.search.search("4477")]
    desk.close()
    main(["--db", str(filled), "search", "4477", "--json"])
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == expected == [1]


def test_search_text_output_and_no_results(filled: Path) -> None:
    found = run("--db", str(filled), "search", "o'br")
    assert found.returncode == 0
    assert "Ann O'Brien" in found.stdout
    nothing = run("--db", str(filled), "search", "zzz")
    assert nothing.returncode == 0
    assert nothing.stdout == ""
    assert "No customers found" in nothing.stderr


def test_hostile_query_from_the_command_line(filled: Path) -> None:
    done = run("--db", str(filled), "search", "--json", "--", '"(AND NOT*')
    assert done.returncode == 0
    assert json.loads(done.stdout) == []


def test_bad_database_file_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-db.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    done = run("--db", str(bogus), "search", "x")
    assert done.returncode == 1
    assert "not a readable csdesk database" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_option_is_a_usage_error(filled: Path) -> None:
    done = run("--db", str(filled), "search", "--limit", "0", "x")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_demo_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for name in ("a.db", "b.db"):
        path = tmp_path / name
        done = run("--db", str(path), "demo", "--customers", "40", "--seed", "5")
        assert done.returncode == 0, done.stderr
        assert "Added 40 demo customers" in done.stdout
        outputs.append(run("--db", str(path), "search", "--json", "--limit", "500", "").stdout)
    first = json.loads(outputs[0])
    assert len(first) == 40
    assert [(r["display_name"], r["phones"]) for r in first] == [
        (r["display_name"], r["phones"]) for r in json.loads(outputs[1])
    ]


def test_env_var_chooses_the_database(filled: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "csdesk", "search", "--json", "ann"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CSDESK_DB": str(filled)},
    )
    assert [r["display_name"] for r in json.loads(done.stdout)] == ["Ann O'Brien"]


def test_every_lazy_command_loads_and_has_help() -> None:
    import click

    from csdesk.cli import LAZY_COMMANDS, cli

    ctx = click.Context(cli)
    for name in LAZY_COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name, name
        assert command.help or command.short_help, name
    assert set(cli.list_commands(ctx)) == set(LAZY_COMMANDS)
    export = cli.get_command(ctx, "export")
    assert isinstance(export, click.Group)
    assert {"customers", "daily"} <= set(export.list_commands(ctx))


def test_search_lines_keep_their_columns_for_wide_and_combining_names(db_path: Path) -> None:
    """A CJK name takes two terminal cells a character and a combining accent none: padding by
    characters pushed that line's phone and last visit out of line with the others."""
    from csdesk.commands.columns import cells, column

    desk = Desk.open(db_path)
    for first in ("陽翔", "Ana", "Jose\u0301", "李" * 30):  # the last is cut at 40 cells
        desk.customers.create(CustomerDraft(first_name=first, phones=(("mobile", "555-010-4477"),)))
    desk.close()
    done = run("--db", str(db_path), "search", "555-010-4477")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 4
    starts = {cells(line[: line.index("last visit")]) for line in lines}
    assert len(starts) == 1, lines  # every line's phone and last visit in one column
    assert any(line.startswith(" " * 7 + "4  " + "李" * 20 + "  ") for line in lines), lines
    assert column("陽翔x", 4) == "陽翔" and column("陽翔", 3) == "陽 " and cells(column("é", 3)) == 3
