"""`csdesk letter` (one customer) and `csdesk letters` (a batch). Qt is loaded only for PDFs."""

from __future__ import annotations

from pathlib import Path

import click

from csdesk.commands.common import DAY, ID, FilePath, RunContext, echo_json, json_flag, pass_run
from csdesk.errors import UserError
from csdesk.services import dates
from csdesk.services.letter_output import draw_pdf
from csdesk.services.letters import customers_with_followups_due
from csdesk.store.files import write_text


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
@click.option("--issue", "issue_id", type=ID, help="Write about this issue (e.g. issue_resolved).")
@click.option("--force", is_flag=True, help="Replace the output file if it already exists.")
@click.option("--email", "by_email", is_flag=True,
              help="Queue it as an e-mail to the customer (`csdesk outbox send` sends it).")
@click.option("--attach-pdf", is_flag=True, help="With --email: attach the letter as a PDF.")
@json_flag("{letter_id, customer_id, title, file}; with --email {queued, letters, skipped}")
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
    issue_id: int | None,
    force: bool,
    by_email: bool,
    attach_pdf: bool,
    as_json: bool,
) -> None:
    """Write one letter for one customer, recorded on their timeline once it is written.

    With --email it is queued as an e-mail instead (recorded with it, in one transaction).
    JSON keys: letter_id (null for --dry-run), customer_id, title, file.
    """
    desk = run.desk()
    if reprint_id is not None:
        _reprint(run, reprint_id, output, as_html, as_json, force)
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
    issue = desk.letters.issue_fields(issue_id) if issue_id is not None else None
    if by_email:
        _queue_email(run, template, [customer_id], issue, attach_pdf, as_json, single=True)
        return
    letter_id: int | None = None
    if as_html and output is None:  # to stdout: recorded once it is printed
        prepared = desk.letters.prepare(template, customer_id, issue=issue, page_size=page_size)
        click.echo(prepared.html)
        if not dry_run:
            desk.letters.record(prepared)
        return
    name = Path(template).name.removesuffix(".html.j2")
    output = output or Path(f"{name}-{customer_id}.{'html' if as_html else 'pdf'}")
    if dry_run:
        prepared = desk.letters.prepare(template, customer_id, issue=issue, page_size=page_size)
        title = prepared.title
        if as_html:
            write_text(output, prepared.html, overwrite=force)
        else:
            from csdesk.render.qt import QtRenderer  # Qt only when a PDF is wanted

            setup = desk.letters.page_setup(prepared.page_size)
            draw_pdf(QtRenderer(), [prepared.html], output, setup, title, overwrite=force)
    elif as_html:
        letter = desk.letter_output.save_html(template, customer_id, output, issue=issue,
                                               page_size=page_size, overwrite=force)
        title, letter_id = letter.title, letter.id
    else:
        from csdesk.render.qt import QtRenderer  # Qt only when a PDF is wanted

        letter = desk.letter_output.save_pdf(QtRenderer(), template, customer_id, output,
                                              issue=issue, page_size=page_size, overwrite=force)
        title, letter_id = letter.title, letter.id
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
        what = "Rendered" if dry_run else f"Letter #{letter_id} written and recorded"
        click.echo(f"{what}: {output}")


@click.command("letters")
@click.argument("template")
@click.option("--customers", "customer_list", help="Comma-separated customer ids, e.g. 1,2,3.")
@click.option(
    "--followups-due", "due", type=DAY,
    help="Customers with a follow-up due by this day: YYYY-MM-DD, today, yesterday or tomorrow.",
)
@click.option("--not-seen-days", "not_seen", type=click.IntRange(1, 36500),
              help="Customers not seen (no visit, call or note) for this many days, e.g. 90.")
@click.option(
    "-o",
    "--output",
    type=FilePath(path_type=Path),
    help="A .pdf file (one PDF for all) or an existing folder (one PDF per customer).",
)
@click.option(
    "--page-size", type=click.Choice(["A4", "Letter"]), help="Paper size (default: setting)."
)
@click.option("--force", is_flag=True, help="Replace output files that already exist.")
@click.option("--email", "by_email", is_flag=True,
              help="Queue an e-mail to each instead of writing PDFs; those who cannot get one "
                   "(no address, no marketing consent) are listed with the reason.")
@click.option("--attach-pdf", is_flag=True, help="With --email: attach each letter as a PDF.")
@json_flag("{letters, files, failed, cancelled}: letters are ids, failed a list of {customer_id, "
           "message}; with --email {queued, letters, skipped}")
