"""Which sub-commands exist and where they live, what works on a PostgreSQL server, and which
database a run works on: plain data and one function, no click, so the entry point (cli.py) can
route a softphone's `csdesk call` without loading the command-line framework (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from csdesk.errors import UserError


class Listed(NamedTuple):
    """Where a sub-command lives, and the first sentence of its help."""

    target: str  # "module:attribute" of the click command
    summary: str  # its help's first sentence, which `csdesk --help` shortens to fit the terminal


# Each sub-command is imported only when it runs: a softphone's `csdesk call` or a cron job's
# export should not pay for importing every other command's services. Beside where it lives, each
# keeps the first sentence of its help, so `csdesk --help` lists every command without importing
# any (it imported them all: ~0.25 s CPU, issue 17). tests/commands/test_cli_help.py compares each
# with the command's own help, so the two cannot drift.
COMMANDS: dict[str, Listed] = {
    "search": Listed(
        "csdesk.commands.search:search_cmd",
        "Find customers by name, phone or e-mail, exactly as the window does.",
    ),
    "demo": Listed(
        "csdesk.commands.search:demo_cmd", "Add realistic demo customers (the same seed gives the same data)."
    ),
    "visit": Listed(
        "csdesk.commands.history:visit_cmd",
        "Log a visit (or a call) for a customer, found by ID or by phone number.",
    ),
    "timeline": Listed(
        "csdesk.commands.history:timeline_cmd", "Print a customer's visits, calls and notes, newest first."
    ),
    "import": Listed(
        "csdesk.commands.transfer:import_cmd",
        "Bring customers in from a Square, Shopify or Google Contacts CSV, a vCard or any CSV.",
    ),
    "undo-import": Listed(
        "csdesk.commands.transfer:undo_import_cmd",
        "Take back a whole import: remove the customers it added, restore those it changed.",
    ),
    "resume-import": Listed(
        "csdesk.commands.transfer:resume_import_cmd",
        "Finish an interrupted import: the rows it had not written yet, from the same file.",
    ),
    "imports": Listed("csdesk.commands.transfer:imports_cmd", "List recent imports (the newest first)."),
    "export": Listed("csdesk.commands.reports:export_group", "Write data out to files."),
    "report": Listed("csdesk.commands.insights:report_group", "Reports about how the shop is doing."),
    "duplicates": Listed(
        "csdesk.commands.transfer:duplicates_cmd", "List customers who are probably the same person."
    ),
    "merge": Listed(
        "csdesk.commands.transfer:merge_cmd",
        "Merge customer OTHER_ID into KEEP_ID: visits, notes and phone numbers all move over.",
    ),
    "issue": Listed(
        "csdesk.commands.issues:issue_group",
        "Log an issue and move it along: open, in progress, waiting, resolved, closed.",
    ),
    "issues": Listed(
        "csdesk.commands.issues:issues_cmd",
        "List issues, soonest due first; each shows time left or time overdue.",
    ),
    "followup": Listed(
        "csdesk.commands.issues:followup_group", "Plan a follow-up with a customer, and mark it done."
    ),
    "followups": Listed(
        "csdesk.commands.issues:followups_cmd",
        "Follow-ups not yet done: due today and overdue (default), only overdue, or all.",
    ),
    "letter": Listed(
        "csdesk.commands.letters:letter_cmd",
        "Write one letter for one customer, recorded on their timeline once it is written.",
    ),
    "letters": Listed(
        "csdesk.commands.letters:letters_cmd",
        "Write a letter for each of several customers into one PDF or one PDF each, or e-mail it.",
    ),
    "handover": Listed(
        "csdesk.commands.reports:handover_cmd",
        "Leave a note for the next shift (shift leads: --staff NAME), or --show the open ones.",
    ),
    "customer": Listed(
        "csdesk.commands.admin:customer_group", "Privacy: export or erase one customer's data."
    ),
    "staff": Listed(
        "csdesk.commands.admin:staff_group", "Staff accounts: add, list, deactivate, reactivate."
    ),
    "backup": Listed(
        "csdesk.commands.admin:backup_cmd",
        "Make a consistent backup, even while csdesk is in use; the copy is checked.",
    ),
    "restore": Listed(
        "csdesk.commands.admin:restore_cmd", "Replace the database with a backup: all or nothing."
    ),
    "check": Listed(
        "csdesk.commands.admin:check_cmd",
        "Check the database, every index and search index; exit code 2 if something is wrong, 1 if it is "
        "busy (another program kept it locked).",
    ),
    "audit": Listed(
        "csdesk.commands.admin:audit_cmd", "Show the audit log: who did what, when, at which computer."
    ),
    "paths": Listed(
        "csdesk.commands.paths:paths_cmd", "Show where your data lives: database, backups, letter templates."
    ),
    "init": Listed(
        "csdesk.commands.paths:init_cmd",
        "Start a new, empty database at TARGET: a file on this computer (making its folders; never on a "
        "shared network folder: for several counters use a server), or a PostgreSQL server database "
        "(postgresql://user@host/db; its tables are created, as `csdesk server init` does).",
    ),
    "settings": Listed(
        "csdesk.commands.settings:settings_cmd",
        'Show the shop\'s settings, or set one: csdesk settings shop_name "Trail & Co".',
    ),
    "outbox": Listed(
        "csdesk.commands.outbox:outbox_group",
        "The outbox: e-mail queued, sending, sent, failed or cancelled, newest first.",
    ),
    "computer": Listed(
        "csdesk.commands.computer:computer_cmd",
        'Show this computer\'s name, or name it: csdesk computer "Counter 2".',
    ),
    "call": Listed(
        "csdesk.commands.call:call_cmd",
        "Show the caller with this NUMBER (or tel:/callto: link) in csdesk, starting it if needed.",
    ),
    "server": Listed(
        "csdesk.commands.server:server_group", "The shop's PostgreSQL server, shared by several counters."
    ),
    "migrate": Listed(
        "csdesk.commands.server:migrate_cmd",
        "Move a shop's database file to its PostgreSQL server, then verify the copy.",
    ),
}
LAZY_COMMANDS: dict[str, str] = {name: listed.target for name, listed in COMMANDS.items()}

# What works on a PostgreSQL server: every command whose services run on both engines (the store
# and services suites run on both), and backup/restore/check/paths with PostgreSQL's own tools.
# `server` and `migrate` name their server themselves; backup, restore, check and paths read it
# from RunContext.server, `init` too when it is given no TARGET; `call` reaches (or starts) the
# window on the same server. Every command now works on both (test_server.py proves the list).
SERVER_OWN_TARGET = frozenset({"server", "migrate", "backup", "restore", "check", "paths", "init"})
SERVER_READY_COMMANDS = SERVER_OWN_TARGET | frozenset(
    {"audit", "call", "computer", "customer", "demo", "duplicates", "export", "followup",
     "followups", "handover", "import", "imports", "issue", "issues", "letter", "letters", "merge",
     "outbox", "report", "resume-import", "search", "settings", "staff", "timeline", "undo-import", "visit"}
)
SERVER_NOT_YET = (
    "`csdesk {command}` does not work on a PostgreSQL server yet; it still needs a database file "
    "(--db FILE). On the server: the window, search, visits, issues, follow-ups, letters, reports, "
    "exports, imports, demo, staff, settings, customer export/erase, backup/restore/check, `init`, "
    "`server init` and `migrate` work."
)


class Target(NamedTuple):
    """The database a run works on, as RunContext takes it (not a dataclass: that imports
    inspect, ~5 ms of a softphone's `csdesk call`)."""

    db_path: Path | str  # a file, or a server's URL
    default_db: bool  # the default file in the data folder (its folder is made on first run)
    server: str | None  # the server's URL when it is one
    chosen: bool  # it came from Settings ▸ This computer, not from --db or CSDESK_DB


def resolve_target(db_path: Path | str | None, command: str | None) -> Target:
    """--db (or CSDESK_DB) as given, else this computer's choice, else the default file; a
    server URL only for the commands that work there (UserError for the others)."""
    chosen = False
    if db_path is None:  # neither --db nor CSDESK_DB: what Settings ▸ Database chose here
        from csdesk.services.database_choice import startup_target

        db_path = startup_target()
        chosen = db_path is not None
    server: str | None = None
    if isinstance(db_path, str):  # a server URL (typed or chosen): say plainly what works there
        if command is not None and command not in SERVER_READY_COMMANDS:
            raise UserError(SERVER_NOT_YET.format(command=command))
        server = db_path
        if command in SERVER_OWN_TARGET:
            db_path = None  # those commands name their server themselves (or read run.server)
    if db_path is None:
        from csdesk.paths import default_db_path

        return Target(default_db_path(), True, server, chosen)
    return Target(db_path, False, server, chosen)
