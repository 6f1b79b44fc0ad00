"""Administrative commands: staff, customer export and erasure, backups, restore, check, audit.

They need a shift lead or an admin: `--staff NAME` and that person's PIN once the shop has an
admin with a PIN (before that, the audited 'Command line' admin sets the shop up; see
commands.common). Every write, and every refusal, is audited with source 'cli'.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from csdesk.commands.columns import column
from csdesk.commands.common import (
    ID,
    MOMENT,
    FilePath,
    RunContext,
    admin_desk,
    ask_pin,
    echo_json,
    file_to_read,
    if_version_option,
    json_flag,
    pass_run,
)
from csdesk.commands.hints import pasteable
from csdesk.commands.server_data import pg_bin_option, server_backup, server_check, server_restore
from csdesk.domain import Role
from csdesk.errors import UserError
from csdesk.paths import backups_dir
from csdesk.services import dates
from csdesk.services.audit import AuditFilter
from csdesk.services.clock import iso
from csdesk.services.restore_staging import refuse_if_in_use, restore_damaged

EXIT_CHECK_FAILED = 2

if TYPE_CHECKING:
    from csdesk.services.desk import Desk




# -- customers ---------------------------------------------------------------------------------
@click.group("customer")
def customer_group() -> None:
    """Privacy: export or erase one customer's data."""


@customer_group.command("export")
@click.argument("customer_id", type=ID)
@click.option(
    "-o",
    "--output",
    type=FilePath(dir_okay=False, path_type=Path),
    required=True,
    help="File to write: .json (machine-readable) or .html (a readable document).",
)
@click.option("--force", is_flag=True, help="Replace the file if it already exists.")
@pass_run
def customer_export_cmd(run: RunContext, customer_id: int, output: Path, force: bool) -> None:
    """Export everything csdesk holds about one customer."""
    desk = admin_desk(run)
    desk.privacy.export_to(customer_id, output, overwrite=force)
    click.echo(f"Wrote everything held about customer #{customer_id} to {output}.")


@customer_group.command("erase")
@click.argument("customer_id", type=ID)
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
@pass_run
def customer_erase_cmd(run: RunContext, customer_id: int, yes: bool) -> None:
    """Erase a customer's personal data for good (visits stay as anonymous statistics)."""
    if not yes:
        raise UserError(
            f"Erasing customer #{customer_id} cannot be undone. Add --yes to confirm "
            "(export first with `csdesk customer export` if they asked for a copy)."
        )
    desk = admin_desk(run)
    # On a server this waits while the tables the erase touched are rewritten (VACUUM FULL:
    # minutes for the big ones at a million customers), so the command ends with no trace left.
    result = desk.privacy.erase(customer_id)
    click.echo(
        f"Erased customer #{customer_id}: {result.visits_anonymised} visits kept anonymously, "
        f"{result.notes_removed} notes, {result.phones_removed} phone numbers and "
        f"{result.emails_removed} e-mail addresses removed."
    )
    if result.drafts_removed:
        click.echo(f"Removed {result.drafts_removed} unsaved drafts about them.")
    if result.scrub_problem in ("no_space", "write_failed"):
        why = "is too full" if result.scrub_problem == "no_space" else "refused the write"
        click.echo(
            f"The erasure is saved, but the disk {why} when the database file was rewritten, "
            "so erased text may linger in its free space: free some space, then run "
            f"`{pasteable(run, 'check', '--repair')}`, which rewrites the file.",
            err=True,
        )
    elif result.scrub_problem == "tables_busy":
        click.echo(
            "The erasure is saved, but other counters kept some of the server's tables busy, so "
            f"erased text may linger in the server's files: run `{pasteable(run, 'check', '--repair')}` "
            "when the counters are quiet, which rewrites them.",
            err=True,
        )
    elif result.scrub_problem:
        click.echo(
            "Another csdesk is open, so old copies in the database's journal are cleared when it "
            "closes.",
            err=True,
        )
    for sentence in result.copies:
        click.echo(sentence, err=True)


# -- staff -------------------------------------------------------------------------------------
@click.group("staff")
def staff_group() -> None:
    """Staff accounts: add, list, deactivate, reactivate."""


@staff_group.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.STAFF.value,
    show_default=True,
)
@click.option(
    "--pin-stdin",
    is_flag=True,
    help="Read the new member's PIN from the next line of stdin (after the acting admin's PIN "
    "when the global --pin-stdin is given too).",
)
@pass_run
def staff_add_cmd(run: RunContext, name: str, role: str, pin_stdin: bool) -> None:
    """Add a staff member; asks for their 4 to 8 digit PIN twice (input hidden)."""
    desk = admin_desk(run)  # who is adding, first: their PIN comes before the new one
    if pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = ask_pin(
            f"PIN for {name} (4-8 digits)",
            why=f"{name}'s new PIN",
            flag=f"--pin-stdin: echo 4821 | csdesk staff add \"{name}\" --pin-stdin",
            confirm=True,
        )
    staff = desk.auth.add_staff(name, Role(role), pin)
    click.echo(f"Added {staff.name} ({staff.role.value}).")