@pass_run
def letters_cmd(
    run: RunContext,
    template: str,
    customer_list: str | None,
    due: str | None,
    not_seen: int | None,
    output: Path | None,
    page_size: str | None,
    force: bool,
    by_email: bool,
    attach_pdf: bool,
    as_json: bool,
) -> None:
    """Write a letter for each of several customers into one PDF or one PDF each, or e-mail it.

    JSON keys: letters (ids recorded), files, failed (customer_id, message), cancelled.
    """
    # `--customers ""` was given (a script's empty list): parse_ids says so, a usage error like
    # `--customers abc`, rather than "choose who gets a letter" (exit 1).
    if sum((customer_list is not None, bool(due), bool(not_seen))) != 1:
        raise click.UsageError("Choose who gets a letter: --customers 1,2,3, --followups-due today "
                        "or --not-seen-days 90.")
    listed = parse_ids(customer_list) if customer_list is not None else None
    if output is None and not by_email:
        raise click.UsageError("Say where the letters go: -o letters.pdf, -o FOLDER, or --email.")
    desk = run.desk()
    if listed is not None:
        ids = listed
    elif not_seen:
        ids = desk.customers.not_seen_for(not_seen)
    else:
        day = dates.parse_day(str(due), desk.reports.today(), field="followups-due")
        ids = customers_with_followups_due(desk, day)
        if not ids:
            click.echo(f"No follow-ups are due by {day.isoformat()}; no letters written.", err=True)
            if as_json:
                echo_json({"letters": [], "files": [], "failed": [], "cancelled": False})
            return
    if by_email:
        _queue_email(run, template, ids, None, attach_pdf, as_json, single=False)
        return
    assert output is not None
    from csdesk.render.qt import QtRenderer  # Qt only when PDFs are wanted

    def report(done: int, total: int) -> bool:
        if total >= 50 and done % 50 == 0 and not as_json:
            click.echo(f"  {done} of {total}", err=True)
        return True

    result = desk.letter_output.run_batch(
        QtRenderer(),
        template,
        ids,
        output,
        setup=desk.letters.page_setup(page_size),
        progress=report,
        overwrite=force,
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
    elif not result.letters:
        # Nothing was written, so no file exists: never a "Wrote 0 letter(s) to FILE" that
        # sends someone looking for it. Say why in the same line when there is one reason.
        made = "no file was made" if output.suffix.lower() == ".pdf" else "no file was written"
        if len(result.failed) == 1:
            customer_id, message = result.failed[0]
            raise UserError(f"No letter was written and {made} ({output}): "
                            f"customer {customer_id}: {message}")
        for customer_id, message in result.failed:
            click.echo(f"  customer {customer_id}: {message}", err=True)
        why = "; the reasons are above" if result.failed else ": nobody to write to"
        raise UserError(f"No letters were written and {made} ({output}){why}.")
    else:
        for customer_id, message in result.failed:
            click.echo(f"  customer {customer_id}: {message}", err=True)
        where = result.files[0] if len(result.files) == 1 else output
        click.echo(f"Wrote {len(result.letters)} letter(s) to {where}.")
    if result.failed:
        # A scheduled job must see that some customers got no letter (exit 1), even when
        # others did; the JSON or the lines above say who and why.
        raise click.exceptions.Exit(1)


def _queue_email(
    run: RunContext, template: str, ids: list[int], issue: dict[str, object] | None,
    attach_pdf: bool, as_json: bool, *, single: bool,
) -> None:
    from csdesk.commands.outbox import queue_report

    desk = run.desk()
    renderer = None
    if attach_pdf:
        from csdesk.render.qt import QtRenderer  # Qt only when a PDF is attached

        renderer = QtRenderer()
    if single:  # one customer: a refusal (no address, no consent) is the command's error
        draft = desk.outbox.compose(template, ids[0], issue=issue, renderer=renderer,
                                    attach_pdf=attach_pdf)
        report = desk.outbox.queue([draft])
    else:
        report = desk.outbox.queue_batch(template, ids, renderer=renderer, attach_pdf=attach_pdf)
    queue_report(report, as_json)
    if report.skipped:
        raise click.exceptions.Exit(1)


def _reprint(
    run: RunContext, letter_id: int, output: Path | None, as_html: bool, as_json: bool,
    force: bool,
) -> None:
    desk = run.desk()
    letter = desk.letters.get(letter_id)
    if as_html and output is None:
        click.echo(letter.html)
        return
    output = output or Path(f"letter-{letter.id}.{'html' if as_html else 'pdf'}")
    if as_html:
        write_text(output, letter.html, overwrite=force)
    else:
        from csdesk.render.qt import QtRenderer

        desk.letter_output.reprint_pdf(QtRenderer(), letter_id, output, overwrite=force)
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
    """A usage error (exit 2, as the README's exit codes say) for what is not a list of ids."""
    ids: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit():
            raise _bad_ids(f"“{part}” is not a customer id. Write ids like 1,2,3.")
        if not 1 <= int(part) <= 2**63 - 1:  # else SQLite's OverflowError reached the last net
            raise _bad_ids(f"{int(part)} cannot be a customer id csdesk gave out. Write ids like 1,2,3.")
        ids.append(int(part))
    if not ids:
        raise _bad_ids("Give at least one customer id, like --customers 1,2,3.")
    return list(dict.fromkeys(ids))


def _bad_ids(message: str) -> click.BadParameter:
    return click.BadParameter(message, param_hint="--customers")


