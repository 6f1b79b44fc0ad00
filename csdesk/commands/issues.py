"""`csdesk issue new|status|show`, `csdesk issues`, `csdesk followup new|done`, `csdesk followups`.

JSON keys (stable): an issue is {id, customer_id, customer, title, description, category, priority,
channel, owner, status, due_at, seconds_left, time_label, overdue, resolution, satisfaction,
goodwill_cents, version}; a follow-up is {id, customer_id, customer, issue_id, title, due_at, owner,
done_at, outcome, seconds_left, time_label, overdue, version}. Times are UTC ISO-8601; money is cents.
"""

from __future__ import annotations

from typing import Any

import click

from csdesk.commands.common import (
    DUE,
    ID,
    ChannelChoice,
    RunContext,
    echo_json,
    if_version_option,
    json_flag,
    pass_run,
)
from csdesk.domain import Channel, FollowUp, GoodwillKind, Issue, IssueDraft, IssueListRow, Priority
from csdesk.services.clock import parse
from csdesk.services.desk import Desk
from csdesk.services.issues import IssueQuery, parse_status
from csdesk.services.money import format_cents, parse_amount

PRIORITIES = click.Choice([p.value for p in Priority], case_sensitive=False)
KINDS = click.Choice([k.value for k in GoodwillKind], case_sensitive=False)
CHANNELS = ChannelChoice()
ISSUE_KEYS = (
    "{id, customer_id, customer, title, description, category, priority, channel, owner, "
    "status, due_at, seconds_left, time_label, overdue, resolution, satisfaction, "
    "goodwill_cents, version}"
)
FOLLOWUP_KEYS = (
    "{id, customer_id, customer, issue_id, title, due_at, owner, done_at, outcome, "
    "seconds_left, time_label, overdue, version}"
)


def _local(desk: Desk, moment: str | None) -> str:
    if not moment:
        return ""
    return parse(moment).astimezone(desk.issues.tz).strftime("%a %d %b %H:%M")


def _issue_json(
    issue: Issue, row: IssueListRow | None = None, customer: str = ""
) -> dict[str, Any]:
    return {
        "id": issue.id,
        "customer_id": issue.customer_id,
        "customer": row.customer_name if row else customer,
        "title": issue.title,
        "description": issue.description,
        "category": issue.category or None,
        "priority": issue.priority.value,
        "channel": issue.channel.value,
        "owner": issue.owner_name or None,
        "status": issue.status.value,
        "due_at": issue.due_at,
        "seconds_left": row.seconds_left if row else None,
        "time_label": row.time_label if row else "",
        "overdue": row.overdue if row else False,
        "resolution": issue.resolution or None,
        "satisfaction": issue.satisfaction,
        "goodwill_cents": issue.goodwill_cents,
        "version": issue.version,
    }


def _issue_row(desk: Desk, issue: Issue) -> IssueListRow:
    return desk.issues.row(issue.id)


def _followup_json(f: FollowUp) -> dict[str, Any]:
    return {
        "id": f.id,
        "customer_id": f.customer_id,
        "customer": f.customer_name,
        "issue_id": f.issue_id,
        "title": f.title,
        "due_at": f.due_at,
        "owner": f.owner_name or None,
        "done_at": f.done_at,
        "outcome": f.outcome or None,
        "seconds_left": f.seconds_left,
        "time_label": f.time_label,
        "overdue": f.overdue,
        "version": f.version,
    }


# -- issues ---------------------------------------------------------------------------------------
@click.group("issue")
def issue_group() -> None:
    """Log an issue and move it along: open, in progress, waiting, resolved, closed."""