@staff_group.command("list")
@json_flag("a list of {id, name, role, active, has_pin, version}")
@pass_run
def staff_list_cmd(run: RunContext, as_json: bool) -> None:
    """List staff. JSON keys: id, name, role, active, has_pin, version (for --if-version)."""
    entries = admin_desk(run).auth.list_staff()
    if as_json:
        echo_json(
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "role": s.role.value,
                    "active": s.active,
                    "has_pin": s.has_pin,
                    "version": s.version,
                }
                for s in entries
            ]
        )
        return
    for s in entries:
        state = "active" if s.active else "deactivated"
        pin = "" if s.has_pin else "  (no PIN)"
        click.echo(f"{s.id:>5}  {column(s.name, 40)}  {s.role.value:<6}  {state}{pin}")


@staff_group.command("deactivate")
@click.argument("name")
@if_version_option("the staff member")
@pass_run
def staff_deactivate_cmd(run: RunContext, name: str, if_version: int | None) -> None:
    """Deactivate a staff member (their entries and audit history stay)."""
    staff = admin_desk(run).auth.deactivate(name, version=if_version)
    click.echo(f"Deactivated {staff.name}. `{pasteable(run, 'staff', 'reactivate', staff.name)}` "
               "undoes it.")


@staff_group.command("reactivate")
@click.argument("name")
@if_version_option("the staff member")
@pass_run
def staff_reactivate_cmd(run: RunContext, name: str, if_version: int | None) -> None:
    """Give a deactivated staff member their account back (same role and PIN)."""
    staff = admin_desk(run).auth.reactivate(name, version=if_version)
    click.echo(f"Reactivated {staff.name} ({staff.role.value}).")


# -- backups, restore, check -------------------------------------------------------------------
@click.command("backup")
@click.option(
    "-o",
    "--output",
    type=FilePath(dir_okay=False, path_type=Path),
    default=None,
    help="Backup file (default: a dated file in the backups folder).",
)
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@pg_bin_option
@json_flag("{path, bytes, seconds, verified, server?, warnings}")
@pass_run
def backup_cmd(run: RunContext, output: Path | None, force: bool, pg_bin: str | None,
               as_json: bool) -> None:
    """Make a consistent backup, even while csdesk is in use; the copy is checked.

    With --db URL, a PostgreSQL server's: pg_dump in custom format, read back before it counts."""
    if run.server:
        server_backup(run, output, force, pg_bin, as_json)
        return
    desk = admin_desk(run)
    result = desk.backups.backup(output, overwrite=force)
    warning = desk.backups.network_warning()
    if as_json:  # for a script that keeps the shop's backups elsewhere: where, how big, checked
        echo_json({"path": str(result.path), "bytes": result.size,
                   "seconds": round(result.seconds, 3), "verified": result.verified,
                   "warnings": [warning] if warning else []})
        return
    click.echo(f"Backed up to {result.path} ({result.size / 1e6:.1f} MB, {result.seconds:.1f} s).")
    if warning:
        click.echo(f"Warning: {warning}", err=True)


@click.command("restore")
@click.argument("source", type=FilePath(dir_okay=False, path_type=Path))
@click.option(
    "--other-database",
    is_flag=True,
    help="Restore even though the backup is of another database (it replaces this one's data).",
)
@pg_bin_option
@pass_run
def restore_cmd(run: RunContext, source: Path, other_database: bool, pg_bin: str | None) -> None:
    """Replace the database with a backup: all or nothing. The backup is checked and brought up
    to date first, and the data it replaces is saved as a backup.

    With --db URL, a server's backup (`csdesk --db URL backup`) replaces csdesk's data there in
    one transaction."""
    file_to_read(source)
    if run.server:
        server_restore(run, source, other_database, pg_bin)
        return
    try:
        run.open()
    except UserError as exc:
        # The current database cannot be opened. Only a damaged one is kept aside and replaced:
        # busy, or open elsewhere, is refused (restore_damaged says which). A missing PIN or a
        # refusal is not a failure to open, so it never moves data aside.
        run.close()
        folder = backups_dir(run.file_path)
        aside = restore_damaged(run.file_path, source, folder, opened_error=str(exc))
        desk = admin_desk(run)
        desk.backups.audit_restore(source, aside)
        click.echo(f"Restored {source}. The unreadable database was kept as {aside}.")
        return
    refuse_if_in_use(run.file_path)  # before anything here writes (the sign-in may)
    desk = admin_desk(run)
    result = desk.backups.restore(source, other_database=other_database)
    damaged = " (it failed its check: it was damaged)" if result.replaced_was_damaged else ""
    click.echo(
        f"Restored {source}: the database now holds {result.customers_now:,} customers. "
        f"The data it replaced ({result.customers_replaced:,} customers) is saved as "
        f"{result.previous_saved_as}{damaged}; `{pasteable(run, 'restore', result.previous_saved_as)}` "
        "puts it back."
    )


