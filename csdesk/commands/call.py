"""`csdesk call NUMBER`: put the caller on screen in the running csdesk, or start it.

For softphones ("run a command on incoming call": `csdesk call %number%`) and `tel:` / `callto:`
links. A softphone runs it as the phone rings, so it imports little: the plain command line
`csdesk [--db X] [--staff NAME] call NUMBER [--json]` does not even load click (csdesk.cli runs
commands.calling directly); this click command is the same work for every other command line.

--json prints {"ok": true, "shown": "customer|picker|new|locked|starting", "started": false,
"ms": 12.3} ("starting": csdesk is open but its window is not up yet, e.g. a first-run question);
when csdesk was not running and this command started it: {"ok": true, "shown": "started|locked",
"started": true, "ms": 1200.0, "pid": 4242} (the new window shows the caller itself). "locked":
the window is locked and shows the caller right after sign-in. When it cannot do its job it says
why on stderr, prints nothing on stdout and exits non-zero, like every other --json command.
"""

from __future__ import annotations

import click

from csdesk.commands.calling import place_call
from csdesk.commands.common import RunContext, json_flag, pass_run


@click.command("call")
@click.argument("number")
@json_flag("{ok, shown, started, ms, pid?}: pid when this command started csdesk")
@pass_run
def call_cmd(run: RunContext, number: str, as_json: bool) -> None:
    """Show the caller with this NUMBER (or tel:/callto: link) in csdesk, starting it if needed."""
    place_call(run, number, as_json)
