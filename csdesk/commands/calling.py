"""What `csdesk call NUMBER` does, without click: put the caller on screen in the running csdesk,
or start it. csdesk.cli runs the softphone's plain `csdesk call NUMBER [--json]` straight through
`place_call` (issue 17: the caller painted < 150 ms after the softphone starts the command);
commands/call.py is the same command for click (--help, and command lines with more options).

On Unix it speaks to the window's socket with the standard library (csdesk.ui.call_client, no
Qt); only Windows' named pipes, and starting a window that is not running yet, need Qt's
QLocalSocket. The output is described in commands/call.py.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import unquote

from csdesk.errors import UserError

if TYPE_CHECKING:
    import subprocess


class CallTarget(Protocol):
    """Where the window is and who starts it: a RunContext, or a Caller (csdesk.cli)."""

    @property
    def db_path(self) -> Path | str: ...
    @property
    def staff(self) -> str | None: ...
    @property
    def server(self) -> str | None: ...
    @property
    def chosen(self) -> bool: ...


class Caller(NamedTuple):
    """The fast path's CallTarget (a NamedTuple: a dataclass would import inspect, ~5 ms)."""

    db_path: Path | str
    staff: str | None
    server: str | None
    chosen: bool

SCHEMES = ("tel:", "callto:", "sip:")
MAX_NUMBER = 64
START_TIMEOUT_S = 30.0
SHOWN = {
    "customer": "the caller is on screen",
    "picker": "several customers have this number: pick the caller on screen",
    "new": "not a customer yet: the new-customer form is open with the number filled in",
    "window": "csdesk is in front",
    "locked": "csdesk is locked: the caller is waiting behind the sign-in",
    "starting": "csdesk is starting: the caller shows as soon as its window is up",
}


def number_from(text: str) -> str:
    """'tel:+1-555-010-4477;ext=2', 'callto://+15550104477', '%2B1555…' or a plain number."""
    value = text.strip()
    lowered = value.lower()
    for scheme in SCHEMES:
        if lowered.startswith(scheme):
            value = value[len(scheme) :].lstrip("/")
            if scheme == "sip:":
                value = value.split("@", 1)[0]
            break
    value = unquote(value).split(";", 1)[0].split("?", 1)[0]
    value = " ".join(value.split())
    digit_count = sum(ch.isdigit() for ch in value)
    if (
        not value
        or len(value) > MAX_NUMBER
        or digit_count < 3
        or not all(ch.isdigit() or ch in "+-() ./" for ch in value)
    ):
        shown = text if len(text) <= MAX_NUMBER else text[:MAX_NUMBER] + "…"
        raise UserError(
            f"“{shown}” is not a phone number csdesk can look up. "
            "Pass the caller's number, e.g. csdesk call +15550104477 or csdesk call tel:+15550104477."
        )
    return value


def launch_command(db_path: Path | str | None, staff: str | None, number: str) -> list[str]:
    """How to start this csdesk's window with the caller shown (a frozen build is its own exe).
    `db_path` None: the database this computer chose (the window reads the choice itself, so a
    server URL that may hold a password is not put on a command line others can see)."""
    base = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "csdesk"]
    who = ["--staff", staff] if staff else []
    where = [] if db_path is None else ["--db", str(db_path)]
    return [*base, *where, *who, "--call", number]


def _start_detached(cmd: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    import subprocess  # only when csdesk is not running yet

    kwargs: dict[str, object] = {}
    if os.name == "nt":
        flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
            subprocess, "CREATE_NEW_PROCESS_GROUP", 0
        )
        kwargs["creationflags"] = flags
    else:
        kwargs["start_new_session"] = True  # the window outlives the softphone's command
    try:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            **kwargs,  # type: ignore[call-overload]
        )
    except OSError as exc:
        raise UserError(f"csdesk could not start: {exc}. Open csdesk by hand, then try again.") from exc