@issue_group.command("new")
@click.option("--customer", "customer_id", required=True, type=ID, help="Customer number.")
@click.option("--title", required=True, help="Short title, like “late delivery”.")
@click.option("--priority", default="normal", show_default=True, type=PRIORITIES)
@click.option("--category", default=None, help="Category name, e.g. Delivery.")
@click.option("--description", default="", help="What happened.")
@click.option("--channel", default="in_person", show_default=True, type=CHANNELS)
@click.option("--owner", default=None, help="Staff member who owns it (default: you).")
@click.option(
    "--due", default=None, type=DUE,
    help="Due: 2026-12-04, 2026-12-04 15:00, tomorrow, friday, in 3 days (default: from the "
    "priority's target).",
)
@click.option("--goodwill", default=None, help="Goodwill given now, e.g. 12.50.")
@click.option("--goodwill-kind", default=None, type=KINDS, help="refund, discount, gift or other.")
@json_flag(ISSUE_KEYS)
@pass_run
def issue_new_cmd(
    run: RunContext,
    customer_id: int,
    title: str,
    priority: str,
    category: str | None,
    description: str,
    channel: str,
    owner: str | None,
    due: str | None,
    goodwill: str | None,
    goodwill_kind: str | None,
    as_json: bool,
) -> None:
    """Log a new issue (and any goodwill given: both are saved, or neither)."""
    desk = run.desk()
    if goodwill_kind and goodwill is None:
        raise click.UsageError("--goodwill-kind needs --goodwill AMOUNT too.")
    gift = None
    if goodwill is not None:
        gift = (GoodwillKind(goodwill_kind or "other"), parse_amount(goodwill, field="goodwill"))
    draft = IssueDraft(
        customer_id=customer_id,
        title=title,
        description=description,
        category_id=desk.issues.category_named(category).id if category else None,
        priority=Priority(priority.lower()),
        channel=Channel(channel),
        owner_id=desk.issues.owner_named(owner) if owner else None,
        due_at=desk.issues.parse_due(due) if due else None,
    )
    issue = desk.issues.log(draft, goodwill=gift)
    row = _issue_row(desk, issue)
    if as_json:
        echo_json(_issue_json(issue, row))
        return
    extra = f", goodwill {format_cents(issue.goodwill_cents)}" if issue.goodwill_cents else ""
    click.echo(
        f"Logged issue #{issue.id} for {row.customer_name}: {issue.title} "
        f"({issue.priority.value}), due {_local(desk, issue.due_at)}, "
        f"owner {issue.owner_name}{extra}."
    )


@issue_group.command("status")
@click.argument("issue_id", type=ID)
@click.argument("status")
@click.option("--comment", default="", help="Why, or what happened.")
@click.option("--resolution", default="", help="How it was resolved (needed to resolve).")
@click.option("--satisfaction", default=None, type=click.IntRange(1, 5), help="Customer's 1-5.")
@if_version_option("the issue")
@json_flag(ISSUE_KEYS)
@pass_run
def issue_status_cmd(
    run: RunContext,
    issue_id: int,
    status: str,
    comment: str,
    resolution: str,
    satisfaction: int | None,
    if_version: int | None,
    as_json: bool,
) -> None:
    """Change an issue's status: in_progress, waiting, resolved, closed, or reopen."""
    desk = run.desk()
    current = desk.issues.get(issue_id)
    issue = desk.issues.set_status(
        issue_id,
        parse_status(status),
        version=current.version if if_version is None else if_version,
        comment=comment,
        resolution=resolution,
        satisfaction=satisfaction,
    )
    if as_json:
        echo_json(_issue_json(issue, _issue_row(desk, issue)))
        return
    click.echo(f"Issue #{issue.id} is now {issue.status.label.lower()}: {issue.title}.")


@issue_group.command("show")
@click.argument("issue_id", type=ID)
@json_flag(
    ISSUE_KEYS[:-1]
    + ", events}: events is a list of {at, staff, kind, from_status, to_status, comment}"
)
@pass_run
def issue_show_cmd(run: RunContext, issue_id: int, as_json: bool) -> None:
    """Show one issue with its events."""
    desk = run.desk()
    issue = desk.issues.get(issue_id)
    row = _issue_row(desk, issue)
    events = desk.issues.events(issue_id)
    if as_json:
        data = _issue_json(issue, row)
        data["events"] = [
            {
                "at": e.at,
                "staff": e.staff_name or None,
                "kind": e.kind,
                "from_status": e.from_status.value if e.from_status else None,
                "to_status": e.to_status.value if e.to_status else None,
                "comment": e.comment,
            }
            for e in events
        ]
        echo_json(data)
        return
    click.echo(f"#{issue.id} {issue.title}  [{issue.status.label}, {issue.priority.value}]")
    click.echo(f"  {row.customer_name}, owner {issue.owner_name}, due {_local(desk, issue.due_at)}")
    for e in events:
        change = f" -> {e.to_status.label.lower()}" if e.to_status else ""
        click.echo(f"  {_local(desk, e.at)}  {e.staff_name}: {e.kind}{change}  {e.comment}")


