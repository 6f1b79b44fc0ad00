"""`csdesk outbox`: the e-mail waiting to go, sending it (cron-friendly), retry, cancel, a test
e-mail, and the mail password (into the keychain). Headless: no Qt."""

from __future__ import annotations

import sys
from typing import Any

import click

from csdesk.commands.common import ID, RunContext, admin_desk, echo_json, json_flag, pass_run
from csdesk.errors import UserError
from csdesk.store.outbox import STATES

_LIST_KEYS = (
    "id", "customer_id", "letter_id", "to_address", "subject", "state", "attempts",
    "next_attempt_at", "last_error", "created_at", "sent_at", "message_id", "attachment_name",
)


@click.group("outbox", invoke_without_command=True)
@click.option("--state", "states", multiple=True, type=click.Choice(STATES),
              help="Only e-mail in this state (repeat for several).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True)
@json_flag("a list of {" + ", ".join(_LIST_KEYS) + "}")
@pass_run
@click.pass_context
def outbox_group(ctx: click.Context, run: RunContext, states: tuple[str, ...], limit: int,
                 as_json: bool) -> None:
    """The outbox: e-mail queued, sending, sent, failed or cancelled, newest first.

    `csdesk outbox send` works it off (run it from cron); `retry ID` and `cancel ID` act on one.
    """
    if ctx.invoked_subcommand is not None:
        return
    desk = run.desk()
    rows = desk.outbox.listing(states=list(states) or None, limit=limit)
    if as_json:
        echo_json([{k: r[k] for k in _LIST_KEYS} for r in rows])
        return
    if not rows:
        click.echo("The outbox is empty.")
        return
    for r in rows:
        when = (r["sent_at"] or r["created_at"])[:16].replace("T", " ")
        click.echo(f"#{r['id']:<6} {r['state']:<9} {when}  {r['to_address']:<32} {r['subject']}")
        if r["last_error"] and r["state"] != "sent":
            click.echo(f"         {r['last_error']}")


@outbox_group.command("send")
@click.option("--limit", type=click.IntRange(1, 100_000), default=10_000, show_default=True,
              help="Send at most this many in this run.")
@json_flag("{sent, retrying, failed, cancelled, recovered, stopped}: ids; retrying, failed and "
           "cancelled are lists of {id, message}")
@pass_run
def send_cmd(run: RunContext, limit: int, as_json: bool) -> None:
    """Send the e-mail that is due, over one connection; safe to run from cron every minute.

    Exit 0 when everything due went (or nothing was due), 1 when some must wait or failed.
    """
    desk = run.desk()

    def report(done: int, total: int) -> bool:
        if total >= 50 and done % 50 == 0 and done and not as_json:
            click.echo(f"  {done} of {total}", err=True)
        return True

    result = desk.mail_sender.send_due(progress=report, limit=limit)
    if as_json:
        echo_json({
            "sent": result.sent,
            "retrying": [{"id": i, "message": m} for i, m in result.retrying],
            "failed": [{"id": i, "message": m} for i, m in result.failed],
            "cancelled": [{"id": i, "message": m} for i, m in result.cancelled],
            "recovered": result.recovered,
            "stopped": result.stopped,
        })
    else:
        for i, m in result.failed:
            click.echo(f"  #{i} failed: {m}", err=True)
        for i, m in result.retrying:
            click.echo(f"  #{i} waits: {m}", err=True)
        for i, m in result.cancelled:
            click.echo(f"  #{i} cancelled: {m}", err=True)
        if result.stopped:
            click.echo(f"Stopped: {result.stopped}", err=True)
        click.echo(f"Sent {len(result.sent)} e-mail(s).")
    if result.failed or result.retrying or result.stopped:
        raise click.exceptions.Exit(1)


@outbox_group.command("retry")
@click.argument("outbox_id", type=ID)
@pass_run
def retry_cmd(run: RunContext, outbox_id: int) -> None:
    """Send a failed e-mail again at the next `csdesk outbox send`."""
    run.desk().outbox.retry(outbox_id)
    click.echo(f"E-mail #{outbox_id} is queued again.")


@outbox_group.command("cancel")
@click.argument("outbox_id", type=ID)
@pass_run
def cancel_cmd(run: RunContext, outbox_id: int) -> None:
    """Do not send this e-mail (queued or failed); the letter stays on the timeline."""
    run.desk().outbox.cancel(outbox_id)
    click.echo(f"E-mail #{outbox_id} is cancelled; it will not be sent.")


@outbox_group.command("test")
@click.option("--to", "to", help="Send it here (default: the shop's sender address).")
@pass_run
def test_cmd(run: RunContext, to: str | None) -> None:
    """Send a test e-mail now with the shop's settings (admins)."""
    desk = admin_desk(run)
    answer = desk.mail_sender.send_test(to)
    click.echo(f"The test e-mail went; the server said {answer}.")


def set_password(run: RunContext, from_stdin: bool) -> None:
    """`csdesk settings smtp_password`: asked without echo (or read from stdin) into the keychain."""
    desk = admin_desk(run)
    config = desk.outbox.smtp_config(with_password=False)
    if not config.host or not config.user:
        raise UserError("Set smtp_host and smtp_user first; the password belongs to them.")
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"Password for {config.user} on {config.host}", hide_input=True,
                                default="", show_default=False)
    desk.outbox.set_password(password)
    click.echo("The mail password is in this computer's keychain." if password
               else "The mail password is removed from the keychain.")


def queue_report(report: Any, as_json: bool) -> None:
    """What `letter --email` and `letters --email` say: queued ids and who was skipped, why."""
    if as_json:
        echo_json({
            "queued": list(report.queued),
            "letters": list(report.letters),
            "skipped": [{"customer_id": c, "message": m} for c, m in report.skipped],
        })
        return
    for customer_id, message in report.skipped:
        click.echo(f"  customer {customer_id} skipped: {message}", err=True)
    click.echo(f"Queued {len(report.queued)} e-mail(s); `csdesk outbox send` sends them.")
