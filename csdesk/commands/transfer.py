"""`csdesk import`, `undo-import`, `imports`, `export customers`, `duplicates` and `merge`.

JSON shapes (stable keys):
  import   -> {"batch_id", "dry_run", "file", "format", "created", "updated", "unchanged",
               "skipped", "cancelled", "rows": [{"line", "action", "name", "customer_id",
               "reason", "warnings"}]}
  undo-import -> {"batch_id", "removed", "restored", "kept"}
  resume-import -> {"batch_id", "created", "updated", "skipped", "cancelled"} (totals of the import)
  imports  -> [{"id", "file_name", "format", "status", "started_at", "finished_at",
               "created", "updated", "skipped", "undone_at", "rows_total", "rows_committed",
               "stop_reason"}]  (status: running, done, cancelled, interrupted, undone)
  duplicates -> [{"keep_id", "other_id", "keep_name", "other_name", "reason"}]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from csdesk.commands.columns import column
from csdesk.commands.common import (
    ID,
    FilePath,
    RunContext,
    admin_desk,
    echo_json,
    file_to_read,
    json_flag,
    pass_run,
)
from csdesk.services.importing import parse_map
from csdesk.services.importing.formats import FORMATS


@click.command("import")
@click.argument("file", type=FilePath(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS[:-1]), default="auto", show_default=True)
@click.option("--map", "map_text", default="", help="Columns for any other CSV: 'Tel=phone,…'.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@json_flag(
    "{batch_id, dry_run, file, format, created, updated, unchanged, skipped, cancelled, "
    "rows}: rows is a list of {line, action, name, customer_id, reason, warnings}"
)
@pass_run
def import_cmd(run: RunContext, file: Path, fmt: str, map_text: str, dry_run: bool, as_json: bool) -> None:
    """Bring customers in from a Square, Shopify or Google Contacts CSV, a vCard or any CSV.

    Fields for --map: first_name, last_name, name, preferred_name, pronouns, birthday, email,
    phone (or phone:work, phone:home), company, address, consent, unsubscribed, note.
    """
    file_to_read(file)
    desk = admin_desk(run)
    mapping = parse_map(map_text) if map_text else None
    batch_id = None
    cancelled = False
    if dry_run:
        plan = desk.imports.preview(file, fmt=fmt, mapping=mapping)
    else:

        def report(done: int, total: int) -> bool:
            if total >= 20_000 and not as_json:
                click.echo(f"  {done:,} of {total:,}", err=True)
            return True

        # Nobody reviews the plan here: each batch is written as soon as it is planned, while
        # the next rows are read (ImportService.import_file), not after the whole file.
        plan, result = desk.imports.import_file(file, fmt=fmt, mapping=mapping, progress=report)
        batch_id, cancelled = result.batch_id, result.cancelled
    summary = plan.summary()
    if as_json:
        echo_json(
            {
                "batch_id": batch_id,
                "dry_run": dry_run,
                "file": plan.file_name,
                "format": plan.fmt,
                "created": summary["created"],
                "updated": summary["updated"],
                "unchanged": summary["unchanged"],
                "skipped": summary["skipped"],
                "cancelled": cancelled,
                "rows": [item.as_json() for item in plan.items],
            }
        )
        return
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {plan.file_name} ({plan.fmt}): {summary['created']:,} new, "
        f"{summary['updated']:,} updated, {summary['unchanged']:,} already up to date, "
        f"{summary['skipped']:,} skipped."
    )
    for item in plan.items:
        if item.action == "skip":
            # The name, unless the row has none (its name is then "row N" already).
            who = "" if item.name == f"row {item.line}" else f" ({item.name})"
            click.echo(f"  row {item.line}{who}: skipped: {item.reason}.")
        for warning in item.warnings:
            click.echo(f"  row {item.line}: {warning}")
    if batch_id is not None:
        click.echo(f"To take it all back: csdesk undo-import {batch_id}")


@click.command("undo-import")
@click.argument("batch_id", type=ID)
@json_flag("{batch_id, removed, restored, kept}")
@pass_run
def undo_import_cmd(run: RunContext, batch_id: int, as_json: bool) -> None:
    """Take back a whole import: remove the customers it added, restore those it changed."""
    result = admin_desk(run).imports.undo(batch_id)
    if as_json:
        echo_json(
            {
                "batch_id": result.batch_id,
                "removed": result.removed,
                "restored": result.restored,
                "kept": list(result.kept),
            }
        )
        return
    click.echo(
        f"Import #{batch_id} undone: {result.removed:,} customers removed, {result.restored:,} restored."
    )
    if result.kept:
        click.echo(
            f"Kept {len(result.kept)} imported customers who have visits or notes since: "
            + ", ".join(f"#{i}" for i in result.kept[:20])
        )


@click.command("resume-import")
@click.argument("batch_id", type=ID)
@json_flag("{batch_id, created, updated, skipped, cancelled}, the totals of the import")
@pass_run
def resume_import_cmd(run: RunContext, batch_id: int, as_json: bool) -> None:
    """Finish an interrupted import: the rows it had not written yet, from the same file."""
    desk = admin_desk(run)

    def report(done: int, total: int) -> bool:
        if total >= 20_000 and not as_json:
            click.echo(f"  {done:,} of {total:,}", err=True)
        return True

    result = desk.imports.resume(batch_id, report)
    if as_json:
        echo_json(
            {
                "batch_id": result.batch_id,
                "created": result.created,
                "updated": result.updated,
                "skipped": result.skipped,
                "cancelled": result.cancelled,
            }
        )
        return
    click.echo(
        f"Import #{batch_id} finished: {result.created:,} new, {result.updated:,} updated, "
        f"{result.skipped:,} skipped in all. To take it all back: csdesk undo-import {batch_id}"
    )


@click.command("imports")
@json_flag(
    "a list of {id, file_name, format, status, started_at, finished_at, created, updated, "
    "skipped, undone_at, rows_total, rows_committed, stop_reason}"
)
@pass_run
def imports_cmd(run: RunContext, as_json: bool) -> None:
    """List recent imports (the newest first)."""
    rows = [
        {
            "id": b["id"],
            "file_name": b["file_name"],
            "format": b["format"],
            "status": b["status"],
            "started_at": b["started_at"],
            "finished_at": b["finished_at"],
            "created": b["created_count"],
            "updated": b["updated_count"],
            "skipped": b["skipped_count"],
            "undone_at": b["undone_at"],
            "rows_total": b["rows_total"],
            "rows_committed": b["created_count"] + b["updated_count"] + b["skipped_count"],
            "stop_reason": b["stop_reason"],
        }
        for b in admin_desk(run).imports.batches()
    ]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No imports yet.", err=True)
    for r in rows:
        click.echo(
            f"{r['id']:>5}  {r['started_at'][:16]}  {r['status']:<11}  {column(r['file_name'], 40)}  "
            f"{r['created']:,} new, {r['updated']:,} updated"
            + (
                f" ({r['rows_committed']:,} of {r['rows_total']:,} rows; "
                f"resume-import {r['id']} or undo-import {r['id']})"
                if r["status"] == "interrupted"
                else ""
            )
        )


@click.group("export")
def export_group() -> None:
    """Write data out to files."""


@export_group.command("customers")
@click.option("--format", "fmt", type=click.Choice(["csv", "vcard"]), default="csv", show_default=True)
@click.option(
    "-o",
    "--output",
    type=FilePath(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write.",
)
@click.option("--force", is_flag=True, help="Replace the file if it already exists.")
@pass_run
def export_customers_cmd(run: RunContext, fmt: str, output: Path, force: bool) -> None:
    """Export every customer to CSV (opens in Excel) or vCard 4.0 (phones, mail programs)."""
    desk = admin_desk(run)
    if str(output) == "-":  # to stdout, for a pipe: through a temporary file, without the BOM
        with tempfile.TemporaryDirectory() as folder:
            temp = Path(folder) / f"customers.{fmt}"
            count = desk.exports.to_csv(temp) if fmt == "csv" else desk.exports.to_vcard(temp)
            click.echo(temp.read_text(encoding="utf-8-sig"), nl=False)
        click.echo(f"Exported {count:,} customers.", err=True)
        return
    write = desk.exports.to_csv if fmt == "csv" else desk.exports.to_vcard
    count = write(output, overwrite=force)
    click.echo(f"Exported {count:,} customers to {output}.")


@click.command("duplicates")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000))
@json_flag("a list of {keep_id, other_id, keep_name, other_name, reason}")
@pass_run
def duplicates_cmd(run: RunContext, limit: int, as_json: bool) -> None:
    """List customers who are probably the same person."""
    pairs = admin_desk(run).duplicates.pairs(limit)
    if as_json:
        echo_json(
            [
                {
                    "keep_id": p.keep_id,
                    "other_id": p.other_id,
                    "keep_name": p.keep_name,
                    "other_name": p.other_name,
                    "reason": p.reason,
                }
                for p in pairs
            ]
        )
        return
    if not pairs:
        click.echo("No likely duplicates found.", err=True)
    for p in pairs:
        click.echo(
            f"{p.keep_id:>8} {p.keep_name[:28]:<28}  {p.other_id:>8} {p.other_name[:28]:<28}  {p.reason}"
        )
    if pairs:
        click.echo("Merge a pair with: csdesk merge KEEP_ID OTHER_ID --yes", err=True)


@click.command("merge")
@click.argument("keep_id", type=ID)
@click.argument("other_id", type=ID)
@click.option("--yes", is_flag=True, help="Really merge (it cannot be undone).")
@pass_run
def merge_cmd(run: RunContext, keep_id: int, other_id: int, yes: bool) -> None:
    """Merge customer OTHER_ID into KEEP_ID: visits, notes and phone numbers all move over."""
    if not yes:
        raise click.UsageError(
            f"Merging #{other_id} into #{keep_id} cannot be undone. Add --yes to go ahead."
        )
    desk = admin_desk(run)
    result = desk.duplicates.merge(keep_id, other_id)
    moved = ", ".join(f"{n} {t}" for t, n in result.moved.items() if n) or "no history"
    click.echo(f"Merged #{other_id} into #{keep_id} ({moved} moved).")
