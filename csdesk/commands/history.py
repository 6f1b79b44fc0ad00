"""`csdesk visit` and `csdesk timeline`: headless, for the till and the phone system.

JSON keys (stable):
  visit    -> {"id", "customer_id", "customer_name", "created_customer", "at", "channel",
               "purpose", "outcome", "satisfaction", "direction", "duration_s"}
  timeline -> [{"kind", "ref_id", "at", "channel", "title", "detail", "staff_id"}, ...] newest first
"""

from __future__ import annotations

import click

from csdesk.commands.common import ID, ChannelChoice, RunContext, echo_json, json_flag, pass_run
from csdesk.domain import Channel, CustomerDraft
from csdesk.errors import NotFound, UserError
from csdesk.services.clock import parse
from csdesk.services.visits import parse_channel
from csdesk.store.timeline import all_kinds as timeline_kinds

CHANNEL_HELP = "in_person (or in-person), phone, email, chat, social, other"
CHANNELS = ChannelChoice()
# Every kind a timeline holds (store.timeline registers them when it loads), so --help lists them
# and a typo is a usage error (exit 2) before the database is opened.
KINDS = click.Choice(timeline_kinds(), case_sensitive=False)


@click.command("visit")
@click.option("--customer", "customer_id", type=ID, help="The customer's number (ID).")
@click.option("--phone", "number", help="Find the customer by this phone number instead.")
@click.option("--channel", default="in_person", show_default=True, type=CHANNELS,
              help="How they came (in-person and e-mail are read too).")
@click.option("--purpose", default="", help="What they came for.")
@click.option("--outcome", default="", help="How it ended.")
@click.option("--satisfaction", type=click.IntRange(1, 5), help="1 (unhappy) to 5 (delighted).")
@click.option("--direction", type=click.Choice(["in", "out"]), help="For calls: in or out.")
@click.option("--duration", "duration_s", type=click.IntRange(0, 86_400), help="Call seconds.")
@click.option("--create", is_flag=True, help="Unknown phone number: create a customer with it.")
@json_flag(
    "{id, customer_id, customer_name, created_customer, at, channel, purpose, outcome, "
    "satisfaction, direction, duration_s}"
)
@pass_run
def visit_cmd(
    run: RunContext,
    customer_id: int | None,
    number: str | None,
    channel: str,
    purpose: str,
    outcome: str,
    satisfaction: int | None,
    direction: str | None,
    duration_s: int | None,
    create: bool,
    as_json: bool,
) -> None:
    """Log a visit (or a call) for a customer, found by ID or by phone number."""
    if (customer_id is None) == (number is None):
        raise click.UsageError("Give exactly one of --customer ID or --phone NUMBER.")
    chosen = parse_channel(channel)  # a typo fails before anything is written
    desk = run.desk()
    created = False
    if number is not None:
        # by_phone is a tolerant caller-ID lookup (nothing found for junk); a number typed here
        # that cannot be a phone number is a typo to report, not "no customer has it".
        from csdesk.services.phone import normalise  # phonenumbers: only for --phone

        normalise(number, desk.region)
        found = desk.customers.by_phone(number)
        if len(found) > 1:
            ids = ", ".join(str(c.id) for c in found[:10])
            raise UserError(
                f"{len(found)} customers share the number {number} (IDs {ids}). "
                "Use --customer ID to say which one."
            )
        if found:
            customer = found[0]
        elif create:
            customer = desk.customers.create(CustomerDraft(phones=(("mobile", number),)))
            created = True
        else:
            raise NotFound(
                f"No customer has the number {number}. Add --create to create one with it, "
                "or use --customer ID."
            )
    else:
        assert customer_id is not None
        customer = desk.customers.get(customer_id)
    visit = desk.visits.log(
        customer.id,
        channel=chosen,
        purpose=purpose,
        outcome=outcome,
        satisfaction=satisfaction,
        direction=direction,
        duration_s=duration_s,
    )
    if as_json:
        echo_json(
            {
                "id": visit.id,
                "customer_id": customer.id,
                "customer_name": customer.display_name,
                "created_customer": created,
                "at": visit.at,
                "channel": visit.channel.value,
                "purpose": visit.purpose,
                "outcome": visit.outcome,
                "satisfaction": visit.satisfaction,
                "direction": visit.direction,
                "duration_s": visit.duration_s,
            }
        )
        return
    new = " (new customer)" if created else ""
    click.echo(f"Logged visit #{visit.id} for {customer.display_name}{new}, #{customer.id}.")


@click.command("timeline")
@click.argument("customer_id", type=ID)
@click.option("--kind", "kinds", multiple=True, type=KINDS, help="Only this kind; repeatable.")
@click.option("--channel", "channels", multiple=True, type=CHANNELS,
              help="Only this channel; repeatable.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@json_flag("a list of {kind, ref_id, at, channel, title, detail, staff_id}, newest first")
@pass_run
def timeline_cmd(
    run: RunContext,
    customer_id: int,
    kinds: tuple[str, ...],
    channels: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """Print a customer's visits, calls and notes, newest first."""
    desk = run.desk()
    customer = desk.customers.get(customer_id)  # NotFound: a clear line and exit 3
    wanted: list[Channel | str] | None = list(channels) if channels else None
    entries = desk.timeline.page(
        customer_id, kinds=list(kinds) or None, channels=wanted, limit=limit
    )
    if as_json:
        echo_json(
            [
                {
                    "kind": e.kind,
                    "ref_id": e.ref_id,
                    "at": e.at,
                    "channel": e.channel.value if e.channel else None,
                    "title": e.title,
                    "detail": e.detail,
                    "staff_id": e.staff_id,
                }
                for e in entries
            ]
        )
        return
    if not entries:
        click.echo(f"Nothing on {customer.display_name}'s timeline yet.", err=True)
        return
    for e in entries:
        when = parse(e.at).astimezone(desk.tz).strftime("%Y-%m-%d %H:%M")
        tail = f"  ({e.detail})" if e.detail else ""
        click.echo(f"{when}  {e.title}{tail}")
