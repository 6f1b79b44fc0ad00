"""`csdesk --help` lists the commands from the registry's summaries (no command module imported,
issue 17); these tests hold the summaries to the commands' own help, so the two cannot drift."""

from __future__ import annotations

import importlib

import click
import pytest

from csdesk.commands.registry import COMMANDS, LAZY_COMMANDS
from csdesk.commands.root import cli


def real(name: str) -> click.Command:
    module, attr = COMMANDS[name].target.split(":")
    command = getattr(importlib.import_module(module), attr)
    assert isinstance(command, click.Command)
    return command


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_summary_shortens_as_the_commands_own_help_does(name: str) -> None:
    command = real(name)
    listed = click.Command(name, help=COMMANDS[name].summary)
    # Listed as the real command would be: shown, and cut at the same word at any terminal width.
    assert not command.hidden and not command.deprecated
    for limit in range(3, 260):
        assert listed.get_short_help_str(limit) == command.get_short_help_str(limit), limit


@pytest.mark.parametrize("width", [40, 80, 120, 250])
def test_the_listing_is_clicks_own_listing_of_the_real_commands(width: int) -> None:
    ctx = click.Context(cli, info_name="csdesk", terminal_width=width, max_content_width=width)
    ours, clicks = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    cli.format_commands(ctx, ours)
    click.Group.format_commands(cli, ctx, clicks)  # click's own: asks every imported command
    assert ours.getvalue() == clicks.getvalue()
    assert all(f"\n  {name} " in ours.getvalue() for name in COMMANDS)


def test_every_command_is_listed_once_with_where_it_lives() -> None:
    assert {name: listed.target for name, listed in COMMANDS.items()} == LAZY_COMMANDS
    assert cli.list_commands(click.Context(cli)) == sorted(COMMANDS)