@click.command("issues")
@click.option("--status", default="active", show_default=True, help="active, all, or one status.")
@click.option("--owner", default=None, help="Only this staff member's issues.")
@click.option("--priority", default=None, type=PRIORITIES)
@click.option("--category", default=None, help="Category name.")
@click.option("--customer", "customer_id", default=None, type=ID)
@click.option("--overdue", is_flag=True, help="Only open issues past their due time.")
@click.option(
    "--sort",
    default="due",
    show_default=True,
    type=click.Choice(["due", "priority", "created", "updated"]),
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--offset", default=0, type=click.IntRange(0, 2**63 - 1))
@json_flag("a list of " + ISSUE_KEYS)
@pass_run
def issues_cmd(
    run: RunContext,
    status: str,
    owner: str | None,
    priority: str | None,
    category: str | None,
    customer_id: int | None,
    overdue: bool,
    sort: str,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """List issues, soonest due first; each shows time left or time overdue."""
    desk = run.desk()
    word = status.strip().lower()
    query = IssueQuery(
        status=word if word in ("active", "all") else parse_status(word).value,
        owner_id=desk.issues.owner_named(owner) if owner else None,
        priority=Priority(priority.lower()) if priority else None,
        category_id=desk.issues.category_named(category).id if category else None,
        customer_id=customer_id,
        overdue=overdue,
        sort=sort,
    )
    rows = desk.issues.page(query, limit=limit, offset=offset)
    if as_json:
        echo_json([_issue_json(r.issue, r) for r in rows])
        return
    if not rows:
        click.echo("No issues match.", err=True)
        return
    for r in rows:
        i = r.issue
        flag = "!" if r.overdue else " "
        click.echo(
            f"{flag}{i.id:>7}  {i.title[:32]:<32}  {r.customer_name[:24]:<24}  "
            f"{i.status.value:<11}  {i.priority.value:<6}  {r.time_label or i.status.label.lower()}"
        )


# -- follow-ups -----------------------------------------------------------------------------------
@click.group("followup")
def followup_group() -> None:
    """Plan a follow-up with a customer, and mark it done."""


@followup_group.command("new")
@click.option("--customer", "customer_id", required=True, type=ID)
@click.option("--title", required=True, help="What to do, like “call back about the repair”.")
@click.option(
    "--due", required=True, type=DUE,
    help="When: 2026-12-04, 2026-12-04 15:00, tomorrow, friday, in 3 days.",
)
@click.option("--issue", "issue_id", default=None, type=ID, help="The issue it belongs to.")
@click.option("--owner", default=None, help="Staff member who does it (default: you).")
@json_flag(FOLLOWUP_KEYS)
@pass_run
def followup_new_cmd(
    run: RunContext,
    customer_id: int,
    title: str,
    due: str,
    issue_id: int | None,
    owner: str | None,
    as_json: bool,
) -> None:
    """Plan a follow-up."""
    desk = run.desk()
    followup = desk.followups.add(
        customer_id,
        title,
        desk.issues.parse_due(due),
        owner_id=desk.issues.owner_named(owner) if owner else None,
        issue_id=issue_id,
    )
    if as_json:
        echo_json(_followup_json(followup))
        return
    click.echo(
        f"Follow-up #{followup.id} for {followup.customer_name}: {followup.title}, "
        f"due {_local(desk, followup.due_at)} ({followup.owner_name})."
    )


@followup_group.command("done")
@click.argument("followup_id", type=ID)
@click.option("--outcome", default="", help="What was done.")
@if_version_option("the follow-up")
@json_flag(FOLLOWUP_KEYS)
@pass_run
def followup_done_cmd(
    run: RunContext, followup_id: int, outcome: str, if_version: int | None, as_json: bool
) -> None:
    """Mark a follow-up done and record what was done."""
    desk = run.desk()
    followup = desk.followups.complete(followup_id, outcome, version=if_version)
    if as_json:
        echo_json(_followup_json(followup))
        return
    click.echo(f"Done: {followup.title} for {followup.customer_name}. {followup.outcome}")


@click.command("followups")
@click.option(
    "--due", default="today", show_default=True, type=click.Choice(["today", "overdue", "all"])
)
@click.option("--owner", default=None, help="Only this staff member's follow-ups.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@json_flag("a list of " + FOLLOWUP_KEYS)
@pass_run
def followups_cmd(run: RunContext, due: str, owner: str | None, limit: int, as_json: bool) -> None:
    """Follow-ups not yet done: due today and overdue (default), only overdue, or all."""
    desk = run.desk()
    owner_id = desk.issues.owner_named(owner) if owner else None
    rows = desk.followups.queue(due, owner_id=owner_id, limit=limit)
    if as_json:
        echo_json([_followup_json(f) for f in rows])
        return
    if not rows:
        click.echo("Nothing due. Well done.", err=True)
        return
    for f in rows:
        flag = "!" if f.overdue else " "
        click.echo(
            f"{flag}{f.id:>7}  {f.title[:36]:<36}  {f.customer_name[:24]:<24}  "
            f"{_local(desk, f.due_at)}  {f.time_label}"
        )
