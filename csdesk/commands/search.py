"""`csdesk search` and `csdesk demo`."""

from __future__ import annotations

import click

from csdesk.commands.columns import column
from csdesk.commands.common import RunContext, echo_json, json_flag, pass_run


@click.command("search")
@click.argument("query", nargs=-1)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@json_flag(
    "a list of {id, display_name, phones, email, last_visit, matched, exact, "
    "snippet}; snippet is the matching note text when matched is note"
)
@pass_run
def search_cmd(run: RunContext, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Find customers by name, phone or e-mail, exactly as the window does."""
    from csdesk.services.phone import pretty  # phonenumbers' metadata: only to print numbers

    desk = run.desk()
    hits = desk.search.search(" ".join(query), limit=limit)
    if as_json:
        echo_json(
            [
                {
                    "id": h.customer_id,
                    "display_name": h.display_name,
                    "phones": list(h.phones),
                    "email": h.email or None,
                    "last_visit": h.last_visit,
                    "matched": h.matched,
                    "exact": h.exact,
                    "snippet": h.snippet or None,  # the matching note text when matched == "note"
                }
                for h in hits
            ]
        )
        return
    if not hits:
        click.echo("No customers found.", err=True)
        return
    for h in hits:
        phone = pretty(h.phones[0], desk.region) if h.phones else ""
        last = (h.last_visit or "")[:10] or "never"
        line = f"{h.customer_id:>8}  {column(h.display_name, 40)}  {phone:<18}  last visit {last}"
        click.echo(f"{line}  note: {h.snippet}" if h.snippet else line)


@click.command("demo")
@click.option("--customers", default=300, show_default=True, type=click.IntRange(1, 5_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
@pass_run
def demo_cmd(run: RunContext, customers: int, seed: int) -> None:
    """Add realistic demo customers (the same seed gives the same data)."""
    from csdesk.services import demo  # its name lists and bulk loader: only this command

    desk = run.desk()

    shown_tenths = [0]

    def report(done: int, total: int) -> bool:
        # Every tenth once, whatever size the steps come in (chunks or batches).
        tenths = done * 10 // total
        if total >= 50_000 and tenths > shown_tenths[0]:
            shown_tenths[0] = tenths
            click.echo(f"  {done:,} of {total:,}", err=True)
        return True

    added = demo.generate(desk.context, customers, seed=seed, progress=report)
    from csdesk.services.server_target import shown

    where = shown(desk.target) if isinstance(desk.target, str) else desk.target  # no password
    click.echo(f"Added {added:,} demo customers to {where}.")