def _last_line(log: IO[bytes]) -> str:
    """What the window said last before it stopped (its own one-line reason, if it gave one)."""
    try:
        log.seek(0)
        text = log.read()[-4000:].decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _start_and_wait(run: CallTarget, name: str, value: str) -> dict[str, object]:
    """Start the window with the call; its first answer to a ping, or UserError."""
    from csdesk.ui.display import missing_display

    reason = missing_display()
    if reason:
        raise UserError(reason)
    import tempfile

    # Its stderr goes to a nameless file: when it stops at once, its own reason is ours to tell.
    with tempfile.TemporaryFile() as log:
        target = None if run.chosen and run.server is not None else run.db_path
        process = _start_detached(launch_command(target, run.staff, value), log)
        deadline = time.monotonic() + START_TIMEOUT_S
        answer = None
        while answer is None or answer.get("busy"):
            code = process.poll()
            if code is not None:
                said = _last_line(log).removeprefix("csdesk: ")
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                raise UserError(
                    f"csdesk could not start ({how})"
                    + (f": {said}" if said else f". Run `{_by_hand(run)}` to see why.")
                )
            if time.monotonic() > deadline:
                raise UserError(
                    "csdesk is starting but did not come up within 30 seconds. "
                    "Check the screen, then try again."
                )
            time.sleep(0.1)
            answer = send(name, {"action": "ping"}, timeout_ms=1000)
    if not answer.get("ok"):
        raise UserError(f"csdesk started but could not show the caller: {_reason(answer)}.")
    return {
        "ok": True,
        "shown": "locked" if answer.get("locked") else "started",
        "pid": answer.get("pid"),
    }


def _by_hand(run: CallTarget) -> str:
    if isinstance(run.db_path, Path):
        return f"csdesk --db {run.db_path}"
    return "csdesk"  # a server: its URL may hold a password, and the window finds it anyway


def _reason(answer: dict[str, object]) -> str:
    return str(answer.get("error") or "it gave no reason").rstrip(".")


def send(name: str, message: dict[str, Any], timeout_ms: int = 3000) -> dict[str, Any] | None:
    """One request to the window (see csdesk.ui.single_instance), importing Qt only where the
    socket is a Windows named pipe."""
    from csdesk.ui import socket_guard

    if socket_guard.UNIX:
        from csdesk.ui.call_client import send as unix_send

        return unix_send(name, message, timeout_ms)
    from PySide6.QtCore import QCoreApplication

    from csdesk.ui.single_instance import send as qt_send

    if QCoreApplication.instance() is None:
        QCoreApplication([sys.argv[0]])
    return qt_send(name, message, timeout_ms)


def place_call(run: CallTarget, number: str, as_json: bool) -> None:
    """The whole command: show the caller (or start csdesk with them) and say what was shown.
    A failure raises: its one line goes on stderr with a non-zero exit, --json or not, as every
    other command's (it also went on stdout as {"ok": false, ...}, the same sentence twice)."""
    _call(run, number, as_json)


def echo(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def echo_json(value: Any) -> None:
    """As commands.common.echo_json (stable keys, UTF-8, one trailing newline), without click."""
    echo(json.dumps(value, ensure_ascii=False, indent=2))


def _call(run: CallTarget, number: str, as_json: bool) -> None:
    value = number_from(number)
    from csdesk.ui.socket_guard import server_name

    name = server_name(run.db_path)  # a server's: a hash of its redacted URL (socket_guard)
    started_at = time.perf_counter()
    answer = send(name, {"action": "call", "number": value})
    started = answer is None
    if answer is None:
        answer = _start_and_wait(run, name, value)
    elif answer.get("busy"):
        # Never start a second window next to a live one: it would take the socket over.
        raise UserError(_reason(answer) + ".")
    elapsed = (time.perf_counter() - started_at) * 1000
    if not answer.get("ok"):
        raise UserError(f"csdesk could not show the caller: {_reason(answer)}.")
    shown = str(answer.get("shown", ""))
    if as_json:
        out = {"ok": True, "shown": shown, "started": started, "ms": round(elapsed, 1)}
        if started:
            out["pid"] = answer.get("pid")  # the new window's process
        echo_json(out)
        return
    if started and shown == "locked":
        echo(f"Started csdesk with the call from {value}: {SHOWN['locked']}.")
    elif started:
        echo(f"Started csdesk with the call from {value}.")
    else:
        echo(f"Call from {value}: {SHOWN.get(shown, shown)} ({elapsed:.0f} ms).")
