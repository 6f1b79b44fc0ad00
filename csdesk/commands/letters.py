"""`csdesk letter` (one customer) and `csdesk letters` (a batch). Qt is loaded only for PDFs."""

from __future__ import annotations

from pathlib import Path

import click

from csdesk.commands.common import DAY, ID, FilePath, RunContext, echo_json, pass_run
from csdesk.errors import UserError
from csdesk.services import dates
from csdesk.services.letters import customers_with_followups_due


@click.command("letter")
@click.argument("template", required=False)
@click.option("--customer", "customer_id", type=ID, help="The customer's id.")
@click.option(
    "-o",
    "--output",
    type=FilePath(dir_okay=False, path_type=Path),
    help="PDF file to write (default: TEMPLATE-ID.pdf here).",
)
@click.option(
    "--html", "as_html", is_flag=True, help="Write the HTML (to -o or stdout) instead of a PDF."
)
@click.option(
    "--page-size", type=click.Choice(["A4", "Letter"]), help="Paper size (default: setting)."
)
@click.option(
    "--dry-run", is_flag=True, help="Render without recording it on the customer's timeline."
)
@click.option("--list", "list_templates", is_flag=True, help="List the templates you can use.")
@click.option(
    "--reprint",
    "reprint_id",
    type=ID,
    help="Reprint a recorded letter exactly as it was sent (by letter id).",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@pass_run
def letter_cmd(
    run: RunContext,
    template: str | None,
    customer_id: int | None,
    output: Path | None,
    as_html: bool,
    page_size: str | None,
    dry_run: bool,
    list_templates: bool,
    reprint_id: int | None,
    as_json: bool,
) -> None:
    """Write one letter for one customer, recorded on their timeline."""
    desk = run.desk()
    if reprint_id is not None:
        _reprint(run, reprint_id, output, as_html, as_json)
        return
    if list_templates:
        infos = desk.letters.templates()
        if as_json:
            echo_json(
                [
                    {"name": t.name, "title": t.title, "description": t.description, "user": t.user}
                    for t in infos
                ]
            )
        else:
            for t in infos:
                click.echo(f"{t.name:<28} {t.title}{'  (yours)' if t.user else ''}")
        return
    if not template or customer_id is None:
        raise UserError(
            "Give a template and a customer, e.g. `csdesk letter thank_you --customer 12`."
        )
    if dry_run:
        rendered = desk.letters.render(template, customer_id)
        html, title, letter_id, size = rendered.html, rendered.title, None, page_size
    else:
        letter = desk.letters.produce(template, customer_id, page_size=page_size)
        html, title, letter_id, size = letter.html, letter.title, letter.id, letter.page_size
    if as_html:
        if output is None:
            click.echo(html)
            return
        _write_text(output, html)
    else:
        from csdesk.ui.printing import PageSetup, write_pdf  # Qt only when a PDF is wanted

        name = Path(template).name.removesuffix(".html.j2")
        output = output or Path(f"{name}-{customer_id}.pdf")
        setup = PageSetup.from_desk(desk, size)
        write_pdf([html], output, setup, title)
    if as_json:
        echo_json(
            {
                "letter_id": letter_id,
                "customer_id": customer_id,
                "title": title,
                "file": str(output),
            }
        )
    else:
        what = "Rendered" if dry_run else f"Letter #{letter_id} recorded and written"
        click.echo(f"{what}: {output}")


@click.command("letters")
@click.argument("template")
@click.option("--customers", "customer_list", help="Comma-separated customer ids, e.g. 1,2,3.")
@click.option(
    "--followups-due", "due", type=DAY,
    help="Customers with a follow-up due by this day: YYYY-MM-DD, today, yesterday or tomorrow.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=FilePath(path_type=Path),
    help="A .pdf file (one PDF for all) or a folder (one PDF per customer).",
)
@click.option(
    "--page-size", type=click.Choice(["A4", "Letter"]), help="Paper size (default: setting)."
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@pass_run
def letters_cmd(
    run: RunContext,
    template: str,
    customer_list: str | None,
    due: str | None,
    output: Path,
    page_size: str | None,
    as_json: bool,
) -> None:
    """Write a letter for each of several customers into one PDF or one PDF each."""
    desk = run.desk()
    if bool(customer_list) == bool(due):
        raise UserError("Choose who gets a letter: --customers 1,2,3 or --followups-due today.")
    if customer_list:
        ids = parse_ids(customer_list)
    else:
        day = dates.parse_day(str(due), desk.reports.today(), field="followups-due")
        ids = customers_with_followups_due(desk, day)
        if not ids:
            click.echo(f"No follow-ups are due by {day.isoformat()}; no letters written.", err=True)
            if as_json:
                echo_json({"letters": [], "files": [], "failed": [], "cancelled": False})
            return
    from csdesk.ui.printing import PageSetup, run_batch  # Qt only when PDFs are wanted

    def report(done: int, total: int) -> bool:
        if total >= 50 and done % 50 == 0 and not as_json:
            click.echo(f"  {done} of {total}", err=True)
        return True

    result = run_batch(
        desk, template, ids, output, setup=PageSetup.from_desk(desk, page_size), progress=report
    )
    if as_json:
        echo_json(
            {
                "letters": list(result.letters),
                "files": [str(f) for f in result.files],
                "failed": [{"customer_id": c, "message": m} for c, m in result.failed],
                "cancelled": result.cancelled,
            }
        )
    else:
        for customer_id, message in result.failed:
            click.echo(f"  customer {customer_id}: {message}", err=True)
        where = result.files[0] if len(result.files) == 1 else output
        click.echo(f"Wrote {len(result.letters)} letter(s) to {where}.")
    if result.failed:
        # A scheduled job must see that some customers got no letter (exit 1), even when
        # others did; the JSON or the lines above say who and why.
        if not as_json and not result.letters:
            raise UserError("No letters were written; see the reasons above.")
        raise click.exceptions.Exit(1)


def _reprint(
    run: RunContext, letter_id: int, output: Path | None, as_html: bool, as_json: bool
) -> None:
    desk = run.desk()
    letter = desk.letters.get(letter_id)
    if as_html and output is None:
        click.echo(letter.html)
        return
    output = output or Path(f"letter-{letter.id}.{'html' if as_html else 'pdf'}")
    if as_html:
        _write_text(output, letter.html)
    else:
        from csdesk.ui.printing import PageSetup, write_pdf

        write_pdf(
            [letter.html],
            output,
            PageSetup(letter.page_size, desk.letters.margins_mm()),
            letter.title,
        )
    if as_json:
        echo_json(
            {
                "letter_id": letter.id,
                "customer_id": letter.customer_id,
                "title": letter.title,
                "file": str(output),
            }
        )
    else:
        click.echo(f"Letter #{letter.id} of {letter.created_at[:10]} reprinted: {output}")


def parse_ids(text: str) -> list[int]:
    ids: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit():
            raise UserError(f"“{part}” is not a customer id. Write ids like 1,2,3.")
        ids.append(int(part))
    if not ids:
        raise UserError("Give at least one customer id, like --customers 1,2,3.")
    return list(dict.fromkeys(ids))


def _write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror}.") from exc
