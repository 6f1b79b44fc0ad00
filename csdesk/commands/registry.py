"""Which sub-commands exist and where they live, what works on a PostgreSQL server, and which
database a run works on: plain data and one function, no click, so the entry point (cli.py) can
route a softphone's `csdesk call` without loading the command-line framework (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from csdesk.errors import UserError

# Each sub-command is imported only when it runs: a softphone's `csdesk call` or a cron job's
# export should not pay for importing every other command's services.
LAZY_COMMANDS: dict[str, str] = {
    "search": "csdesk.commands.search:search_cmd",
    "demo": "csdesk.commands.search:demo_cmd",
    "visit": "csdesk.commands.history:visit_cmd",
    "timeline": "csdesk.commands.history:timeline_cmd",
    "import": "csdesk.commands.transfer:import_cmd",
    "undo-import": "csdesk.commands.transfer:undo_import_cmd",
    "resume-import": "csdesk.commands.transfer:resume_import_cmd",
    "imports": "csdesk.commands.transfer:imports_cmd",
    "export": "csdesk.commands.reports:export_group",
    "report": "csdesk.commands.insights:report_group",
    "duplicates": "csdesk.commands.transfer:duplicates_cmd",
    "merge": "csdesk.commands.transfer:merge_cmd",
    "issue": "csdesk.commands.issues:issue_group",
    "issues": "csdesk.commands.issues:issues_cmd",
    "followup": "csdesk.commands.issues:followup_group",
    "followups": "csdesk.commands.issues:followups_cmd",
    "letter": "csdesk.commands.letters:letter_cmd",
    "letters": "csdesk.commands.letters:letters_cmd",
    "handover": "csdesk.commands.reports:handover_cmd",
    "customer": "csdesk.commands.admin:customer_group",
    "staff": "csdesk.commands.admin:staff_group",
    "backup": "csdesk.commands.admin:backup_cmd",
    "restore": "csdesk.commands.admin:restore_cmd",
    "check": "csdesk.commands.admin:check_cmd",
    "audit": "csdesk.commands.admin:audit_cmd",
    "paths": "csdesk.commands.paths:paths_cmd",
    "init": "csdesk.commands.paths:init_cmd",
    "settings": "csdesk.commands.settings:settings_cmd",
    "outbox": "csdesk.commands.outbox:outbox_group",
    "computer": "csdesk.commands.computer:computer_cmd",
    "call": "csdesk.commands.call:call_cmd",
    "server": "csdesk.commands.server:server_group",
    "migrate": "csdesk.commands.server:migrate_cmd",
}

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