@click.command("check")
@json_flag("{ok, busy, checked, problems, warnings, repaired}")
@click.option("--repair", is_flag=True,
              help="Rebuild damaged or missing indexes and search indexes from the tables.")
@pass_run
def check_cmd(run: RunContext, as_json: bool, repair: bool) -> None:
    """Check the database, every index and search index; exit code 2 if something is wrong,
    1 if it is busy (another program kept it locked).

    With --db URL, a server's: schema version, tables, indexes, and a sample of search columns."""
    if run.server:
        server_check(run, as_json, repair=repair)
        return
    from csdesk.services.backup import advice_for_file, check_database
    from csdesk.services.restore_staging import busy_message
    from csdesk.services.share_warning import network_share_warning

    path = run.file_path
    if not path.is_file():
        raise UserError(f"There is no database at {path}.")
    repaired: list[str] = []
    report = check_database(path)
    if repair and not report.ok and not report.busy:
        desk = admin_desk(run)
        repaired, report = desk.backups.repair()
    warning = network_share_warning(path)
    if as_json:
        echo_json(
            {
                "ok": report.ok,
                "busy": report.busy,
                "checked": report.checked,
                "problems": report.problems,
                "warnings": [warning] if warning else [],
                "repaired": repaired,
            }
        )
    elif report.busy:
        # What was read before the lock is no verdict: "checked: ..." lines above a "nothing was
        # checked" contradicted each other.
        if warning:
            click.echo(f"Warning: {warning}", err=True)
        click.echo("csdesk: " + busy_message(path).replace(
            "nothing was changed", "the check could not finish, so it says nothing either way"
        ), err=True)
    else:
        for item in report.checked:
            click.echo(f"checked: {item}")
        for item in repaired:
            click.echo(f"repaired: {item}")
        if warning:
            click.echo(f"Warning: {warning}", err=True)
        if report.ok:
            click.echo(f"{path} is healthy.")
        else:
            for problem in report.problems:
                click.echo(f"problem: {problem}", err=True)
            click.echo(f"{path} is damaged. {advice_for_file(path, report)}", err=True)
    if report.busy:
        raise click.exceptions.Exit(1)
    if not report.ok:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


def _since_utc(desk: Desk, since: str | None) -> str | None:
    """The stored `at` is UTC ISO text; --since is what a person types, in shop time."""
    if since is None:
        return None
    moment = dates.parse_moment(since, desk.reports.today(), field="since")
    return iso(dates.local_to_utc(moment, desk.reports.tz))


@click.command("audit")
@json_flag(
    "a list of {id, at, staff_id, staff_name, action, entity, entity_id, before, after, "
    "source, computer}, newest first"
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--entity", default=None, help="Only this kind of record (customer, staff, ...).")
@click.option("--action", default=None, help="Only this action (create, update, erase, ...).")
@click.option(
    "--since", default=None, type=MOMENT,
    help="Only entries at or after this day or time (shop time): YYYY-MM-DD or YYYY-MM-DDTHH:MM.",
)
@click.option(
    "--csv",
    "csv_path",
    type=FilePath(dir_okay=False, path_type=Path),
    default=None,
    help="Export all matching entries (oldest first) to this CSV file instead.",
)
@click.option("--force", is_flag=True, help="With --csv: replace the file if it already exists.")
@pass_run
def audit_cmd(
    run: RunContext,
    as_json: bool,
    limit: int,
    entity: str | None,
    action: str | None,
    since: str | None,
    csv_path: Path | None,
    force: bool,
) -> None:
    """Show the audit log: who did what, when, at which computer. JSON keys: id, at, staff_id,
    staff_name, action, entity, entity_id, before, after, source, computer."""
    desk = admin_desk(run)
    flt = AuditFilter(entity=entity, action=action, since=_since_utc(desk, since))
    if csv_path is not None:
        written = desk.audit.export_csv(csv_path, flt, overwrite=force)
        click.echo(f"Wrote {written} audit entries to {csv_path}.")
        return
    entries = desk.audit.entries(flt, limit=limit)
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    for e in entries:
        who = e.staff_name or "(unknown)"
        target = f"{e.entity} #{e.entity_id}" if e.entity_id is not None else e.entity
        where = f"  {e.computer}" if e.computer else ""
        click.echo(f"{e.at}  {who[:20]:<20}  {e.action:<15}  {target}  [{e.source}]{where}")
