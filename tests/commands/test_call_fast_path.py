"""The softphone's plain `csdesk call NUMBER` runs without click (csdesk.cli.fast_call, issue 17):
which command lines take that path, and that it says and does exactly what the click command
says and does (the same window request, the same lines, the same exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csdesk.cli import fast_call, main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["call", "+15550104477"], (None, None, "+15550104477", False)),
        (["call", "+15550104477", "--json"], (None, None, "+15550104477", True)),
        (["call", "--json", "tel:+15550104477"], (None, None, "tel:+15550104477", True)),
        (["--db", "shop.db", "call", "555"], (Path("shop.db"), None, "555", False)),
        (["--db=shop.db", "--staff", "Ana", "call", "555"], (Path("shop.db"), "Ana", "555", False)),
        (["--staff=call", "call", "555"], (None, "call", "555", False)),
        (["--db", "postgresql://till/shop", "call", "555"], ("postgresql://till/shop", None, "555", False)),
    ],
)
def test_the_plain_command_line_takes_the_fast_path(
    argv: list[str], expected: tuple[object, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSDESK_DB", raising=False)
    assert fast_call(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["call"],  # click says what is missing
        ["call", "--help"],
        ["call", "-h"],
        ["call", "555", "--json", "--json"],
        ["call", "555", "666"],
        ["call", "-5550104477"],  # click reads it as an option
        ["call", "--", "555"],
        ["--pin-stdin", "call", "555"],
        ["--db", "call", "555"],  # --db's value is "call": click's reading, not ours
        ["--db", "--staff", "call", "555"],
        ["--db=", "call", "555"],
        ["--staff", "Ana"],
        ["search", "call"],
        ["--version"],
        ["--help", "call", "555"],
    ],
)
def test_every_other_command_line_goes_to_click(argv: list[str]) -> None:
    assert fast_call(argv) is None


def test_a_folder_given_as_the_database_is_left_to_click(tmp_path: Path) -> None:
    assert fast_call(["--db", str(tmp_path), "call", "555"]) is None


def test_csdesk_db_counts_as_click_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSDESK_DB", "/srv/shop.db")
    assert fast_call(["call", "555"]) == (Path("/srv/shop.db"), None, "555", False)
    monkeypatch.setenv("CSDESK_DB", "")  # click takes an empty variable as unset
    assert fast_call(["call", "555"]) == (None, None, "555", False)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --pin-stdin changes nothing for `call` (it opens no database, asks no PIN) but is not on the
# fast path: the same command line through click.
CLICK = ["--pin-stdin"]


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_fast_and_click_paths_tell_a_bad_number_the_same_way(
    json_flag: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--db", str(tmp_path / "shop.db"), "call", "12", *json_flag]
    fast = _run(argv, capsys)
    slow = _run(CLICK + argv, capsys)
    assert fast == slow
    assert fast[0] == 1 and fast[2].startswith("csdesk: “12” is not a phone number")
    # Said once, on stderr, --json or not (as every command's error): it was also on stdout as
    # {"ok": false, ...}, the same sentence twice.
    assert fast[1] == "" and fast[2].count("is not a phone number") == 1
    assert not (tmp_path / "shop.db").exists()


def test_fast_and_click_paths_hand_the_window_the_same_call(
    window_socket: tuple[Path, list[bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, heard = window_socket
    argv = ["--db", str(db), "call", "tel:+1-555-010-4477", "--json"]
    fast = _run(argv, capsys)
    slow = _run(CLICK + argv, capsys)
    assert [json.loads(x) for x in heard] == [
        {"v": 1, "action": "call", "number": "+1-555-010-4477"}
    ] * 2
    answers = []
    for code, out, err in (fast, slow):
        assert code == 0 and err == ""
        answer = json.loads(out)
        assert isinstance(answer.pop("ms"), float)
        answers.append(answer)
    assert answers[0] == answers[1] == {"ok": True, "shown": "customer", "started": False}
    plain = _run(["--db", str(db), "call", "+15550104477"], capsys)
    assert plain[1].startswith("Call from +15550104477: the caller is on screen (")
